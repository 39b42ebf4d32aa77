#include "events/alert.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <tuple>

namespace argus::events {

const char* ToString(AlertState s) {
  switch (s) {
    case AlertState::kOpen:
      return "open";
    case AlertState::kAcknowledged:
      return "acknowledged";
    case AlertState::kResolved:
      return "resolved";
  }
  return "?";
}

bool ParseAlertState(const std::string& s, AlertState* out) {
  for (AlertState v : {AlertState::kOpen, AlertState::kAcknowledged, AlertState::kResolved}) {
    if (s == ToString(v)) {
      *out = v;
      return true;
    }
  }
  return false;
}

const char* ToString(AlertChange::Kind k) {
  switch (k) {
    case AlertChange::Kind::kOpened:
      return "opened";
    case AlertChange::Kind::kMerged:
      return "merged";
    case AlertChange::Kind::kUpdated:
      return "updated";
    case AlertChange::Kind::kIgnored:
      return "ignored";
  }
  return "?";
}

core::Status AlertPolicy::Validate() const {
  if (!(cooldown_s >= 0)) return core::InvalidArgument("alert cooldown_s must be >= 0");
  return escalation.Validate();
}

bool AlertManager::Key::operator<(const Key& o) const {
  return std::tie(camera, rule, zone) < std::tie(o.camera, o.rule, o.zone);
}

AlertManager::AlertManager(AlertPolicy policy, const core::Clock* clock)
    : policy_(std::move(policy)), clock_(clock) {
  assert(clock_ != nullptr);
  assert(policy_.Validate().ok());
}

double AlertManager::SecondsSince(core::WallTime t) const {
  return std::chrono::duration<double>(clock_->Now() - t).count();
}

void AlertManager::Restore(const std::vector<Alert>& alerts, int64_t max_id_seen) {
  next_id_ = std::max(next_id_, max_id_seen + 1);
  for (const Alert& a : alerts) {
    next_id_ = std::max(next_id_, a.id + 1);
    if (a.state == AlertState::kResolved) continue;
    Alert& held = alerts_[a.id] = a;
    // Incidents that were running when the process stopped will never send their
    // end; a new event with the same id re-attaches through the cool-down instead.
    held.active_incidents = 0;
    if (held.state == AlertState::kOpen) open_by_key_[{a.camera, a.rule, a.zone}] = a.id;
  }
}

void AlertManager::Forget(const std::string& camera) {
  std::erase_if(alerts_, [&](const auto& kv) { return kv.second.camera == camera; });
  std::erase_if(open_by_key_, [&](const auto& kv) { return kv.first.camera == camera; });
  std::erase_if(incident_to_alert_, [&](const auto& kv) { return !alerts_.contains(kv.second); });
}

void AlertManager::ApplyStored(const Alert& stored) {
  auto it = alerts_.find(stored.id);
  if (it == alerts_.end() || stored.state == AlertState::kOpen) return;
  Alert& a = it->second;
  auto open = open_by_key_.find({a.camera, a.rule, a.zone});
  if (open != open_by_key_.end() && open->second == a.id) open_by_key_.erase(open);
  if (stored.state == AlertState::kResolved) {
    alerts_.erase(it);  // running incidents stay mapped until their end, as in Resolve
    return;
  }
  a.state = stored.state;
  a.ack = stored.ack;
}

AlertChange AlertManager::OnEvent(const Event& e) {
  const core::WallTime now = clock_->Now();
  AlertChange change;
  Alert* alert = nullptr;

  auto known = incident_to_alert_.find(e.id);
  if (known != incident_to_alert_.end()) {
    auto it = alerts_.find(known->second);
    if (it == alerts_.end()) {  // resolved while the incident still runs
      if (e.phase == Phase::kEnd) incident_to_alert_.erase(known);
      return change;
    }
    alert = &it->second;
    change.kind = AlertChange::Kind::kUpdated;
  } else {
    // A new incident (or one whose start we missed, e.g. across a restart).
    const Key key{e.camera, e.rule, e.zone};
    auto open = open_by_key_.find(key);
    if (open != open_by_key_.end()) {
      Alert& candidate = alerts_.at(open->second);
      if (candidate.active_incidents > 0 ||
          SecondsSince(candidate.last_event_at) <= policy_.cooldown_s) {
        alert = &candidate;
        change.kind = AlertChange::Kind::kMerged;
      }
    }
    if (alert == nullptr) {
      Alert fresh;
      fresh.id = id_source_ ? id_source_() : 0;
      if (fresh.id <= 0 || alerts_.contains(fresh.id)) fresh.id = next_id_;
      next_id_ = std::max(next_id_, fresh.id + 1);
      fresh.camera = e.camera;
      fresh.rule = e.rule;
      fresh.zone = e.zone;
      fresh.type = e.type;
      fresh.severity = e.severity;
      fresh.opened_at = now;
      alert = &(alerts_[fresh.id] = std::move(fresh));
      open_by_key_[key] = alert->id;
      change.kind = AlertChange::Kind::kOpened;
    }
    alert->incident_ids.push_back(e.id);
    if (e.phase != Phase::kEnd) {
      incident_to_alert_[e.id] = alert->id;
      ++alert->active_incidents;
    }
  }

  alert->severity = std::max(alert->severity, e.severity);
  alert->last_event_at = now;
  ++alert->event_count;
  if (e.phase == Phase::kEnd && change.kind == AlertChange::Kind::kUpdated) {
    incident_to_alert_.erase(e.id);
    alert->active_incidents = std::max(0, alert->active_incidents - 1);
  }
  change.alert = *alert;
  return change;
}

core::Result<Alert> AlertManager::Acknowledge(int64_t id, const std::string& who,
                                              const std::string& note) {
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return core::NotFound("no active alert " + std::to_string(id));
  Alert& a = it->second;
  if (a.state != AlertState::kOpen) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " + ToString(a.state) +
                                 ", only an open alert can be acknowledged");
  }
  if (who.empty()) return core::InvalidArgument("acknowledge: who is empty");
  a.state = AlertState::kAcknowledged;
  a.ack = AlertAction{who, clock_->Now(), note};
  auto open = open_by_key_.find({a.camera, a.rule, a.zone});
  if (open != open_by_key_.end() && open->second == id) open_by_key_.erase(open);
  return a;
}

