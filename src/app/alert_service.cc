#include "app/alert_service.h"

#include <spdlog/spdlog.h>

#include "app/evidence_service.h"
#include "app/restart_reconcile.h"

namespace argus::app {

namespace {

// Ids taken from the store ahead of need, for new alerts while the store does not answer.
constexpr size_t kSpareAlertIds = 16;

// The store's open and acknowledged alerts (of `camera`, or all when empty), all pages.
core::Result<std::vector<events::Alert>> ActiveAlerts(store::Store& db,
                                                      const std::string& camera = "") {
  std::vector<events::Alert> active;
  for (events::AlertState s : {events::AlertState::kOpen, events::AlertState::kAcknowledged}) {
    int64_t before = 0;
    while (true) {
      store::AlertQuery q;
      q.state = s;
      q.camera = camera;
      q.before_id = before;
      q.limit = store::kMaxPageSize;
      auto page = db.ListAlerts(q);
      if (!page.ok()) return page.status();
      active.insert(active.end(), page->begin(), page->end());
      if (static_cast<int>(page->size()) < q.limit) break;
      before = page->back().id;
    }
  }
  return active;
}

}  // namespace

core::Result<std::unique_ptr<AlertService>> AlertService::Create(
    const config::Config& c, store::Store& db, Delivery& delivery, core::Clock& clock,
    const std::string& evidence_root, std::atomic<uint64_t>& store_errors) {
  events::AlertPolicy policy;
  policy.cooldown_s = c.alerts.cooldown_s;
  if (!c.alerts.escalation.empty()) {
    policy.escalation.tiers.clear();
    for (const auto& t : c.alerts.escalation)
      policy.escalation.tiers.push_back({t.target, t.after_s});
  }
  if (core::Status st = policy.Validate(); !st.ok()) return st;
  auto alerts = std::make_unique<events::AlertManager>(policy, &clock);
  // Open and acknowledged alerts survive a restart (or a crash).
  auto active = ActiveAlerts(db);
  if (!active.ok()) return active.status();
  auto max_id = db.MaxAlertId();
  if (!max_id.ok()) return max_id.status();
  if (auto r = ReconcileAfterRestart(db, &*active, evidence_root, clock.Now()); !r.ok()) {
    return r.status();
  }
  alerts->Restore(*active, *max_id);
  std::unique_ptr<AlertService> service(
      new AlertService(std::move(alerts), db, delivery, clock, store_errors));
  std::lock_guard lock(service->mu_);
  service->alerts_->SetIdSource([s = service.get()] { return s->NextId(); });
  return service;
}

void AlertService::KeepSpareIds() {
  std::lock_guard lock(mu_);
  keep_spares_ = true;
  ReserveSpareIds();
}

void AlertService::ReserveSpareIds() {
  while (keep_spares_ && spare_ids_.size() < kSpareAlertIds) {
    core::Result<int64_t> id = db_.NextAlertId();
    if (!id.ok()) return;
    spare_ids_.push_back(*id);
  }
}

int64_t AlertService::NextId() {
  core::Result<int64_t> id = db_.NextAlertId();
  if (id.ok()) return *id;
  ++store_errors_;
  if (spare_ids_.empty()) {
    spdlog::error("store: no alert id ({}); numbering on our own, unique on this node only",
                  id.status().message());
    return 0;
  }
  const int64_t spare = spare_ids_.back();
  spare_ids_.pop_back();
  return spare;
}

core::Status AlertService::Adopt(const std::string& camera) {
  auto active = ActiveAlerts(db_, camera);
  if (!active.ok()) return active.status();
  {
    std::lock_guard lock(mu_);
    disowned_.erase(camera);
    alerts_->Forget(camera);  // what we held of it before is stale
    alerts_->Restore(*active, 0);
  }
  auto recovered = RecoverIncidents(camera);
  return recovered.ok() ? core::Status::Ok() : recovered.status();
}

core::Result<int> AlertService::RecoverIncidents(const std::string& camera) {
  const core::WallTime since = clock_.Now() - std::chrono::duration_cast<core::WallTime::duration>(
                                                  std::chrono::duration<double>(kRecoverWindowS));
  auto lost = db_.IncidentsWithoutAlert(camera, since);
  if (!lost.ok()) return lost.status();
  std::lock_guard lock(mu_);
  for (const store::StoredEvent& s : *lost) {
    events::Event end = s.event;
    end.phase = events::Phase::kEnd;
    std::optional<int64_t> into;
    for (const events::Event& e : {s.event, end}) {
      const events::AlertChange change = alerts_->OnEvent(e);
      if (change.kind == events::AlertChange::Kind::kIgnored || !Save(change)) continue;
      if (change.kind == events::AlertChange::Kind::kOpened) ++opened_;
      into = change.alert.id;
      delivery_.PublishAlert(events::ToString(change.kind), change.alert, std::nullopt);
    }
    // Only when it changed an alert: one the operator resolved meanwhile keeps it out.
    if (into) {
      spdlog::warn(
          "incident {} of camera {} was stored but in no alert (its process stopped "
          "in between): added to alert {}",
          s.event.id, s.event.camera, *into);
    }
  }
  return static_cast<int>(lost->size());
}

void AlertService::Disown(const std::string& camera) {
  std::lock_guard lock(mu_);
  disowned_.insert(camera);
  alerts_->Forget(camera);
}

void AlertService::OnEvent(const events::Event& e, std::optional<core::WallTime> frame_at,
                           const std::function<void(const events::Alert&, int)>& on_evidence) {
  std::lock_guard lock(mu_);
  if (disowned_.contains(e.camera)) {
    // Its alerts were forgotten here, so a start would open a second one beside those the
    // next node adopts. Its events are stored under the lease still held: the next owner
    // recovers the incident into its alert (RecoverIncidents).
    spdlog::info("event {} of camera {} came after it was handed over: left to its next owner",
                 e.id, e.camera);
    return;
  }
  events::AlertChange change = alerts_->OnEvent(e);
  if (change.kind == events::AlertChange::Kind::kIgnored) return;
  if (!Save(change)) return;
  if (change.kind == events::AlertChange::Kind::kOpened) {
    ++opened_;
    on_evidence(change.alert, 0);
  } else if (change.kind == events::AlertChange::Kind::kMerged) {
    const int incident = static_cast<int>(change.alert.incident_ids.size()) - 1;
    if (incident > 0 && incident < kMaxIncidentsWithEvidence) on_evidence(change.alert, incident);
  }
  delivery_.PublishAlert(events::ToString(change.kind), change.alert, frame_at);
}

bool AlertService::Save(const events::AlertChange& change) {
  if (core::Status st = unsaved_.Save(db_, change.alert); store::IsFencedOut(st)) {
    spdlog::warn("alert {} not written: {}", change.alert.id, st.message());
    return false;  // another node owns the camera now: neither stored nor delivered
  } else if (!st.ok()) {
    ++store_errors_;
    spdlog::error("store: alert {} not saved yet (kept, retried): {}", change.alert.id,
                  st.message());
  }
  return true;
}

void AlertService::Escalate() {
  std::lock_guard lock(mu_);
  for (const events::EscalationNotification& n : alerts_->Tick()) {
    auto a = alerts_->Get(n.alert_id);
    if (!a.ok()) continue;
    if (core::Status st = unsaved_.Save(db_, *a); !st.ok()) ++store_errors_;
    spdlog::warn("alert {} unacknowledged after {:.0f} s: escalated to {}", n.alert_id, n.after_s,
                 n.target);
    delivery_.PublishAlert("escalated", *a, std::nullopt);
    delivery_.PublishEscalation(*a, n);
  }
}

void AlertService::RetryUnsaved() {
  if (unsaved_.size() > 0) unsaved_.Retry(db_);
  std::lock_guard lock(mu_);
  if (spare_ids_.size() < kSpareAlertIds) ReserveSpareIds();
}

core::Result<events::Alert> AlertService::Acknowledge(int64_t id, const std::string& who,
                                                      const std::string& note,
                                                      const std::string& from) {
  std::lock_guard lock(mu_);
  auto a = alerts_->Acknowledge(id, who, note);
  if (!a.ok()) return ActOnStored(id, who, note, from, false, a.status());
  // Durable before we answer: the store writes the acknowledgement and its audit entry in
  // one transaction.
  if (core::Status st = db_.Acknowledge(id, *a->ack, from); !st.ok()) return st;
  delivery_.PublishAlert("acknowledged", *a, std::nullopt);
  return a;
}

core::Result<events::Alert> AlertService::Resolve(int64_t id, const std::string& who,
                                                  const std::string& note,
                                                  const std::string& from) {
  std::lock_guard lock(mu_);
  auto a = alerts_->Resolve(id, who, note);
  if (!a.ok()) return ActOnStored(id, who, note, from, true, a.status());
  if (core::Status st = db_.Resolve(id, *a->resolution, from); !st.ok()) return st;
  delivery_.PublishAlert("resolved", *a, std::nullopt);
  return a;
}

// The manager only holds the open and acknowledged alerts of this node's cameras: for an
// id it does not know, the store says whether it exists, and changes it when it is
// another node's (the store checks the state in the same transaction).
core::Result<events::Alert> AlertService::ActOnStored(int64_t id, const std::string& who,
                                                      const std::string& note,
                                                      const std::string& from, bool resolve,
                                                      const core::Status& manager_error) {
  if (manager_error.code() != core::StatusCode::kNotFound) return manager_error;
  auto stored = db_.GetAlert(id);
  if (!stored.ok()) return stored.status();
  const events::AlertState from_state =
      resolve ? events::AlertState::kAcknowledged : events::AlertState::kOpen;
  if (stored->state != from_state) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " +
                                 events::ToString(stored->state));
  }
  if (who.empty()) return core::InvalidArgument("who is empty");
  const events::AlertAction action{who, clock_.Now(), note};
  ARGUS_RETURN_IF_ERROR(resolve ? db_.Resolve(id, action, from)
                                : db_.Acknowledge(id, action, from));
  auto changed = db_.GetAlert(id);
  if (!changed.ok()) return changed.status();
  delivery_.PublishAlert(resolve ? "resolved" : "acknowledged", *changed, std::nullopt);
  return changed;
}

void AlertService::SyncFromStore() {
  std::lock_guard lock(mu_);
  for (const events::Alert& held : alerts_->Active()) {
    auto stored = db_.GetAlert(held.id);
    if (!stored.ok() || stored->state == held.state) continue;
    alerts_->ApplyStored(*stored);
    delivery_.PublishAlert(events::ToString(stored->state), *stored, std::nullopt);
  }
}

std::vector<events::Alert> AlertService::Active() const {
  std::lock_guard lock(mu_);
  return alerts_->Active();
}

}  // namespace argus::app
