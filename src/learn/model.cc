#include "learn/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

namespace argus::learn {

namespace {

constexpr const char* kMagic = "argus-learn-model 1";
// Cells whose track count decayed below this are dropped when serialising.
constexpr double kNegligible = 1e-3;
constexpr int kMaxGridSide = 256;

int LogBin(double v, double base, int bins) {
  if (!(v >= base)) return 0;
  const int b = 1 + static_cast<int>(std::floor(std::log2(v / base)));
  return std::clamp(b, 0, bins - 1);
}

template <size_t N>
double Sum(const std::array<double, N>& a) {
  return std::accumulate(a.begin(), a.end(), 0.0);
}

void AppendNumber(std::string* out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, " %.6g", v);
  out->append(v == 0 ? " 0" : buf);
}

}  // namespace

int SpeedBin(double v) { return LogBin(v, kSpeedBase, kSpeedBins); }
int DwellBin(double s) { return LogBin(s, kDwellBase, kDwellBins); }
double SpeedBinLow(int bin) { return bin == 0 ? 0 : kSpeedBase * std::ldexp(1.0, bin - 1); }
double DwellBinLow(int bin) { return bin == 0 ? 0 : kDwellBase * std::ldexp(1.0, bin - 1); }

std::string TimeSlot::Describe() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s %02d-%02dh", weekend ? "weekends" : "weekdays", hour,
                hour + 1);
  return buf;
}

double CellStats::Moving() const { return Sum(direction); }
double CellStats::SpeedSamples() const { return Sum(speed); }
double CellStats::DwellSamples() const { return Sum(dwell); }

ActivityModel::ActivityModel(GridSize grid, double half_life_days)
    : grid_(grid),
      half_life_days_(half_life_days),
      cells_(static_cast<size_t>(grid.cols) * grid.rows * (kSlots + 1)) {}

int ActivityModel::CellAt(double rel_x, double rel_y) const {
  const int c = std::clamp(static_cast<int>(std::floor(rel_x * grid_.cols)), 0, grid_.cols - 1);
  const int r = std::clamp(static_cast<int>(std::floor(rel_y * grid_.rows)), 0, grid_.rows - 1);
  return r * grid_.cols + c;
}

void ActivityModel::AddTrack(const std::vector<Visit>& visits, TimeSlot slot) {
  if (visits.empty()) return;
  std::vector<bool> counted(cells(), false);
  for (const Visit& v : visits) {
    for (int s : {slot.Index(), kAllSlots}) {
      CellStats& c = MutableCell(v.cell, s);
      if (!counted[v.cell]) c.tracks += 1;
      if (v.direction >= 0) {
        c.direction[v.direction] += 1;
        c.speed[SpeedBin(v.speed)] += 1;
      }
      c.dwell[DwellBin(v.dwell())] += 1;
    }
    counted[v.cell] = true;
  }
  slots_[slot.Index()].tracks += 1;
  slots_[kAllSlots].tracks += 1;
}

void ActivityModel::AddWatched(TimeSlot slot, double seconds) {
  slots_[slot.Index()].watched_s += seconds;
  slots_[kAllSlots].watched_s += seconds;
}

void ActivityModel::Scale(double f) {
  for (CellStats& c : cells_) {
    c.tracks *= f;
    for (double& x : c.direction) x *= f;
    for (double& x : c.speed) x *= f;
    for (double& x : c.dwell) x *= f;
  }
  for (SlotStats& s : slots_) {
    s.tracks *= f;
    s.watched_s *= f;
  }
}

void ActivityModel::DecayTo(core::WallTime now) {
  if (!decay_origin_set_) {
    decay_origin_set_ = true;
    decayed_to_ = now;
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - decayed_to_).count();
  if (elapsed < kDecayStepSeconds) return;  // also ignores a clock that went back
  const double half_life_s = half_life_days_ * 86400;
  Scale(std::exp2(-elapsed / half_life_s));
  decayed_to_ = now;
}

