// Snapshot writing: a JPEG appears complete or not at all (temp file, fsync, rename).
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "core/status.h"

namespace argus::record {

inline constexpr int kDefaultJpegQuality = 90;

// `bgr`: CV_8UC3 (or CV_8UC1 grey). quality 1..100.
core::Status WriteJpeg(const std::string& path, const cv::Mat& bgr,
                       int quality = kDefaultJpegQuality);

}  // namespace argus::record
