// Zone occupancy over time: the latest count of each zone written to the store as a
// reading of its virtual sensor (api::ZoneSensorName), at most every kZoneHistoryMinPeriodS
// per zone, since counts flicker as tracks cross a border.
//
// Thread safety: none needed; owned by the event loop (Stop's thread after it ended).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/clock.h"
#include "store/store.h"

namespace argus::app {

inline constexpr double kZoneHistoryMinPeriodS = 2;

class ZoneHistory {
 public:
  // Failed writes are counted in `store_errors`.
  ZoneHistory(store::Store& db, core::Clock& clock, std::atomic<uint64_t>& store_errors)
      : db_(db), clock_(clock), store_errors_(store_errors) {}

  // A zone's count changed; written now unless the zone was written recently.
  void Record(const std::string& camera, const std::string& zone, int count);
  // Writes the counts that changed since they were last written, except (unless `all`,
  // at exit) the zones written less than kZoneHistoryMinPeriodS ago.
  void Flush(bool all);

 private:
  struct Sample {
    int count = 0;
    double written_s = -1e9;
    bool pending = false;
  };
  store::Store& db_;
  core::Clock& clock_;
  std::atomic<uint64_t>& store_errors_;
  std::map<std::pair<std::string, std::string>, Sample> samples_;  // by (camera, zone)
};

}  // namespace argus::app
