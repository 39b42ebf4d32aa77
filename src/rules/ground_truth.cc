#include "rules/ground_truth.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

CountProbes GenerateCountProbes(int lines, int zones) {
  constexpr double kGolden = 0.6180339887498949;
  CountProbes probes;
  for (int i = 0; i < lines; ++i) {
    const double u = 0.15 + 0.7 * std::fmod(0.5 + i * kGolden, 1.0);  // position across
    const double tilt = 0.1 * std::fmod(0.3 + i * kGolden * 2, 1.0) - 0.05;
    if (i % 2 == 0) {
      probes.lines.push_back({{0.02, u - tilt}, {0.98, u + tilt}});
    } else {
      probes.lines.push_back({{u - tilt, 0.02}, {u + tilt, 0.98}});
    }
  }
  for (int i = 0; i < zones; ++i) {
    const double w = 0.2 + 0.13 * std::fmod(0.2 + i * kGolden, 1.0);
    const double h = 0.2 + 0.13 * std::fmod(0.7 + i * kGolden, 1.0);
    const double x = (1 - w) * std::fmod(0.1 + i * kGolden * 3, 1.0);
    const double y = (1 - h) * std::fmod(0.4 + i * kGolden * 5, 1.0);
    probes.zones.push_back({{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}});
  }
  return probes;
}

CountComparison CompareCounts(const std::vector<GtBox>& expected, const std::vector<GtBox>& counted,
                              const CountProbes& probes, double band, int inertia, int width,
                              int height) {
  CountComparison c;
  auto add = [&c](int64_t want, int64_t got) {
    c.expected += want;
    c.counted += got;
    c.abs_error += std::abs(got - want);
  };
  for (const auto& [a, b] : probes.lines) {
    const LineCounts want = CountGtCrossings(expected, a, b, band, inertia, width, height);
    const LineCounts got = CountGtCrossings(counted, a, b, band, inertia, width, height);
    add(want.a_to_b, got.a_to_b);
    add(want.b_to_a, got.b_to_a);
  }
  for (const core::Polygon& zone : probes.zones) {
    add(CountGtZoneEntries(expected, zone, inertia, width, height),
        CountGtZoneEntries(counted, zone, inertia, width, height));
  }
  return c;
}

}  // namespace argus::rules
