// The alert service: incidents grouped into alerts (events::AlertManager), escalation,
// operator actions, every change written to the store (kept and retried when the store
// refuses: UnsavedAlerts) and then delivered (Delivery). Alerts open and acknowledged
// survive a restart: Create reads them back and puts right what a kill -9 left.
//
// Thread safety: every method from any thread; OnEvent and Escalate come from the
// event loop, Acknowledge and Resolve from HTTP threads. mu_ guards the manager and
// orders a change's store write and its delivery: subscribers see changes in the order
// they happened.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/delivery.h"
#include "app/unsaved_alerts.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "store/store.h"

namespace argus::app {

// How far back RecoverIncidents looks: a kill is followed by a restart or a take-over
// within seconds (systemd, the lease), so this is ample and keeps the query small.
inline constexpr double kRecoverWindowS = 600;

class AlertService {
 public:
  // The alert policy of `cfg`, the store's open and acknowledged alerts restored (their
  // running incidents closed, unfinished evidence under `evidence_root` removed).
  // Failed store writes are counted in `store_errors`.
  static core::Result<std::unique_ptr<AlertService>> Create(const config::Config& cfg,
                                                            store::Store& db, Delivery& delivery,
                                                            core::Clock& clock,
                                                            const std::string& evidence_root,
                                                            std::atomic<uint64_t>& store_errors);

  // One event of an incident. `on_evidence` runs (under the lock) when the event opened an
  // alert (incident 0) or merged a new incident into one (its index, for the first
  // kMaxIncidentsWithEvidence), after it was written and before it is delivered: the
  // evidence starts there. `frame_at`: when the frame behind the event arrived.
  void OnEvent(const events::Event& e, std::optional<core::WallTime> frame_at,
               const std::function<void(const events::Alert&, int incident)>& on_evidence);
  // Escalates the alerts unacknowledged for too long (event loop, periodically).
  void Escalate();
  // Writes again the alerts the store refused.
  void RetryUnsaved();
  // Several nodes: takes over the acknowledgements and resolutions that operators made on
  // other nodes to the alerts this node holds (event loop, periodically).
  void SyncFromStore();

  // The api::Backend actions; durable in the store (with their audit entry) before they
  // return. An alert this node does not hold (another node's camera) is changed in the
  // store alone; its node takes the change over at its next SyncFromStore.
  core::Result<events::Alert> Acknowledge(int64_t id, const std::string& who,
                                          const std::string& note, const std::string& from);
  core::Result<events::Alert> Resolve(int64_t id, const std::string& who, const std::string& note,
                                      const std::string& from);

  // Several nodes: the alerts of `camera` that another node left open or acknowledged (it
  // died or gave the camera up), taken over from the store so that the camera's next
  // incident merges into them as it would have there, rather than opening a second alert;
  // then its incidents in no alert recovered (RecoverIncidents).
  core::Status Adopt(const std::string& camera);
  // Incidents of `camera` (all when empty) from the last kRecoverWindowS that are stored
  // but in no alert, because a process was killed between writing the incident and its
  // alert: put into alerts now as they would have been (merged or opened), and ended (their
  // process is gone). Without evidence: their frames went with it. Returns how many.
  // Call while no camera of `camera` runs here (at start, or when taking it over).
  core::Result<int> RecoverIncidents(const std::string& camera);
  // The camera went to another node: its alerts are that node's now, and events of it that
  // come late (after the drain) are left to that node's RecoverIncidents.
  void Disown(const std::string& camera);
  // Several nodes: keeps a few ids taken from the store ahead of need, so alerts opened
  // while the store does not answer still get ids no other node has.
  void KeepSpareIds();

  std::vector<events::Alert> Active() const;
  const UnsavedAlerts& unsaved() const { return unsaved_; }
  uint64_t opened() const { return opened_; }

 private:
  AlertService(std::unique_ptr<events::AlertManager> alerts, store::Store& db, Delivery& delivery,
               core::Clock& clock, std::atomic<uint64_t>& store_errors)
      : db_(db),
        delivery_(delivery),
        clock_(clock),
        store_errors_(store_errors),
        alerts_(std::move(alerts)) {}
  core::Result<events::Alert> ActOnStored(int64_t id, const std::string& who,
                                          const std::string& note, const std::string& from,
                                          bool resolve, const core::Status& manager_error);
  // A fresh id from the store (unique across nodes), or a spare while the store does not
  // answer; 0 when none is left (the manager then counts on its own: unique on one node).
  int64_t NextId();  // mu_ held
  // Writes a change (kept and retried when the store refuses); false when the store fenced
  // it out: another node owns the camera now, so it is neither stored nor delivered.
  bool Save(const events::AlertChange& change);  // mu_ held
  void ReserveSpareIds();                        // mu_ held

  store::Store& db_;
  Delivery& delivery_;
  core::Clock& clock_;
  std::atomic<uint64_t>& store_errors_;
  std::atomic<uint64_t> opened_{0};
  UnsavedAlerts unsaved_;  // alerts the store refused, written again at each housekeeping
  mutable std::mutex mu_;
  std::unique_ptr<events::AlertManager> alerts_;  // guarded by mu_
  std::vector<int64_t> spare_ids_;                // guarded by mu_
  bool keep_spares_ = false;                      // guarded by mu_
  std::set<std::string> disowned_;                // cameras handed over; guarded by mu_
};

}  // namespace argus::app
