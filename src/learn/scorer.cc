#include "learn/scorer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace argus::learn {

namespace {

// "Much faster" / "much longer" mean more than this many times what was seen.
constexpr double kSpeedFactor = 2.0;
constexpr double kDwellFactor = 2.0;
// Stays shorter than this are never unusual (people pause, look, wait).
constexpr double kMinScoredDwellS = 10.0;
// Pseudo-tracks that behave like the scored one, added to every cell: a score
// near 1 needs many tracks of evidence (3 of 3 tracks is not 99 of 100).
constexpr double kPriorTracks = 2.0;
// A cell crossed by this share of the camera's tracks is a usual place.
constexpr double kUsualPlaceShare = 0.02;
// An hour with this share of the camera's average rate is a usual hour.
constexpr double kUsualHourShare = 0.05;

template <size_t N>
double MassBelow(const std::array<double, N>& hist, double x, double (*bin_low)(int),
                 int (*bin_of)(double)) {
  const int b = bin_of(x);
  double mass = 0;
  for (int i = 0; i < b; ++i) mass += hist[i];
  // Within the bin, log-linear interpolation (the last bin is open: half of it).
  const double lo = bin_low(b);
  double frac = 0.5;
  if (b + 1 < static_cast<int>(N)) {
    const double hi = bin_low(b + 1);
    frac = lo > 0 ? std::log2(x / lo) / std::log2(hi / lo) : x / hi;
  }
  return mass + hist[b] * std::clamp(frac, 0.0, 1.0);
}

std::string Percent(double share) {
  char buf[16];
  const double p = share * 100;
  std::snprintf(buf, sizeof buf, p < 1 && p > 0 ? "%.1f%%" : "%.0f%%", p);
  return buf;
}

// The stats a visit is judged on: its own slot when that has seen enough, else
// every slot together; nullptr when neither has.
const CellStats* Pick(const ActivityModel& m, int cell, TimeSlot slot, double min_tracks,
                      std::string* where) {
  const CellStats& own = m.Cell(cell, slot.Index());
  if (own.tracks >= min_tracks) {
    *where = "on " + slot.Describe();
    return &own;
  }
  const CellStats& all = m.Cell(cell, kAllSlots);
  if (all.tracks >= min_tracks) {
    *where = "at all hours";
    return &all;
  }
  return nullptr;
}

struct Mean {
  double sum = 0, count_sum = 0;
  int n = 0;
  int best_cell = -1;
  double best = -1;
  std::string where;
  void Add(double s, double count, int cell, const std::string& w) {
    sum += s;
    count_sum += count;
    ++n;
    if (s > best) {
      best = s;
      best_cell = cell;
      where = w;
    }
  }
};

}  // namespace

const char* ToString(Reason r) {
  switch (r) {
    case Reason::kPlace:
      return "place";
    case Reason::kDirection:
      return "direction";
    case Reason::kSpeed:
      return "speed";
    case Reason::kDwell:
      return "dwell";
    case Reason::kHour:
      return "hour";
  }
  return "?";
}

