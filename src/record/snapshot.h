// Alert snapshots: the frame that raised an alert with what makes it checkable drawn on
// it (the alert's box and a legible label, the rule's zone or tripwire line, the track's
// recent path), as a JPEG that appears complete or not at all (WriteJpeg).
// Thread safety: free functions; `bgr` is not modified by WriteSnapshot.
#pragma once

#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"
#include "record/jpeg.h"

namespace argus::record {

// BGR colours. Red: the colour operators expect for an alert.
inline const cv::Scalar kSnapshotBoxColor(0, 0, 255);
inline const cv::Scalar kSnapshotZoneColor(255, 200, 0);  // as the live view draws zones
inline const cv::Scalar kSnapshotLineColor(0, 255, 255);  // and lines
inline const cv::Scalar kSnapshotPathColor(0, 165, 255);  // orange: where the person came from

// What a snapshot shows over the picture, in pixels of the frame.
struct SnapshotOverlay {
  core::Box box;  // the alert's; w <= 0: none
  std::string label;
  core::Polygon zone;  // the rule's zone; empty: none
  std::string zone_name;
  std::optional<std::pair<core::Point, core::Point>> line;  // the rule's tripwire, a -> b
  std::string line_name;
  std::vector<core::Point> path;  // the track's foot points, oldest first
};

// Draws `o` in place; labels are placed where they stay inside the picture and do not
// cover one another (the alert's label first, beside its box). Returns the labels' boxes.
std::vector<core::Box> DrawEvidence(cv::Mat& bgr, const SnapshotOverlay& o);

// Draws `o` on a copy of `bgr` (CV_8UC3), then writes it as a JPEG.
core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const SnapshotOverlay& o,
                           int quality = kDefaultJpegQuality);
// The box and label alone: above the box (below when the box touches the top). An empty
// `label` draws the box only; a box entirely outside the frame draws nothing.
core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const core::Box& box,
                           const std::string& label, int quality = kDefaultJpegQuality);
void DrawAlertBox(cv::Mat& bgr, const core::Box& box, const std::string& label);

}  // namespace argus::record
