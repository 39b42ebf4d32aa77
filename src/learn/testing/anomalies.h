// Test-only generators of unusual tracks built from real ones (bench and unit
// tests): reversed, sped up, stopped where nobody stops, moved onto a path
// nobody takes. A track is its samples in time order.
#pragma once

#include <algorithm>
#include <limits>
#include <vector>

#include "learn/learner.h"
#include "learn/model.h"

namespace argus::learn::testing {

using Samples = std::vector<TrackSample>;

// The same path walked backwards over the same times.
inline Samples Reversed(const Samples& s) {
  Samples out = s;
  for (size_t i = 0; i < s.size(); ++i) out[i].box = s[s.size() - 1 - i].box;
  return out;
}

// The same path `factor` times faster: every factor-th sample, time compressed.
inline Samples SpedUp(const Samples& s, int factor) {
  Samples out;
  if (s.empty()) return out;
  for (size_t i = 0; i < s.size(); i += factor) {
    TrackSample x = s[i];
    x.t = s[0].t + (s[i].t - s[0].t) / factor;
    out.push_back(x);
  }
  return out;
}

// Dwell mass of stays of 4 s or more in `cell` (every slot together), per track.
inline double LongStayShare(const ActivityModel& m, int cell) {
  const CellStats& c = m.Cell(cell, kAllSlots);
  double long_stays = 0;
  for (int b = DwellBin(4.0); b < kDwellBins; ++b) long_stays += c.dwell[b];
  return c.tracks > 0 ? long_stays / c.tracks : std::numeric_limits<double>::infinity();
}

// Stops for `seconds` (samples every `dt`) at the point of the path whose cell
// the model knows best as a place nobody stays; the rest of the track follows later.
inline Samples Stopped(const Samples& s, const ActivityModel& m, int width, int height,
                       double seconds, double dt) {
  if (s.empty()) return s;
  size_t at = s.size() / 2;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < s.size(); ++i) {
    const core::Point f = s[i].box.BottomCenter();
    const double share = LongStayShare(m, m.CellAt(f.x / width, f.y / height));
    // Among equally quiet cells prefer the busiest (the model knows it best).
    const double key = share - 1e-6 * m.Cell(m.CellAt(f.x / width, f.y / height), kAllSlots).tracks;
    if (key < best) {
      best = key;
      at = i;
    }
  }
  Samples out(s.begin(), s.begin() + at + 1);
  for (double t = dt; t <= seconds; t += dt) {
    TrackSample x = s[at];
    x.t = s[at].t + t;
    out.push_back(x);
  }
  for (size_t i = at + 1; i < s.size(); ++i) {
    TrackSample x = s[i];
    x.t += seconds;
    out.push_back(x);
  }
  return out;
}

// The same walk shifted to where the model saw the fewest tracks, staying in the frame.
inline Samples MovedToEmptyPath(const Samples& s, const ActivityModel& m, int width, int height) {
  if (s.empty()) return s;
  double min_x = 1e18, max_x = -1e18, min_y = 1e18, max_y = -1e18;
  for (const TrackSample& x : s) {
    const core::Point f = x.box.BottomCenter();
    min_x = std::min(min_x, f.x), max_x = std::max(max_x, f.x);
    min_y = std::min(min_y, f.y), max_y = std::max(max_y, f.y);
  }
  constexpr int kSteps = 24;
  double best = std::numeric_limits<double>::infinity(), bx = 0, by = 0;
  for (int i = 0; i <= kSteps; ++i) {
    for (int j = 0; j <= kSteps; ++j) {
      const double dx = -min_x + (width - (max_x - min_x)) * i / kSteps;
      const double dy = -min_y + (height - (max_y - min_y)) * j / kSteps;
      double seen = 0;
      for (const TrackSample& x : s) {
        const core::Point f = x.box.BottomCenter();
        seen += m.Cell(m.CellAt((f.x + dx) / width, (f.y + dy) / height), kAllSlots).tracks;
      }
      if (seen < best) best = seen, bx = dx, by = dy;
    }
  }
  Samples out = s;
  for (TrackSample& x : out) {
    x.box.x += bx;
    x.box.y += by;
  }
  return out;
}

}  // namespace argus::learn::testing
