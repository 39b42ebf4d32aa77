// Where a neural detector looks in a frame: windows around the motion regions
// at a resolution suited to the people in them, or the whole frame when that
// costs no more. Pure geometry on core types (the adapter in onnx_detector.cc
// cuts and scales the pixels).
#pragma once

#include <vector>

#include "core/geometry.h"

namespace argus::detect {

// A window of the source frame and the scale at which the network sees it.
// The network input is net_w x net_h (multiples of the stride); the scaled
// window sits at its top-left, the rest is padding.
struct CropWindow {
  core::Box source;  // source pixels, inside the frame
  double scale = 1;  // network pixels per source pixel
  int net_w = 0;
  int net_h = 0;
  double Cost() const;  // network pixels plus the fixed cost of one pass
};

// Named defaults.
// A person should be about this tall in the network input: YOLO-family models
// find people from ~20 px, reliably from ~50 px; more costs without helping.
inline constexpr double kDefaultCropPersonPx = 64;
// Context added around a motion region, as a fraction of its height per side.
inline constexpr double kDefaultCropMargin = 0.25;
inline constexpr double kDefaultCropMinMarginPx = 16;
// The fixed cost of one forward pass in network pixels (YOLOX-Nano on OpenCV
// DNN, one core: ~0.75 ms per pass against ~0.36 ms per 1000 pixels).
inline constexpr double kPassOverheadPx = 2048;
inline constexpr int kNetStride = 32;

struct CropPlanParams {
  int input_size = 416;  // the whole frame's longest side in the network
  double person_px = kDefaultCropPersonPx;
  double margin = kDefaultCropMargin;
  double min_margin_px = kDefaultCropMinMarginPx;
};

// The whole frame, longest side scaled to input_size, rounded up to the stride.
CropWindow WholeFrameWindow(int frame_w, int frame_h, int input_size);

// What the crops must cover: the boxes where people are expected (the tracker's
// predictions, at their full size) and the motion regions those boxes do not
// already explain (mostly inside one). A motion region alone is often a part
// of a person (the legs of a close walker): sized by it, a window would cut the
// person off.
std::vector<core::Box> CropRegions(const std::vector<core::Box>& motion,
                                   const std::vector<core::Box>& expected_people);

// Windows covering `regions` (source pixels). Each region is seen at the scale
// that makes it person_px tall in the network, never below the whole frame's
// scale and never above native; overlapping windows merge (at the scale of the
// larger), and so do windows that cost less together than apart. One whole-frame window when the
// crops would cost at least as much as the whole frame, or when there is no region.
std::vector<CropWindow> PlanCrops(const std::vector<core::Box>& regions, int frame_w, int frame_h,
                                  const CropPlanParams& params);

}  // namespace argus::detect
