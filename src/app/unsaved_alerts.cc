#include "app/unsaved_alerts.h"

#include <spdlog/spdlog.h>

namespace argus::app {

core::Status UnsavedAlerts::Save(store::Store& db, const events::Alert& a) {
  // Written under the lock: a retry must never overwrite a newer state with an older one.
  std::lock_guard lock(mu_);
  core::Status st = db.UpsertAlert(a);
  // Fenced out: the camera's lease moved to another node, which owns its alerts now.
  if (st.ok() || store::IsFencedOut(st)) {
    pending_.erase(a.id);
    if (pending_.empty()) last_error_.clear();
    return st;
  }
  if (!pending_.count(a.id) && pending_.size() >= kMaxUnsavedAlerts) {
    spdlog::error("store: giving up alert {}: {} alerts are waiting for the store already",
                  pending_.begin()->first, pending_.size());
    pending_.erase(pending_.begin());
  }
  pending_[a.id] = a;
  last_error_ = st.message();
  return st;
}

size_t UnsavedAlerts::Retry(store::Store& db) {
  std::lock_guard lock(mu_);
  size_t saved = 0;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (core::Status st = db.UpsertAlert(it->second); !st.ok() && !store::IsFencedOut(st)) {
      last_error_ = st.message();
      break;
    }
    it = pending_.erase(it);
    ++saved;
  }
  if (pending_.empty()) last_error_.clear();
  if (saved) {
    spdlog::info("store: {} alerts saved on retry, {} still waiting", saved, pending_.size());
  }
  return pending_.size();
}

size_t UnsavedAlerts::size() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

std::string UnsavedAlerts::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::vector<std::string> HealthProblems(const UnsavedAlerts& unsaved, record::DiskGuard& disk,
                                        bool evidence_enabled) {
  std::vector<std::string> out;
  if (const size_t n = unsaved.size(); n > 0) {
    out.push_back("store: " + std::to_string(n) + " alerts not saved yet (" + unsaved.last_error() +
                  "); retrying");
  }
  if (evidence_enabled) {
    const record::DiskStatus d = disk.Check();
    if (!d.recording) out.push_back("evidence: " + d.reason);
  }
  return out;
}

}  // namespace argus::app
