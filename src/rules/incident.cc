#include "rules/incident.h"

#include <algorithm>

namespace argus::rules {

IncidentTracker::IncidentTracker(const RuleContext& ctx, std::string type, IncidentOptions options)
    : camera_(ctx.camera ? ctx.camera->name : ""),
      rule_(ctx.rule ? ctx.rule->name : ""),
      type_(std::move(type)),
      severity_(ctx.rule ? ctx.rule->severity : events::Severity::kAlert),
      cooldown_s_(ctx.rule ? ctx.rule->cooldown_s : config::kDefaultCooldownSeconds),
      options_(options),
      counter_(ctx.incident_counter ? ctx.incident_counter : &own_counter_) {}

std::string IncidentTracker::IdOf(const std::string& key) const {
  auto it = open_.find(key);
  return it == open_.end() ? std::string() : it->second.id;
}

events::Event IncidentTracker::MakeEvent(const Open& inc, events::Phase phase, double t,
                                         int64_t frame) const {
  events::Event e;
  e.id = inc.id;
  e.type = type_;
  e.phase = phase;
  e.camera = camera_;
  e.rule = rule_;
  e.severity = inc.severity;
  e.t = t;
  e.frame = frame;
  e.track_id = inc.last.track_id;
  e.label = inc.last.label;
  e.bbox = inc.last.bbox;
  e.zone = inc.last.zone;
  e.details = inc.last.details.is_object() ? inc.last.details : nlohmann::json::object();
  e.details["first_t"] = inc.first_t;
  if (phase != events::Phase::kStart) e.details["duration_s"] = inc.last_observed_t - inc.first_t;
  return e;
}

void IncidentTracker::Observe(const std::string& key, const Observation& obs,
                              std::vector<events::Event>* out) {
  const events::Severity sev = obs.severity.value_or(severity_);
  auto it = open_.find(key);
  if (it == open_.end()) {
    Open inc;
    inc.id = camera_ + "/" + rule_ + "/" + std::to_string(++*counter_);
    inc.last = obs;
    inc.severity = sev;
    inc.first_t = inc.last_observed_t = inc.last_emitted_t = obs.t;
    out->push_back(MakeEvent(inc, events::Phase::kStart, obs.t, obs.frame));
    open_.emplace(key, std::move(inc));
    return;
  }
  Open& inc = it->second;
  const bool resumed = obs.t - inc.last_observed_t > kResumeGapSeconds;
  const bool escalated = sev > inc.severity;
  inc.severity = std::max(inc.severity, sev);
  inc.last = obs;
  inc.last_observed_t = obs.t;
  if (obs.significant || escalated || resumed ||
      obs.t - inc.last_emitted_t >= options_.min_update_interval_s) {
    events::Event e = MakeEvent(inc, events::Phase::kUpdate, obs.t, obs.frame);
    if (resumed) e.details["resumed"] = true;
    if (escalated) e.details["escalated"] = true;
    out->push_back(std::move(e));
    inc.last_emitted_t = obs.t;
  }
}

void IncidentTracker::Tick(double t, int64_t frame, std::vector<events::Event>* out) {
  for (auto it = open_.begin(); it != open_.end();) {
    const Open& inc = it->second;
    const bool observed_now = inc.last.frame == frame && inc.last_observed_t == t;
    if (!observed_now && t - inc.last_observed_t >= cooldown_s_) {
      out->push_back(MakeEvent(inc, events::Phase::kEnd, t, frame));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

void IncidentTracker::EndAll(double t, int64_t frame, std::vector<events::Event>* out) {
  for (const auto& [key, inc] : open_)
    out->push_back(MakeEvent(inc, events::Phase::kEnd, t, frame));
  open_.clear();
}

}  // namespace argus::rules
