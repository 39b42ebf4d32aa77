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

}  // namespace argus::rules
