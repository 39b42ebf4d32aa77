// Blurring people for viewers: the live view and alert snapshots a viewer sees have every
// detected or tracked person (or object) blurred beyond recognition; the overlays are drawn
// on top afterwards, so what happens stays visible, who does it does not.
// Thread safety: free functions.
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

// Blurs each box (pixels of `bgr`, CV_8UC3), grown by the margin above and clipped to the
// picture, in place. Pixels outside the grown boxes are unchanged. Empty boxes are ignored.
void BlurBoxes(cv::Mat& bgr, const std::vector<core::Box>& boxes);

// What to blur in an analysed frame: its confirmed tracks and also its detections, so a
// person entering is blurred before the tracker confirms them.
std::vector<core::Box> BoxesToBlur(const std::vector<track::Track>& tracks,
                                   const std::vector<track::Detection>& detections);

}  // namespace argus::app
