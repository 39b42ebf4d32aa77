// Alert snapshots: the frame that raised an alert, with the alert's box and label drawn on
// it, as a JPEG that appears complete or not at all (WriteJpeg).
// Thread safety: a free function; `bgr` is not modified.
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "core/geometry.h"
#include "core/status.h"
#include "record/jpeg.h"

namespace argus::record {

// Red in BGR: the colour operators expect for an alert.
inline const cv::Scalar kSnapshotBoxColor(0, 0, 255);

// Draws `box` (pixels of `bgr`, clipped to it) and `label` above it (below when the box
// touches the top) on a copy of `bgr` (CV_8UC3), then writes it as a JPEG. An empty
// `label` draws the box only; a box entirely outside the frame draws nothing.
core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const core::Box& box,
                           const std::string& label, int quality = kDefaultJpegQuality);

// The annotation alone, drawn in place (the dashboard's live view uses the same look).
void DrawAlertBox(cv::Mat& bgr, const core::Box& box, const std::string& label);

}  // namespace argus::record
