// Expected counts from ground-truth tracks (e.g. MOTChallenge gt.txt), computed
// with the very same tripwire and zone logic as the rules, so a real-video run
// of `argus analyze` can be checked against them: feed the gt boxes of each
// track in frame order through Tripwire / Debounced zone membership.
#pragma once

#include <cstdint>
#include <vector>

#include "core/geometry.h"
#include "rules/line_crossing.h"

namespace argus::rules {

struct GtBox {
  int64_t frame = 0;
  int id = 0;
  core::Box box;  // pixels
};

// Crossings of the segment a->b (relative coordinates) by the foot points of
// `rows` (any order), with the rule's band (fraction of the frame diagonal)
// and inertia.
LineCounts CountGtCrossings(const std::vector<GtBox>& rows, core::Point a, core::Point b,
                            double band, int inertia, int width, int height);

// Number of entries into `zone` (relative polygon): a track counts once per
// (debounced) entry, as intrusion per track would open an incident.
int CountGtZoneEntries(const std::vector<GtBox>& rows, const core::Polygon& zone, int inertia,
                       int width, int height);

// Probe lines and zones spread over a frame (relative coordinates), to check
// counts at places nobody tuned for: `lines` tilted segments across the frame
// (alternately about horizontal and about vertical, at positions spread by the
// golden ratio) and `zones` rectangles of a fifth to a third of the frame.
// Deterministic: the same probes every run.
struct CountProbes {
  std::vector<std::pair<core::Point, core::Point>> lines;
  std::vector<core::Polygon> zones;
};
CountProbes GenerateCountProbes(int lines, int zones);

// How far the counts of `counted` tracks are from those of `expected` tracks
// on every probe: the sum over line directions and zones of |counted -
// expected|, next to the expected and counted totals.
struct CountComparison {
  int64_t expected = 0;
  int64_t counted = 0;
  int64_t abs_error = 0;
  double RelativeError() const { return expected > 0 ? double(abs_error) / expected : 0; }
};
CountComparison CompareCounts(const std::vector<GtBox>& expected, const std::vector<GtBox>& counted,
                              const CountProbes& probes, double band, int inertia, int width,
                              int height);

}  // namespace argus::rules
