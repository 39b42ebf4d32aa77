#include "app/alert_service.h"

#include <spdlog/spdlog.h>

#include "app/evidence_service.h"
#include "app/restart_reconcile.h"

namespace argus::app {

namespace {

// The store's open and acknowledged alerts, all pages.
core::Result<std::vector<events::Alert>> ActiveAlerts(store::Store& db) {
  std::vector<events::Alert> active;
  for (events::AlertState s : {events::AlertState::kOpen, events::AlertState::kAcknowledged}) {
    int64_t before = 0;
    while (true) {
      store::AlertQuery q;
      q.state = s;
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
  return std::unique_ptr<AlertService>(
      new AlertService(std::move(alerts), db, delivery, store_errors));
}

void AlertService::OnEvent(const events::Event& e, std::optional<core::WallTime> frame_at,
                           const std::function<void(const events::Alert&, int)>& on_evidence) {
  std::lock_guard lock(mu_);
  events::AlertChange change = alerts_->OnEvent(e);
  if (change.kind == events::AlertChange::Kind::kIgnored) return;
  if (core::Status st = unsaved_.Save(db_, change.alert); !st.ok()) {
    ++store_errors_;
    spdlog::error("store: alert {} not saved yet (kept, retried): {}", change.alert.id,
                  st.message());
  }
  if (change.kind == events::AlertChange::Kind::kOpened) {
    ++opened_;
    on_evidence(change.alert, 0);
  } else if (change.kind == events::AlertChange::Kind::kMerged) {
    const int incident = static_cast<int>(change.alert.incident_ids.size()) - 1;
    if (incident > 0 && incident < kMaxIncidentsWithEvidence) on_evidence(change.alert, incident);
  }
  delivery_.PublishAlert(events::ToString(change.kind), change.alert, frame_at);
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
}

core::Result<events::Alert> AlertService::Acknowledge(int64_t id, const std::string& who,
                                                      const std::string& note,
                                                      const std::string& from) {
  std::lock_guard lock(mu_);
  auto a = alerts_->Acknowledge(id, who, note);
  if (!a.ok()) return StoredAlertOr(id, a.status());
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
  if (!a.ok()) return StoredAlertOr(id, a.status());
  if (core::Status st = db_.Resolve(id, *a->resolution, from); !st.ok()) return st;
  delivery_.PublishAlert("resolved", *a, std::nullopt);
  return a;
}

// The manager only holds open and acknowledged alerts: for an id it does not know, the
// store says whether it exists (resolved: a state conflict).
core::Status AlertService::StoredAlertOr(int64_t id, const core::Status& manager_error) {
  auto stored = db_.GetAlert(id);
  if (!stored.ok()) return stored.status();
  if (manager_error.code() == core::StatusCode::kNotFound) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " +
                                 events::ToString(stored->state));
  }
  return manager_error;
}

std::vector<events::Alert> AlertService::Active() const {
  std::lock_guard lock(mu_);
  return alerts_->Active();
}

}  // namespace argus::app
