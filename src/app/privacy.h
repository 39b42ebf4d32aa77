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
#include "core/image.h"
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
// Scene proof (below): cells of this many analysis pixels; a cell is proven to be scene
// once nothing in it changed for kSceneProofQuietS. A person still since the first frame
// is part of the background model and may be missed by the detector, but a living person
// does not hold every pixel within kSceneProofLevel grey levels for half a minute.
inline constexpr int kSceneProofCellPx = 16;
inline constexpr double kSceneProofQuietS = 30;
inline constexpr int kSceneProofLevel = 18;         // grey levels: above video noise
inline constexpr double kSceneProofChanged = 0.02;  // share of a cell's pixels
inline constexpr int kSceneProofMinChanged = 3;     // pixels, for small cells
// When this share of the picture is unproven, the whole picture is blurred (it looks the
// same, and costs one resize instead of many).
inline constexpr double kSceneProofWholeShare = 0.6;

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

// Which parts of a camera's picture are proven to be scene (no person): a grid of cells
// over the analysis frame, each unproven until nothing changed in it for
// kSceneProofQuietS. "Changed" is any of: foreground in the motion mask, the grey picture
// drifting from what the cell looked like when it last changed (slow swaying adds up), a
// box that might be a person over it. So people still since the first frame, whom the
// background model learnt and the detector missed, stay blurred; so does the place a
// person left, for the quiet time. A relearnt background model starts over.
class SceneProof {
 public:
  // One analysed frame: `gray` and `mask` from the motion analysis (same size), `scale`
  // source pixels per analysis pixel, `people` the boxes that might be a person (source
  // pixels), `relearning` the background model's warm-up.
  void Update(double t, const core::GrayImage& gray, const core::GrayImage& mask, double scale,
              const std::vector<core::Box>& people, bool relearning);
  // The unproven cells in source pixels (one box per run of cells in a row), and their
  // share of the picture (1 before the first Update).
  std::vector<core::Box> Unproven() const;
  double UnprovenShare() const;

 private:
  bool Active(int cx, int cy, const core::GrayImage& gray, const core::GrayImage& mask) const;
  // Cell `i` has been quiet for kSceneProofQuietS.
  bool Proven(size_t i) const { return t_ - changed_t_[i] >= kSceneProofQuietS; }
  double t_ = 0;
  double scale_ = 1;
  int cols_ = 0, rows_ = 0, width_ = 0, height_ = 0;
  core::GrayImage ref_;            // each cell as it was when it last changed
  std::vector<double> changed_t_;  // per cell: stream time of its last change
};

// One camera's blur plans: its last analysis stands for the frames after it while it is
// fresh and trusted; anything else gives the whole picture blurred.
class PrivacyGuard {
 public:
  // `detect_fps`: the camera's analysis rate (0: every frame).
  explicit PrivacyGuard(double detect_fps);

  // The analysis of the frame at stream time `t`: what might be a person in it (`boxes`),
  // its motion analysis (`gray`, `mask`, `scale`: SceneProof) and whether the background
  // model is still learning (its motion regions cannot be trusted). The parts of the
  // picture not yet proven to be scene are blurred too.
  void Analysed(double t, const core::GrayImage& gray, const core::GrayImage& mask, double scale,
                bool background_learning, std::vector<core::Box> boxes);
  // The analysis of a frame failed: whole pictures until one succeeds.
  void Failed() { trusted_ = false; }
  // The plan for the frame at stream time `t`.
  BlurPlan Plan(double t) const;

 private:
  double max_age_s_;
  bool trusted_ = false;  // an analysis succeeded, and the background model was ready
  double analysed_t_ = 0;
  bool whole_ = true;  // the analysis left too much unproven
  std::vector<core::Box> boxes_;
  SceneProof proof_;
};

}  // namespace argus::app
