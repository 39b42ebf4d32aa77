// Blurring people for viewers: the live view and alert snapshots a viewer sees have
// whatever might be a person blurred beyond recognition, and fail safe: when the analysis
// cannot say where people are (none yet, the background model still learning, the last
// analysis too old or failed) the whole picture is blurred. The overlays are drawn on top
// afterwards, so what happens stays visible, who does it does not.
// Thread safety: free functions; a PrivacyGuard is used by one thread at a time (its
// camera's analysis).
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "core/geometry.h"
#include "track/track.h"

namespace argus::app {

// Each box grows by this fraction of its width (height) on the left and right (bottom):
// boxes are loose around a moving person, and an elbow outside the box would still give
// them away. Above, it grows more: detectors often cut the head, which identifies most.
inline constexpr double kBlurMarginFraction = 0.15;
inline constexpr double kBlurHeadroomFraction = 0.3;
inline constexpr int kBlurMinMarginPx = 4;
// A blurred box keeps this many cells of colour along its longer side (fewer along the
// shorter one): a face ends up inside one cell.
inline constexpr int kBlurCells = 6;
// A wholly blurred picture keeps this many cells along its longer side: the scene's layout
// (rooms, lights, crowds) stays readable, a person is a few cells of colour.
inline constexpr int kWholeFrameBlurCells = 24;
// The last analysis stands for the frames after it (the detection rate limit skips some)
// for at most this long, or this many analysis periods when the camera analyses slower.
inline constexpr double kBlurPlanMaxAgeS = 1.0;
inline constexpr double kBlurPlanMaxPeriods = 2.5;

// What to blur in one frame.
struct BlurPlan {
  bool whole = true;             // the whole picture (the safe default)
  std::vector<core::Box> boxes;  // otherwise these, in pixels of the frame
};

// Blurs each box (pixels of `bgr`, CV_8UC3), grown by the margin above and clipped to the
// picture, in place. Pixels outside the grown boxes are unchanged. Empty boxes are ignored.
void BlurBoxes(cv::Mat& bgr, const std::vector<core::Box>& boxes);
// Blurs the whole picture (`plan.whole`) or its boxes, in place.
void ApplyBlur(cv::Mat& bgr, const BlurPlan& plan);

// What might be a person in an analysed frame: the tracks seen in it, every track the
// tracker still holds (a person who stopped or is hidden, at their predicted place), the
// detections (a person entering, before the tracker confirms them) and the motion regions
// (anything the background model does not know yet, found by a detector or not).
std::vector<core::Box> BoxesToBlur(const std::vector<track::Track>& tracks,
                                   const std::vector<track::Track>& held,
                                   const std::vector<track::Detection>& detections,
                                   const std::vector<core::Box>& motion_regions);

// One camera's blur plans: its last analysis stands for the frames after it while it is
// fresh and trusted; anything else gives the whole picture blurred.
class PrivacyGuard {
 public:
  // `detect_fps`: the camera's analysis rate (0: every frame).
  explicit PrivacyGuard(double detect_fps);

  // The analysis of the frame at stream time `t`: what to blur in it, and whether the
  // background model is still learning (its motion regions cannot be trusted).
  void Analysed(double t, bool background_learning, std::vector<core::Box> boxes);
  // The analysis of a frame failed: whole pictures until one succeeds.
  void Failed() { trusted_ = false; }
  // The plan for the frame at stream time `t`.
  BlurPlan Plan(double t) const;

 private:
  double max_age_s_;
  bool trusted_ = false;  // an analysis succeeded, and the background model was ready
  double analysed_t_ = 0;
  std::vector<core::Box> boxes_;
};

}  // namespace argus::app
