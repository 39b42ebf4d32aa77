// Privacy masks: regions of a camera's picture that nobody may see (a neighbour's window, a
// staff door). They are filled black on every picture that leaves the decoder: the frames
// analysed and shown live (CameraPipeline) and the frames of re-encoded evidence clips
// (ClipWriter), so both use this one rasterisation.
// Thread safety: a free function.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "core/geometry.h"

namespace argus::record {

// Fills each polygon (relative coordinates, 0..1 of the picture's width and height) black in
// `bgr` (CV_8UC3), in place. Nothing happens when `masks` is empty.
void ApplyPrivacyMasks(cv::Mat& bgr, const std::vector<core::Polygon>& masks);

}  // namespace argus::record