core::Result<Alert> AlertManager::Resolve(int64_t id, const std::string& who,
                                          const std::string& note) {
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return core::NotFound("no active alert " + std::to_string(id));
  Alert& a = it->second;
  if (a.state != AlertState::kAcknowledged) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " + ToString(a.state) +
                                 ", only an acknowledged alert can be resolved");
  }
  if (who.empty()) return core::InvalidArgument("resolve: who is empty");
  a.state = AlertState::kResolved;
  a.resolution = AlertAction{who, clock_->Now(), note};
  Alert done = std::move(a);
  alerts_.erase(it);
  // incident_to_alert_ entries of running incidents stay until their end so that
  // their updates are ignored rather than opening a new alert.
  return done;
}

std::vector<EscalationNotification> AlertManager::Tick() {
  std::vector<EscalationNotification> out;
  const core::WallTime now = clock_->Now();
  const auto& tiers = policy_.escalation.tiers;
  for (auto& [id, a] : alerts_) {
    if (a.state != AlertState::kOpen) continue;
    const int due = policy_.escalation.DueTiers(SecondsSince(a.opened_at));
    for (; a.escalation_level < due; ++a.escalation_level) {
      const EscalationTier& t = tiers[a.escalation_level];
      out.push_back({id, a.escalation_level, t.target, t.after_s, now});
    }
  }
  return out;
}

core::Result<Alert> AlertManager::Get(int64_t id) const {
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return core::NotFound("no active alert " + std::to_string(id));
  return it->second;
}

std::vector<Alert> AlertManager::Active() const {
  std::vector<Alert> out;
  out.reserve(alerts_.size());
  for (const auto& [id, a] : alerts_) out.push_back(a);
  return out;
}

}  // namespace argus::events