std::string WithThousands(double count) {
  std::string digits = std::to_string(static_cast<long long>(std::llround(count)));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::vector<Verdict> ScoreTrack(const ActivityModel& model, const std::vector<Visit>& visits,
                                TimeSlot slot, const ScoreParams& p) {
  std::vector<Verdict> out;
  const double total = model.total_tracks();
  const bool camera_knows = total >= p.min_camera_tracks;

  Mean place, direction, speed;
  std::vector<double> against;  // share of the cell's tracks moving otherwise, per visit
  Verdict dwell{Reason::kDwell, 0, -1, ""};
  bool dwell_scored = false;
  for (const Visit& v : visits) {
    if (camera_knows) {
      // The cell and its neighbours: a step beside the usual path is not a new place.
      const GridSize& g = model.grid();
      const int col = v.cell % g.cols, row = v.cell / g.cols;
      double near = 0;
      for (int r = std::max(0, row - 1); r <= std::min(g.rows - 1, row + 1); ++r) {
        for (int c = std::max(0, col - 1); c <= std::min(g.cols - 1, col + 1); ++c) {
          near = std::max(near, model.Cell(r * g.cols + c, kAllSlots).tracks);
        }
      }
      const double share = near / total;
      place.Add(1 - std::min(1.0, share / kUsualPlaceShare), share, v.cell, "");
    }
    std::string where;
    const CellStats* c = Pick(model, v.cell, slot, p.min_cell_tracks, &where);
    if (c == nullptr) continue;
    if (v.direction >= 0 && c->Moving() >= p.min_cell_tracks) {
      // Judged against the cell's main direction, not against all: where people
      // cross every way (a square), no way is unusual.
      auto cone = [&](int b) {
        return c->direction[b] + c->direction[(b + 1) % kDirectionBins] +
               c->direction[(b + kDirectionBins - 1) % kDirectionBins];
      };
      double main = 0;
      for (int b = 0; b < kDirectionBins; ++b) main = std::max(main, cone(b));
      const double with = cone(v.direction);
      direction.Add(1 - (with + kPriorTracks) / (main + kPriorTracks), c->Moving(), v.cell, where);
      against.push_back(1 - with / c->Moving());
    }
    if (v.direction >= 0 && c->SpeedSamples() >= p.min_cell_tracks) {
      const double slower = MassBelow(c->speed, v.speed / kSpeedFactor, SpeedBinLow, SpeedBin);
      speed.Add(slower / (c->SpeedSamples() + kPriorTracks), c->SpeedSamples(), v.cell, where);
    }
    if (c->DwellSamples() >= p.min_cell_tracks) {
      dwell_scored = true;
      if (v.dwell() < kMinScoredDwellS) continue;
      const double shorter = MassBelow(c->dwell, v.dwell() / kDwellFactor, DwellBinLow, DwellBin);
      const double s = shorter / (c->DwellSamples() + kPriorTracks);
      if (s > dwell.score) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "stayed %.0f s in one place, more than twice as long as %s of the %s "
                      "tracks seen there %s",
                      v.dwell(), Percent(s).c_str(), WithThousands(c->tracks).c_str(),
                      where.c_str());
        dwell = {Reason::kDwell, s, v.cell, buf};
      }
    }
  }
  auto emit = [&](Reason r, const Mean& m, const std::string& text) {
    if (m.n < p.min_scored_visits) return;
    out.push_back({r, m.sum / m.n, m.best_cell, text});
  };
  if (place.n > 0) {
    emit(Reason::kPlace, place,
         "in places (or next to places) crossed by " + Percent(place.count_sum / place.n) +
             " of the " + WithThousands(total) + " tracks this camera has seen");
  }
  if (direction.n > 0) {
    emit(Reason::kDirection, direction,
         "moving against " +
             Percent(std::accumulate(against.begin(), against.end(), 0.0) / against.size()) +
             " of the " + WithThousands(direction.count_sum / direction.n) + " tracks seen here " +
             direction.where);
  }
  if (speed.n > 0) {
    emit(Reason::kSpeed, speed,
         "faster than twice the speed of " + Percent(speed.sum / speed.n) + " of the " +
             WithThousands(speed.count_sum / speed.n) + " tracks seen here " + speed.where);
  }
  if (dwell_scored) out.push_back(dwell);

  const SlotStats& s = model.Slot(slot.Index());
  if (camera_knows && s.watched_s >= p.min_slot_watched_s && model.total_watched_s() > 0) {
    const double rate = total / model.total_watched_s() * 3600;  // tracks per hour
    const double expected = rate * s.watched_s / 3600;
    const double score = 1 - std::min(1.0, s.tracks / (kUsualHourShare * expected));
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "activity on %s, when %s tracks were seen in %.0f h watched (%.1f per hour "
                  "over all hours)",
                  slot.Describe().c_str(), WithThousands(s.tracks).c_str(), s.watched_s / 3600,
                  rate);
    out.push_back({Reason::kHour, score, -1, buf});
  }
  return out;
}

std::optional<Verdict> Worst(const std::vector<Verdict>& verdicts) {
  std::optional<Verdict> best;
  for (const Verdict& v : verdicts) {
    if (!best || v.score > best->score) best = v;
  }
  return best;
}

}  // namespace argus::learn
