// SORT (Bewley et al., ICIP 2016), the published algorithm, as a baseline for
// side-by-side comparison with ByteTrack. Frame-based like the original: one
// Update call is one frame, whatever the stream time.
#pragma once

#include <memory>

#include "track/track.h"

namespace argus::track {

struct SortParams {
  static constexpr int kDefaultMaxAgeFrames = 1;
  static constexpr int kDefaultMinHits = 3;
  static constexpr double kDefaultIouThreshold = 0.3;
  static constexpr size_t kDefaultHistoryLength = 64;

  int max_age_frames = kDefaultMaxAgeFrames;
  int min_hits = kDefaultMinHits;
  double iou_threshold = kDefaultIouThreshold;
  size_t history_length = kDefaultHistoryLength;
};

std::unique_ptr<Tracker> MakeSortTracker(const SortParams& params = {});

}  // namespace argus::track
