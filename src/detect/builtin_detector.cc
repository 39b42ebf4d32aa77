// Built-in, weight-free detector: motion blobs shaped into people.
//
// 1. Connected components of the motion mask (analysis scale).
// 2. A per-camera perspective model, learned online from blobs that look like
//    one standing person, gives the expected person height at a foot row:
//    h(y) = a + b * y (people lower in the picture are closer, hence taller).
// 3. Blobs much wider than one expected person are split at the weakest
//    columns of their mask projection (people side by side); optionally HOG
//    on an upscaled crop decides instead. Blobs far smaller than a person are
//    dropped as noise.
// 4. Labels: "person"; a wide, low, solid blob is reported as "car" (a crude
//    vehicle heuristic: use the onnx backend when vehicle classes matter).
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "detect/detector.h"
#include "detect/hog_people.h"

namespace argus::detect {
namespace {

constexpr double kPersonAspect = 0.42;         // width / height of a walking person
constexpr double kPriorHeightFraction = 0.15;  // of the frame height, until calibrated
constexpr int kMinCalibrationSamples = 30;
constexpr double kCalibrationDecay = 0.995;  // per sample: forgets old geometry slowly
constexpr double kSingleMinAspect = 2.0;     // h / w of a blob taken as one person
constexpr double kSingleMaxAspect = 3.6;
constexpr double kSingleMinFill = 0.45;
constexpr double kMinPersonFraction = 0.35;  // of the expected height: smaller is noise
constexpr double kSplitWidthRatio = 1.55;    // wider than this many persons: split
constexpr double kVehicleMinAspect = 2.0;    // w / h
constexpr double kVehicleMinFill = 0.75;
constexpr double kVehicleMinPersons = 3.0;  // area in expected person areas
constexpr double kHogCropUpscale = 2.0;

struct Blob {
  cv::Rect r;  // analysis pixels
  int area = 0;
};

// Least-squares line h = a + b*y with exponential forgetting.
class PerspectiveModel {
 public:
  void Add(double foot_y, double h) {
    sw_ = sw_ * kCalibrationDecay + 1;
    sy_ = sy_ * kCalibrationDecay + foot_y;
    sh_ = sh_ * kCalibrationDecay + h;
    syy_ = syy_ * kCalibrationDecay + foot_y * foot_y;
    syh_ = syh_ * kCalibrationDecay + foot_y * h;
    ++n_;
  }
  double Height(double foot_y, double frame_h) const {
    const double prior = kPriorHeightFraction * frame_h;
    if (n_ < kMinCalibrationSamples) return prior;
    const double mean_y = sy_ / sw_;
    const double mean_h = sh_ / sw_;
    const double var = syy_ / sw_ - mean_y * mean_y;
    double b = 0;
    if (var > 1e-6) b = std::clamp((syh_ / sw_ - mean_y * mean_h) / var, -0.2, 1.0);
    return std::max(0.03 * frame_h, mean_h + b * (foot_y - mean_y));
  }

 private:
  double sw_ = 0, sy_ = 0, sh_ = 0, syy_ = 0, syh_ = 0;
  int n_ = 0;
};

class BuiltinDetector final : public Detector {
 public:
  explicit BuiltinDetector(const DetectorConfig& c) : config_(c), own_motion_(c.motion) {
    if (c.builtin_hog_verify) hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
    keep_person_ = c.classes.empty() ||
                   std::find(c.classes.begin(), c.classes.end(), "person") != c.classes.end();
    keep_car_ = c.classes.empty() ||
                std::find(c.classes.begin(), c.classes.end(), "car") != c.classes.end();
  }
  std::string name() const override { return "builtin"; }

  core::Result<std::vector<track::Detection>> Detect(const cv::Mat& bgr,
                                                     const motion::MotionResult* motion) override {
    motion::MotionResult own;
    if (motion == nullptr) {
      own = own_motion_.Process(bgr, frames_ / config_.assumed_fps);
      motion = &own;
    }
    ++frames_;
    std::vector<track::Detection> dets;
    if (motion->warming_up || motion->mask.empty()) return dets;
    const core::GrayImage& m = motion->mask;
    // Read-only header over the mask's pixels.
    const cv::Mat mask(m.height, m.width, CV_8U, const_cast<uint8_t*>(m.pixels.data()));
    const double s = motion->scale;

    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
      Blob b{{stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
              stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT)},
             stats.at<int>(i, cv::CC_STAT_AREA)};
      const double foot = b.r.y + b.r.height;
      const double he = model_.Height(foot, m.height);
      const double we = he * kPersonAspect;
      const double fill = double(b.area) / b.r.area();
      if (b.r.height < kMinPersonFraction * he && b.r.width < kMinPersonFraction * he) continue;
      if (b.area < 0.15 * he * we) continue;

      const double aspect = double(b.r.height) / b.r.width;
      const bool touches_border = b.r.x <= 0 || b.r.y <= 0 || b.r.x + b.r.width >= m.width ||
                                  b.r.y + b.r.height >= m.height;
      if (!touches_border && aspect >= kSingleMinAspect && aspect <= kSingleMaxAspect &&
          fill >= kSingleMinFill) {
        model_.Add(foot, b.r.height);
      }

