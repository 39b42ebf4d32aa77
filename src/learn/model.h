// What a camera has learned about normal activity: per cell of an image grid and
// per time-of-week slot (hour x weekday/weekend), how many tracks passed, which
// way they moved, how fast and how long they stayed; per slot, how long the
// camera watched and how many tracks it saw. Counts decay exponentially with a
// half-life in days, so a rearranged gallery becomes the new normal.
// Pure: no OpenCV, no clock of its own (times are passed in).
// Thread safety: one thread per instance (copies are independent).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"

namespace argus::learn {

inline constexpr int kDirectionBins = 8;  // 45 degrees each, bin 0 = +x (image right)
inline constexpr int kSpeedBins = 12;     // log2 bins of box heights per second
inline constexpr int kDwellBins = 12;     // log2 bins of seconds spent in a cell
inline constexpr int kHours = 24;
inline constexpr int kSlots = kHours * 2;  // hour x {weekday, weekend}
inline constexpr int kAllSlots = kSlots;   // index of the aggregate over every slot
inline constexpr int kDefaultGridCols = config::kDefaultLearnGridCols;
inline constexpr int kDefaultGridRows = config::kDefaultLearnGridRows;
inline constexpr double kDefaultHalfLifeDays = config::kDefaultLearnHalfLifeDays;
// Decay is applied in steps of at most this long (cheap, and exact: factors multiply).
inline constexpr double kDecayStepSeconds = 3600;

// Lower edge of speed bin i is kSpeedBase * 2^(i-1) (bin 0 starts at 0).
inline constexpr double kSpeedBase = 1.0 / 32;
// Lower edge of dwell bin i is kDwellBase * 2^(i-1) seconds (bin 0 starts at 0).
inline constexpr double kDwellBase = 0.25;

int SpeedBin(double heights_per_s);
int DwellBin(double seconds);
double SpeedBinLow(int bin);
double DwellBinLow(int bin);

// Local time of week, coarse: what "usual at this hour" means.
struct TimeSlot {
  int hour = 0;  // 0..23 local
  bool weekend = false;
  int Index() const { return (weekend ? kHours : 0) + hour; }
  static TimeSlot FromIndex(int i) { return {i % kHours, i >= kHours}; }
  // "weekdays 14-15h"
  std::string Describe() const;
};

// One track's passage through one cell.
struct Visit {
  int cell = 0;
  double enter_t = 0;  // stream seconds
  double exit_t = 0;
  int direction = -1;  // bin of the mean motion in the cell; -1: not moving
  double speed = 0;    // box heights per second, mean in the cell
  double dwell() const { return exit_t - enter_t; }
};

struct CellStats {
  double tracks = 0;  // tracks that entered the cell (each once)
  std::array<double, kDirectionBins> direction{};
  std::array<double, kSpeedBins> speed{};
  std::array<double, kDwellBins> dwell{};
  double Moving() const;
  double SpeedSamples() const;
  double DwellSamples() const;
};

struct SlotStats {
  double tracks = 0;
  double watched_s = 0;  // seconds of analysed video in this slot
};

struct GridSize {
  int cols = kDefaultGridCols;
  int rows = kDefaultGridRows;
};

class ActivityModel {
 public:
  explicit ActivityModel(GridSize grid = {}, double half_life_days = kDefaultHalfLifeDays);

  // Cell of a point given relative to the frame (0..1); clamped to the grid.
  int CellAt(double rel_x, double rel_y) const;
  const GridSize& grid() const { return grid_; }
  int cells() const { return grid_.cols * grid_.rows; }

  // Learns one finished track: every visit feeds its cell's direction, speed
  // and dwell in `slot` and in the aggregate; each cell counts the track once.
  void AddTrack(const std::vector<Visit>& visits, TimeSlot slot);
  void AddWatched(TimeSlot slot, double seconds);
  // Forgets: multiplies every count by 0.5^(elapsed / half-life) since the last
  // decay, in steps of kDecayStepSeconds. The first call only sets the origin.
  void DecayTo(core::WallTime now);
  void set_half_life_days(double d) { half_life_days_ = d; }
  double half_life_days() const { return half_life_days_; }

  // `slot` in 0..kSlots-1, or kAllSlots for the aggregate.
  const CellStats& Cell(int cell, int slot) const { return cells_[cell * (kSlots + 1) + slot]; }
  const SlotStats& Slot(int slot) const { return slots_[slot]; }
  double total_tracks() const { return slots_[kAllSlots].tracks; }
  double total_watched_s() const { return slots_[kAllSlots].watched_s; }

  // A compact text form (only cells with data), and back. Parse rejects anything
  // malformed with a message naming the line.
  std::string Serialize() const;
  static core::Result<ActivityModel> Parse(const std::string& text);

 private:
  CellStats& MutableCell(int cell, int slot) { return cells_[cell * (kSlots + 1) + slot]; }
  void Scale(double f);

  GridSize grid_;
  double half_life_days_;
  bool decay_origin_set_ = false;
  core::WallTime decayed_to_{};
  std::vector<CellStats> cells_;  // cells x (kSlots + 1)
  std::array<SlotStats, kSlots + 1> slots_{};
};

}  // namespace argus::learn
