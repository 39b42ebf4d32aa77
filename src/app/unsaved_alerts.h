// Alerts the store refused (disk full, database down), kept in memory and written again
// until the store takes them: an alert raised is never only a line in the log. Only the
// newest state of each alert is kept; a later successful write of the same alert makes
// an older unsaved copy moot.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "events/alert.h"
#include "record/evidence_store.h"
#include "store/store.h"

namespace argus::app {

// Beyond this many unsaved alerts the oldest is given up (and logged): memory is bounded
// even when the store never comes back.
inline constexpr size_t kMaxUnsavedAlerts = 100000;

class UnsavedAlerts {
 public:
  // Writes `a`; when the store refuses, keeps it for Retry() and returns the error.
  core::Status Save(store::Store& db, const events::Alert& a);
  // Writes the kept alerts, lowest id first, until the store refuses one. Returns how
  // many are still unsaved.
  size_t Retry(store::Store& db);
  size_t size() const;
  // Why the last write failed; empty once everything is saved.
  std::string last_error() const;

 private:
  mutable std::mutex mu_;
  std::map<int64_t, events::Alert> pending_;  // by alert id
  std::string last_error_;
};

// What /healthz and /metrics report as degraded: alerts waiting for the store, and
// evidence not recorded for lack of disk (when evidence is on). Empty when healthy.
std::vector<std::string> HealthProblems(const UnsavedAlerts& unsaved, record::DiskGuard& disk,
                                        bool evidence_enabled);

}  // namespace argus::app
