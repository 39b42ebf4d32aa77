// Object detectors behind one interface: "builtin" (motion blobs, no weights),
// "hog" (OpenCV HOG people detector) and "onnx" (YOLOX / YOLOv5 / YOLOv8 through
// OpenCV DNN on the CPU, motion-gated).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "detect/static_filter.h"
#include "detect/yolo_decode.h"
#include "motion/motion.h"
#include "track/track.h"

namespace argus::detect {

// Thread safety: one thread per instance.
class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string name() const = 0;
  // `motion` is this frame's motion analysis, or null (no gating; the builtin
  // detector then runs its own motion analysis at an assumed frame rate).
  // Boxes in source pixels; labels are COCO names ("person", "car", ...).
  virtual core::Result<std::vector<track::Detection>> Detect(
      const cv::Mat& bgr, const motion::MotionResult* motion) = 0;
  // Optional: where the tracker expects objects on the next Detect (its
  // predicted boxes, full size). Backends that look only where something moved
  // look at these boxes whole too.
  virtual void SetExpected(const std::vector<core::Box>& /*boxes*/) {}
};

// Named defaults.
inline constexpr float kDefaultScoreThreshold = 0.25f;
inline constexpr float kDefaultNmsIou = 0.45f;
inline constexpr int kDefaultInputSize = 416;
inline constexpr double kDefaultFullFrameEveryS = 2.0;
inline constexpr double kDefaultHogUpscale = 1.5;
inline constexpr double kDefaultAssumedFps = 10.0;

struct DetectorConfig {
  std::string kind = "builtin";  // builtin | hog | onnx
  std::string model_path;        // onnx only
  float score_threshold = kDefaultScoreThreshold;
  float nms_iou = kDefaultNmsIou;
  std::vector<std::string> classes;    // COCO names to keep; empty = all
  int input_size = kDefaultInputSize;  // onnx network input (square)
  YoloFormat format = YoloFormat::kAuto;
  // Motion gating (onnx): without motion regions the network does not run,
  // except for a full-frame pass this often (stream seconds) so still people
  // and parked vehicles are seen.
  double full_frame_every_s = kDefaultFullFrameEveryS;
  // onnx: between those passes, the network sees only windows around the
  // motion, each at the resolution its people need (detect/crop_plan.h).
  bool crops = true;
  // onnx / hog: a "person" that has not moved at all for this long (stream
  // seconds, with a quiet motion mask) is a poster or a statue and is dropped;
  // 0 disables. See static_filter.h.
  double static_suppress_s = kDefaultStaticAfterS;
  double hog_upscale = kDefaultHogUpscale;  // hog: people smaller than 128 px need > 1
  bool builtin_hog_verify = false;          // builtin: confirm ambiguous blobs with HOG (slower)
  // Only when Detect() gets no motion result: frame rate assumed for the
  // builtin detector's own motion analysis.
  double assumed_fps = kDefaultAssumedFps;
  motion::MotionParams motion;  // builtin's own motion analysis (motion == null)
};

// "builtin" | "hog" | "onnx:/path/model.onnx" (the file must exist).
core::Result<DetectorConfig> ParseDetectorSpec(const std::string& spec);

core::Result<std::unique_ptr<Detector>> MakeDetector(const DetectorConfig& config);

// Backends (MakeDetector picks one; exposed for tests and benchmarks).
core::Result<std::unique_ptr<Detector>> MakeBuiltinDetector(const DetectorConfig& config);
core::Result<std::unique_ptr<Detector>> MakeHogDetector(const DetectorConfig& config);
core::Result<std::unique_ptr<Detector>> MakeOnnxDetector(const DetectorConfig& config);

// COCO names -> ids; error naming the first unknown class.
core::Result<std::vector<int>> ClassIds(const std::vector<std::string>& names);

}  // namespace argus::detect
