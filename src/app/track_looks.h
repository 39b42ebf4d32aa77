// The adapter edge of appearance re-linking: reads each tracked person's crop
// from the frame (after privacy masks) into a descriptor (track/appearance.h).
// Only crops the gate passes count: not cut by the frame, not covered by
// another track's box. The pixels are read in place; nothing is copied or kept.
#pragma once

#include <opencv2/core.hpp>
#include <optional>
#include <vector>

#include "track/appearance.h"
#include "track/track.h"

namespace argus::app {

// looks[i] describes tracks[i] (nullopt: unusable crop). `active`: every track
// the tracker holds, whose boxes may cover others.
std::vector<std::optional<track::Appearance>> DescribeTracks(
    const cv::Mat& bgr, const std::vector<track::Track>& tracks,
    const std::vector<track::Track>& active);

}  // namespace argus::app
