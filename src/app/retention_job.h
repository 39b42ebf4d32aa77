// The hourly retention run: events and alerts older than their severity's retention
// in the store, and their evidence files on disk. The first run comes
// kFirstRetentionS after start, when the daemon is surely up.
//
// Thread safety: Run from the event loop; SetDays from the daemon's owning thread
// (reload); days() and last() from any thread. mu_ guards days_ and last_.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "events/event.h"
#include "store/store.h"

namespace argus::app {

inline constexpr double kFirstRetentionS = 60;
inline constexpr double kRetentionPeriodS = 3600;

class RetentionJob {
 public:
  struct Run {
    std::optional<core::WallTime> last_run;
    core::WallTime next_run;
    int64_t events_deleted = 0, alerts_deleted = 0, files_deleted = 0;  // last run
  };

  // Failed store deletes are counted in `store_errors`.
  RetentionJob(store::Store& db, std::string evidence_root, core::Clock& clock,
               std::map<events::Severity, int> days, std::atomic<uint64_t>& store_errors);

  // Deletes what expired now.
  void RunNow();
  void SetDays(std::map<events::Severity, int> days);
  std::map<events::Severity, int> days() const;
  Run last() const;

 private:
  store::Store& db_;
  const std::string evidence_root_;
  core::Clock& clock_;
  std::atomic<uint64_t>& store_errors_;
  mutable std::mutex mu_;
  std::map<events::Severity, int> days_;
  Run last_;
};

}  // namespace argus::app
