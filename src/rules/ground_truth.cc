#include "rules/ground_truth.h"

#include <algorithm>
#include <map>

#include "rules/zone.h"

namespace argus::rules {

namespace {

// Rows grouped by track id, each in frame order.
std::map<int, std::vector<GtBox>> ByTrack(const std::vector<GtBox>& rows) {
  std::map<int, std::vector<GtBox>> tracks;
  for (const GtBox& r : rows) tracks[r.id].push_back(r);
  for (auto& [id, v] : tracks) {
    std::sort(v.begin(), v.end(), [](const GtBox& x, const GtBox& y) { return x.frame < y.frame; });
  }
  return tracks;
}

}  // namespace

LineCounts CountGtCrossings(const std::vector<GtBox>& rows, core::Point a, core::Point b,
                            double band, int inertia, int width, int height) {
  const Tripwire wire({core::ToPixels(a, width, height), core::ToPixels(b, width, height)},
                      band * std::hypot(width, height), inertia);
  LineCounts counts;
  for (const auto& [id, boxes] : ByTrack(rows)) {
    Tripwire::State state;
    for (const GtBox& r : boxes) {
      const int dir = wire.Feed(&state, r.box.BottomCenter());
      if (dir > 0) ++counts.a_to_b;
      if (dir < 0) ++counts.b_to_a;
    }
  }
  return counts;
}

int CountGtZoneEntries(const std::vector<GtBox>& rows, const core::Polygon& zone, int inertia,
                       int width, int height) {
  const core::Polygon px = core::ToPixels(zone, width, height);
  int entries = 0;
  for (const auto& [id, boxes] : ByTrack(rows)) {
    Debounced inside(inertia);
    for (const GtBox& r : boxes) {
      if (inside.Update(core::PointInPolygon(r.box.BottomCenter(), px)) && inside.state()) {
        ++entries;
      }
    }
  }
  return entries;
}

}  // namespace argus::rules
