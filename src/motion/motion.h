// Motion analysis on a downscaled grey frame: foreground mask (MOG2 with shadow
// suppression), motion regions, the "how much changed" signal and cheap tamper
// signals. The output is plain data (core types) so rules and detectors can use
// it without OpenCV; only the input frame is an OpenCV matrix (edge adapter).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "core/geometry.h"
#include "core/image.h"

namespace argus::motion {

// Per-frame signals for the camera-tamper rule.
struct TamperSignals {
  double mean_luma = 0;         // 0..255
  double uniform_fraction = 0;  // fraction of the frame with almost no texture (covered lens)
  double sharpness = 0;         // variance of the Laplacian of the analysis grey frame
  double background_match = 1;  // 0..1 gradient correlation with the long-term reference
  // 0..1 of the reference's textured cells still in place (core::MatchedCellShare),
  // judged below core::kCellsJudgedBelowMatch, else 1.
  double background_cells = 1;
};

struct MotionResult {
  core::GrayImage gray;            // downscaled grey frame (analysis scale)
  core::GrayImage mask;            // same size, 0 or 255 foreground after shadows and morphology
  double scale = 1;                // source pixels per analysis pixel
  double t = 0;                    // stream seconds of the frame
  double changed_fraction = 0;     // 0..1 of the frame that changed, shadows included (a light
                                   // switched on/off shows as a jump close to 1)
  bool warming_up = true;          // background model not trusted yet (first frames, or
                                   // relearning after a global change): mask may be noisy
  std::vector<core::Box> regions;  // motion blobs in SOURCE pixels, largest first
  TamperSignals signals;
};

// Named defaults.
inline constexpr int kDefaultAnalysisWidth = 320;
inline constexpr int kDefaultHistoryFrames = 500;
inline constexpr double kDefaultVarThreshold = 16;
inline constexpr int kDefaultWarmupFrames = 10;
inline constexpr double kDefaultShadowThreshold = 0.8;
inline constexpr double kDefaultGlobalChangeFraction = 0.6;
inline constexpr int kDefaultMinRegionArea = 12;  // analysis pixels
inline constexpr int kDefaultUniformCell = 16;    // analysis pixels
inline constexpr double kDefaultUniformStdDev = 4.0;
inline constexpr double kDefaultBackgroundTauS = 60.0;

struct MotionParams {
  // Target width; the frame is shrunk by the nearest integer factor (cheap,
  // exact area averaging), so 768 px becomes 384. Narrower frames are not upscaled.
  int analysis_width = kDefaultAnalysisWidth;
  int history_frames = kDefaultHistoryFrames;   // MOG2 history
  double var_threshold = kDefaultVarThreshold;  // MOG2 squared Mahalanobis threshold
  bool detect_shadows = true;                   // shadows are dropped from the mask
  // A pixel darker than the background by a ratio in [shadow_threshold, 1) with
  // the same colour is a shadow. Higher keeps dark clothes out of "shadow".
  double shadow_threshold = kDefaultShadowThreshold;
  bool color_model = false;  // MOG2 on BGR (better shadows and clothes, ~2x cost)
  int open_kernel = 3;       // removes speckle noise
  int close_width = 3;       // closes gaps inside a body (kernel is close_width x close_height)
  int close_height = 7;      // taller than wide: joins head, torso and legs
  int min_region_area = kDefaultMinRegionArea;
  int warmup_frames = kDefaultWarmupFrames;
  // When more than this fraction changes at once (lights, camera moved) the
  // background model is relearned from the current frame.
  double global_change_fraction = kDefaultGlobalChangeFraction;
  int uniform_cell = kDefaultUniformCell;
  double uniform_stddev = kDefaultUniformStdDev;
  double background_tau_s = kDefaultBackgroundTauS;  // time constant of the reference
};

// Thread safety: one thread per instance (one instance per camera).
class MotionDetector {
 public:
  explicit MotionDetector(const MotionParams& params = {});
  ~MotionDetector();
  MotionDetector(const MotionDetector&) = delete;
  MotionDetector& operator=(const MotionDetector&) = delete;

  // `bgr` is an 8-bit BGR (or 1-channel grey) frame; `t` its stream time in seconds.
  MotionResult Process(const cv::Mat& bgr, double t);

  // Boxes (source pixels) that the background model must not learn from the
  // next Process() on, until the next call: people whose track is alive stay
  // foreground while they stand still instead of fading into the background
  // within seconds. An empty list releases everything.
  void Hold(const std::vector<core::Box>& boxes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Cheap texture / exposure signals of one grey frame (no history): mean luma,
// uniform fraction and sharpness. background_match is left at 1.
TamperSignals ComputeFrameSignals(const cv::Mat& gray, int uniform_cell, double uniform_stddev);

}  // namespace argus::motion