      if (double(b.r.width) / b.r.height >= kVehicleMinAspect && fill >= kVehicleMinFill &&
          b.area >= kVehicleMinPersons * he * we) {
        if (keep_car_) dets.push_back({ToSource(b.r, s), Score(fill, 1.0), "car"});
        continue;
      }
      if (!keep_person_) continue;
      if (b.r.width > kSplitWidthRatio * we) {
        SplitWide(bgr, labels, i, b, he, we, s, &dets);
      } else {
        dets.push_back({ToSource(b.r, s), Score(fill, b.r.height / he), "person"});
      }
    }
    return dets;
  }

 private:
  static core::Box ToSource(const cv::Rect& r, double s) {
    return {r.x * s, r.y * s, r.width * s, r.height * s};
  }
  // 0..1: solid blobs of the expected height score high; the tracker treats
  // low scores as second-chance detections.
  static float Score(double fill, double height_ratio) {
    const double size = std::exp(-std::abs(std::log(std::max(1e-3, height_ratio))));
    return static_cast<float>(std::clamp(0.25 + 0.75 * std::min(1.0, fill / 0.6) * size, 0.0, 1.0));
  }

  // Splits a blob holding several people side by side.
  void SplitWide(const cv::Mat& bgr, const cv::Mat& labels, int label, const Blob& b, double he,
                 double we, double s, std::vector<track::Detection>* dets) {
    if (config_.builtin_hog_verify && HogSplit(bgr, b, s, dets)) return;
    const cv::Mat own = labels(b.r) == label;
    cv::Mat cols;
    cv::reduce(own, cols, 0, cv::REDUCE_SUM, CV_32S);  // foreground per column (x255)
    const int parts = std::max(2, static_cast<int>(std::lround(b.r.width / we)));
    std::vector<int> cuts{0};
    for (int k = 1; k < parts; ++k) {
      // Weakest column near the even split point.
      const int centre = k * b.r.width / parts;
      const int radius = std::max(1, static_cast<int>(we / 3));
      int best = centre;
      for (int x = std::max(cuts.back() + 1, centre - radius);
           x <= std::min(b.r.width - 1, centre + radius); ++x) {
        if (cols.at<int>(0, x) < cols.at<int>(0, best)) best = x;
      }
      if (best > cuts.back()) cuts.push_back(best);
    }
    cuts.push_back(b.r.width);
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      const cv::Rect slice(cuts[k], 0, cuts[k + 1] - cuts[k], b.r.height);
      const cv::Mat part = own(slice);
      const cv::Rect tight = cv::boundingRect(part);
      if (tight.area() == 0) continue;
      const int area = cv::countNonZero(part);
      if (tight.height < kMinPersonFraction * he || area < 0.15 * he * we) continue;
      const cv::Rect r(b.r.x + slice.x + tight.x, b.r.y + tight.y, tight.width, tight.height);
      dets->push_back(
          {ToSource(r, s), Score(double(area) / r.area(), r.height / he) * 0.9f, "person"});
    }
  }

  // HOG on an upscaled crop around the blob; false when it finds nobody.
  bool HogSplit(const cv::Mat& bgr, const Blob& b, double s, std::vector<track::Detection>* dets) {
    const cv::Rect src(static_cast<int>(b.r.x * s), static_cast<int>(b.r.y * s),
                       static_cast<int>(b.r.width * s), static_cast<int>(b.r.height * s));
    const int pad = src.height / 4;
    const cv::Rect crop = (src + cv::Size(2 * pad, 2 * pad) - cv::Point(pad, pad)) &
                          cv::Rect(0, 0, bgr.cols, bgr.rows);
    const double up = std::max(1.0, kHogCropUpscale * 96.0 / std::max(1, src.height));
    std::vector<Candidate> found =
        NmsPerClass(RunHog(hog_, bgr(crop), std::min(up, 3.0), 0.0), config_.nms_iou);
    if (found.empty()) return false;
    for (const Candidate& c : found) {
      core::Box box = c.box;
      box.x += crop.x;
      box.y += crop.y;
      dets->push_back({box, c.score, "person"});
    }
    return true;
  }

  DetectorConfig config_;
  motion::MotionDetector own_motion_;
  PerspectiveModel model_;
  cv::HOGDescriptor hog_;
  bool keep_person_ = true;
  bool keep_car_ = true;
  int64_t frames_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<Detector>> MakeBuiltinDetector(const DetectorConfig& c) {
  for (const auto& cls : c.classes) {
    if (cls != "person" && cls != "car") {
      return core::InvalidArgument("the builtin detector only finds 'person' and 'car', not '" +
                                   cls + "'");
    }
  }
  if (c.assumed_fps <= 0) return core::InvalidArgument("assumed_fps must be positive");
  return std::unique_ptr<Detector>(std::make_unique<BuiltinDetector>(c));
}

}  // namespace argus::detect
