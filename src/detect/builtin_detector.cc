// Built-in, weight-free detector: motion blobs shaped into people.
//
// 1. Connected components of the motion mask (analysis scale).
// 2. Scale comes from the blobs themselves, so no camera geometry is assumed:
//    a blob is first taken as people of its own height (a group side by side
//    is as tall as one of them). A per-camera perspective model, learned online
//    from blobs that look like one standing person, then gives the expected
//    person height at a foot row, h(y) = a + b * y, to reject noise and score.
// 3. Blobs much wider than one person of their height are split at the
//    weakest columns of their mask projection (people side by side);
//    optionally HOG on an upscaled crop decides instead.
// 4. Labels: "person"; once the perspective model is learned, a wide, low,
//    solid blob of several person areas is reported as "car" (a crude vehicle
//    heuristic: use the onnx backend when vehicle classes matter).
// It cannot separate people one behind the other, sees nobody the motion mask
// misses (people still since before the camera started), and a person lying
// down is one wide blob (kept as a person, with a lower score).
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "core/height_line.h"
#include "detect/blob_groups.h"
#include "detect/detector.h"
#include "detect/hog_people.h"

namespace argus::detect {
namespace {

constexpr double kPersonAspect = 0.42;     // width / height of a walking person
constexpr double kMinBlobFraction = 0.04;  // of the frame height: smaller blobs are noise
constexpr int kMinCalibrationSamples = 20;
constexpr double kCalibrationDecay = 0.995;       // per sample: forgets old geometry slowly
constexpr double kMinModelHeightFraction = 0.03;  // of the frame: no person is shorter
constexpr double kSingleMinAspect = 2.0;          // h / w of a blob taken as one person
constexpr double kSingleMaxAspect = 3.6;
constexpr double kSingleMinFill = 0.45;
constexpr double kMinPersonFraction = 0.35;   // of the expected height: smaller is noise
constexpr double kSplitWidthRatio = 1.55;     // wider than this many persons: split
constexpr double kMinGroupHeightRatio = 0.6;  // of a standing person: shorter is not a group
constexpr double kMinGroupAspect = 0.45;      // h / w, before the model is learned
constexpr double kVehicleMinAspect = 2.0;     // w / h
constexpr double kVehicleMinFill = 0.75;
constexpr double kVehicleMinPersons = 3.0;  // area in expected person areas
constexpr double kHogCropUpscale = 2.0;
constexpr int kMinSpeckArea = 4;            // analysis pixels
constexpr double kMinSpeckFraction = 2e-4;  // of the mask
// Fill (foreground / box) from which a blob scores as fully solid: a person
// pieced together from fragments fills a third of the box.
constexpr double kSolidFill = 0.35;

struct Blob {
  cv::Rect r;  // analysis pixels
  int area = 0;
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

    const bool calibrated = model_.Calibrated();
    for (const MaskBlob& g : Blobs(mask)) {
      const Blob b{{g.x, g.y, g.w, g.h}, g.area};
      if (b.r.height < kMinBlobFraction * m.height && b.r.width < kMinBlobFraction * m.height) {
        continue;
      }
      const double foot = b.r.y + b.r.height;
      const double fill = double(b.area) / b.r.area();
      // Expected person height here: the model's once learned, else the blob's own.
      const double he_model =
          calibrated ? model_.Height(foot, kMinModelHeightFraction * m.height) : 0;
      if (calibrated && b.r.height < kMinPersonFraction * he_model &&
          b.r.width < kMinPersonFraction * he_model) {
        continue;
      }
      const double he = calibrated ? he_model : b.r.height;
      if (b.area < 0.15 * he * he * kPersonAspect) continue;

      const double aspect = double(b.r.height) / b.r.width;
      const bool touches_border = b.r.x <= 0 || b.r.y <= 0 || b.r.x + b.r.width >= m.width ||
                                  b.r.y + b.r.height >= m.height;
      if (!touches_border && aspect >= kSingleMinAspect && aspect <= kSingleMaxAspect &&
          fill >= kSingleMinFill) {
        model_.Add(foot, b.r.height);
      }

      if (calibrated && double(b.r.width) / b.r.height >= kVehicleMinAspect &&
          fill >= kVehicleMinFill && b.area >= kVehicleMinPersons * he * he * kPersonAspect) {
        if (keep_car_) dets.push_back({ToSource(b.r, s), Score(fill, 1.0), "car"});
        continue;
      }
      if (!keep_person_) continue;
      // Side by side, people are as tall as the blob: split by its own height,
      // unless it is far taller than a person here (one behind the other).
      // A blob much lower than a person standing here (or, uncalibrated, very
      // flat) is one person lying or crouching, not a row of short people.
      const double h_split = calibrated ? std::min<double>(b.r.height, 1.5 * he_model) : b.r.height;
      const double ratio = calibrated ? b.r.height / he_model : 1.0;
      const bool upright = calibrated ? ratio >= kMinGroupHeightRatio : aspect >= kMinGroupAspect;
      if (upright && b.r.width > kSplitWidthRatio * h_split * kPersonAspect) {
        SplitWide(bgr, mask, b, h_split, ratio, s, &dets);
      } else {
        dets.push_back({ToSource(b.r, s), Score(fill, ratio), "person"});
      }
    }
    return dets;
  }

 private:
  // Connected components without specks, pieces of one body joined.
  static std::vector<MaskBlob> Blobs(const cv::Mat& mask) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    const int min_area =
        std::max(kMinSpeckArea, static_cast<int>(kMinSpeckFraction * mask.total()));
    std::vector<MaskBlob> blobs;
    for (int i = 1; i < n; ++i) {
      const int area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area < min_area) continue;
      blobs.push_back({stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT),
                       area});
    }
    return GroupStackedBlobs(std::move(blobs));
  }

  static core::Box ToSource(const cv::Rect& r, double s) {
    return {r.x * s, r.y * s, r.width * s, r.height * s};
  }
  // 0..1: solid blobs of the expected height score high; the tracker treats
  // low scores as second-chance detections.
  static float Score(double fill, double height_ratio) {
    const double size = std::exp(-std::abs(std::log(std::max(1e-3, height_ratio))));
    return static_cast<float>(
        std::clamp(0.4 + 0.6 * std::min(1.0, fill / kSolidFill) * size, 0.0, 1.0));
  }

  // Splits a blob holding several people side by side.
  void SplitWide(const cv::Mat& bgr, const cv::Mat& mask, const Blob& b, double he,
                 double height_ratio, double s, std::vector<track::Detection>* dets) {
    const double we = he * kPersonAspect;
    if (config_.builtin_hog_verify && HogSplit(bgr, b, s, dets)) return;
    const cv::Mat own = mask(b.r);
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
          {ToSource(r, s), Score(double(area) / r.area(), height_ratio) * 0.9f, "person"});
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
  core::HeightLine model_{kCalibrationDecay, kMinCalibrationSamples};
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
