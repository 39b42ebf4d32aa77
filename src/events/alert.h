// Alerts: what an operator sees and acknowledges. Events are grouped into alerts
// (one incident = one alert; a new incident of the same camera+rule+zone within the
// cool-down merges into the still-open alert), alerts move open -> acknowledged ->
// resolved, and unacknowledged alerts escalate through the EscalationPolicy tiers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "events/escalation.h"
#include "events/event.h"

namespace argus::events {

enum class AlertState { kOpen, kAcknowledged, kResolved };
const char* ToString(AlertState s);
// Parses "open|acknowledged|resolved"; false when unknown.
bool ParseAlertState(const std::string& s, AlertState* out);

// Seconds after the last event of an open alert during which a new incident of the
// same camera+rule+zone merges into it instead of opening a new alert.
inline constexpr double kDefaultCooldownS = 60;

// Who acknowledged or resolved an alert, when, and why.
struct AlertAction {
  std::string who;
  core::WallTime when;
  std::string note;
};

struct Alert {
  int64_t id = 0;  // > 0, assigned by AlertManager
  std::string camera;
  std::string rule;
  std::string zone;
  std::string type;                     // rule kind of the first incident
  Severity severity = Severity::kInfo;  // max over all events merged
  AlertState state = AlertState::kOpen;
  core::WallTime opened_at;
  core::WallTime last_event_at;
  std::vector<std::string> incident_ids;  // event ids merged into this alert, in order
  int active_incidents = 0;               // started and not yet ended
  int64_t event_count = 0;
  int escalation_level = 0;  // how many escalation tiers were notified
  std::optional<AlertAction> ack;
  std::optional<AlertAction> resolution;
};

struct AlertPolicy {
  double cooldown_s = kDefaultCooldownS;
  EscalationPolicy escalation = EscalationPolicy::Default();
  core::Status Validate() const;
};

// What OnEvent did; `alert` is a copy of the alert after the change (persist it).
struct AlertChange {
  enum class Kind {
    kOpened,   // a new alert
    kMerged,   // a new incident joined an open alert (de-duplication / cool-down)
    kUpdated,  // an update or end of an incident already in an alert
    kIgnored,  // the incident's alert is resolved or no longer held
  };
  Kind kind = Kind::kIgnored;
  Alert alert;
};
const char* ToString(AlertChange::Kind k);

// Pure alert lifecycle over an injected clock; no I/O (the caller persists the
// returned alerts). Time of events, cool-down and escalation is the Clock's wall time,
// not the event's stream time, because streams of different cameras do not share a
// time base.
// Thread safety: not thread-safe; one thread (the daemon's event loop) owns it.
class AlertManager {
 public:
  // `clock` must outlive the manager. The policy must be valid (see Validate()).
  AlertManager(AlertPolicy policy, const core::Clock* clock);

  // Re-loads open and acknowledged alerts (e.g. from the store after a restart) and
  // makes new ids start above the largest id seen. Resolved alerts are skipped.
  // Call before the first event.
  void Restore(const std::vector<Alert>& alerts, int64_t max_id_seen);
  // Where new alert ids come from when several processes share a store (it hands them
  // out). A source that answers 0 (cannot) falls back to the largest id seen + 1.
  void SetIdSource(std::function<int64_t()> next_id) { id_source_ = std::move(next_id); }

  // Drops the open and acknowledged alerts of `camera` from memory (another process took
  // the camera over and owns them now); the store keeps them.
  void Forget(const std::string& camera);
  // An alert this manager holds was acknowledged or resolved elsewhere (an operator on
  // another node): takes the stored state over. Unknown ids and open alerts are ignored.
  void ApplyStored(const Alert& stored);

  AlertChange OnEvent(const Event& e);
  // open -> acknowledged; stops escalation. Other states: kInvalidArgument.
  core::Result<Alert> Acknowledge(int64_t id, const std::string& who, const std::string& note);
  // acknowledged -> resolved (every resolved alert names who acknowledged it first).
  // The alert is then dropped from memory; the returned copy is its final state.
  core::Result<Alert> Resolve(int64_t id, const std::string& who, const std::string& note);
  // Escalation notifications due now for unacknowledged alerts, each tier once, in
  // tier order. Call periodically (e.g. every second) and right after OnEvent so the
  // 0 s tier goes out at once. The alerts named have a new escalation_level: Get()
  // and persist them.
  std::vector<EscalationNotification> Tick();

  core::Result<Alert> Get(int64_t id) const;
  // Open and acknowledged alerts held in memory, by id.
  std::vector<Alert> Active() const;

 private:
  struct Key {
    std::string camera, rule, zone;
    bool operator<(const Key& o) const;
  };
  double SecondsSince(core::WallTime t) const;

  AlertPolicy policy_;
  const core::Clock* clock_;
  int64_t next_id_ = 1;
  std::function<int64_t()> id_source_;
  std::map<int64_t, Alert> alerts_;                             // open + acknowledged
  std::unordered_map<std::string, int64_t> incident_to_alert_;  // incidents not yet ended
  std::map<Key, int64_t> open_by_key_;                          // the open alert per key
};

}  // namespace argus::events
