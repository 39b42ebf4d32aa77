// HOG people detector (Dalal-Triggs, OpenCV's default people SVM) on the whole frame.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "detect/detector.h"
#include "detect/hog_people.h"

namespace argus::detect {

core::Box HogWindowToPerson(const core::Box& window) {
  // The 64x128 training window holds a ~96 px tall person with margins.
  return {window.x + window.w * kHogMarginX, window.y + window.h * kHogMarginTop,
          window.w * (1 - 2 * kHogMarginX), window.h * (1 - kHogMarginTop - kHogMarginBottom)};
}

float HogScore(double svm_weight) {
  // Logistic squash of the SVM margin to 0..1 (0 margin -> 0.5).
  return static_cast<float>(1.0 / (1.0 + std::exp(-2.0 * svm_weight)));
}

std::vector<Candidate> RunHog(const cv::HOGDescriptor& hog, const cv::Mat& bgr, double upscale,
                              double hit_threshold) {
  cv::Mat img;
  if (std::abs(upscale - 1.0) > 1e-6) {
    cv::resize(bgr, img, cv::Size(), upscale, upscale, cv::INTER_LINEAR);
  } else {
    img = bgr;
  }
  std::vector<cv::Rect> found;
  std::vector<double> weights;
  hog.detectMultiScale(img, found, weights, hit_threshold, cv::Size(8, 8), cv::Size(0, 0),
                       kHogScaleStep, /*groupThreshold=*/0);
  std::vector<Candidate> out;
  for (size_t i = 0; i < found.size(); ++i) {
    const cv::Rect& r = found[i];
    const core::Box win{r.x / upscale, r.y / upscale, r.width / upscale, r.height / upscale};
    out.push_back({HogWindowToPerson(win), HogScore(i < weights.size() ? weights[i] : 0), 0});
  }
  return out;
}

namespace {

class HogDetector final : public Detector {
 public:
  explicit HogDetector(const DetectorConfig& c)
      : config_(c), static_filter_(StaticFilterParams{.after_s = c.static_suppress_s}) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }
  std::string name() const override { return "hog"; }

  core::Result<std::vector<track::Detection>> Detect(const cv::Mat& bgr,
                                                     const motion::MotionResult* motion) override {
    std::vector<track::Detection> dets;
    if (bgr.empty()) return dets;
    for (const Candidate& c :
         NmsPerClass(RunHog(hog_, bgr, config_.hog_upscale, 0.0), config_.nms_iou)) {
      if (c.score < config_.score_threshold) continue;
      dets.push_back({c.box, c.score, "person"});
    }
    return static_filter_.Filter(std::move(dets), motion);
  }

 private:
  DetectorConfig config_;
  cv::HOGDescriptor hog_;
  StaticObjectFilter static_filter_;
};

}  // namespace

core::Result<std::unique_ptr<Detector>> MakeHogDetector(const DetectorConfig& c) {
  if (c.hog_upscale <= 0 || c.hog_upscale > 4) {
    return core::InvalidArgument("hog_upscale must be in (0, 4]");
  }
  for (const auto& cls : c.classes) {
    if (cls != "person") return core::InvalidArgument("the hog detector only finds 'person'");
  }
  return std::unique_ptr<Detector>(std::make_unique<HogDetector>(c));
}

}  // namespace argus::detect
