// Scores one track against what the camera learned: for each reason (place,
// direction, speed, dwell, hour) a score in 0..1 (the share of what was seen
// here that the track differs from) and a sentence a guard can read. A reason is
// scored only where the model has seen enough: cells with fewer than
// min_cell_tracks tracks, or a camera with fewer than min_camera_tracks, score nothing.
// Pure functions: callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "learn/model.h"

namespace argus::learn {

inline constexpr int kDefaultMinScoredVisits = 3;
// A slot must have been watched this long before "nobody comes at this hour" counts.
inline constexpr double kDefaultMinSlotWatchedS = 3 * 3600.0;

enum class Reason { kPlace, kDirection, kSpeed, kDwell, kHour };
const char* ToString(Reason r);  // "place", "direction", "speed", "dwell", "hour"

struct ScoreParams {
  double min_cell_tracks = config::kDefaultLearnMinCellTracks;
  double min_camera_tracks = config::kDefaultLearnMinCameraTracks;
  int min_scored_visits = kDefaultMinScoredVisits;
  double min_slot_watched_s = kDefaultMinSlotWatchedS;
};

struct Verdict {
  Reason reason = Reason::kPlace;
  double score = 0;  // 0..1
  int cell = -1;     // the most telling cell, -1 for hour
  std::string explanation;
};

// Every reason that could be scored for a track made of `visits` (the last one
// may still be open: its dwell so far counts) seen in `slot`.
std::vector<Verdict> ScoreTrack(const ActivityModel& model, const std::vector<Visit>& visits,
                                TimeSlot slot, const ScoreParams& params);
// The highest-scoring verdict, if any.
std::optional<Verdict> Worst(const std::vector<Verdict>& verdicts);

// 1240 -> "1,240"
std::string WithThousands(double count);

}  // namespace argus::learn