std::string ActivityModel::Serialize() const {
  std::string out = kMagic;
  out += "\ngrid " + std::to_string(grid_.cols) + " " + std::to_string(grid_.rows);
  out += "\nhalf_life_days";
  AppendNumber(&out, half_life_days_);
  const int64_t ms =
      decay_origin_set_
          ? std::chrono::duration_cast<std::chrono::milliseconds>(decayed_to_.time_since_epoch())
                .count()
          : -1;
  out += "\ndecayed_ms " + std::to_string(ms);
  for (int s = 0; s <= kSlots; ++s) {
    if (slots_[s].tracks < kNegligible && slots_[s].watched_s < kNegligible) continue;
    out += "\ns " + std::to_string(s);
    AppendNumber(&out, slots_[s].tracks);
    AppendNumber(&out, slots_[s].watched_s);
  }
  for (int cell = 0; cell < cells(); ++cell) {
    for (int s = 0; s <= kSlots; ++s) {
      const CellStats& c = Cell(cell, s);
      if (c.tracks < kNegligible) continue;
      out += "\nc " + std::to_string(cell) + " " + std::to_string(s);
      AppendNumber(&out, c.tracks);
      for (double x : c.direction) AppendNumber(&out, x);
      for (double x : c.speed) AppendNumber(&out, x);
      for (double x : c.dwell) AppendNumber(&out, x);
    }
  }
  out += "\n";
  return out;
}

core::Result<ActivityModel> ActivityModel::Parse(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto bad = [&](const std::string& why) {
    return core::InvalidArgument("learned model line " + std::to_string(n) + ": " + why);
  };
  ++n;
  if (!std::getline(in, line) || line != kMagic)
    return bad("expected '" + std::string(kMagic) + "'");
  GridSize grid{0, 0};
  double half_life = 0;
  int64_t decayed_ms = -1;
  std::vector<std::string> header = {"grid", "half_life_days", "decayed_ms"};
  for (const std::string& key : header) {
    ++n;
    if (!std::getline(in, line)) return bad("missing " + key);
    std::istringstream ls(line);
    std::string k;
    ls >> k;
    bool ok = k == key;
    if (key == "grid") ok = ok && (ls >> grid.cols >> grid.rows);
    if (key == "half_life_days") ok = ok && (ls >> half_life);
    if (key == "decayed_ms") ok = ok && (ls >> decayed_ms);
    if (!ok || !(ls >> std::ws).eof()) return bad("expected '" + key + " ...'");
    if (key == "grid" &&
        (grid.cols < 1 || grid.rows < 1 || grid.cols > kMaxGridSide || grid.rows > kMaxGridSide)) {
      return bad("grid out of range");
    }
    if (key == "half_life_days" && !(half_life > 0)) return bad("half_life_days must be > 0");
  }
  ActivityModel m(grid, half_life);
  if (decayed_ms >= 0) {
    m.decay_origin_set_ = true;
    m.decayed_to_ = core::WallTime(std::chrono::milliseconds(decayed_ms));
  }
  auto finite = [](double v) { return std::isfinite(v) && v >= 0; };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    if (kind == "s") {
      int s = -1;
      SlotStats st;
      if (!(ls >> s >> st.tracks >> st.watched_s) || s < 0 || s > kSlots || !finite(st.tracks) ||
          !finite(st.watched_s)) {
        return bad("malformed slot");
      }
      m.slots_[s] = st;
    } else if (kind == "c") {
      int cell = -1, s = -1;
      if (!(ls >> cell >> s) || cell < 0 || cell >= m.cells() || s < 0 || s > kSlots) {
        return bad("malformed cell index");
      }
      CellStats& c = m.MutableCell(cell, s);
      bool ok = static_cast<bool>(ls >> c.tracks) && finite(c.tracks);
      for (double& x : c.direction) ok = ok && (ls >> x) && finite(x);
      for (double& x : c.speed) ok = ok && (ls >> x) && finite(x);
      for (double& x : c.dwell) ok = ok && (ls >> x) && finite(x);
      if (!ok) return bad("malformed cell");
    } else {
      return bad("unknown record '" + kind + "'");
    }
    if (!(ls >> std::ws).eof()) return bad("trailing fields");
  }
  return m;
}

}  // namespace argus::learn
