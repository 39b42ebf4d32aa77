// IncidentTracker: turns "the condition holds for KEY at time t" observations
// into the event lifecycle of DESIGN.md, so no rule ever emits one event per
// frame. How to use it from a rule:
//
//   IncidentTracker incidents_(ctx, "my_kind");     // once, in the rule
//   // in Process(), for each key (track id, zone...) whose condition holds now:
//   incidents_.Observe(key, obs, out);              // obs: t, frame, bbox, details...
//   incidents_.Tick(in.t, in.frame, out);           // once per frame, after all Observe
//   // in Finish():
//   incidents_.EndAll(last.t, last.frame, out);
//
// Semantics:
// - First Observe of a key with no open incident emits `start` with a new id
//   "<camera>/<rule>/<n>".
// - Further Observe calls of an open key emit an `update` only when something
//   news-worthy happened: obs.significant, a severity rise (escalation), the key
//   coming back after a quiet spell > kResumeGapSeconds ("resumed"), or min_update_interval_s since
//   the last event of that incident (periodic refresh of bbox/details). Otherwise the observation
//   is only remembered.
// - Cool-down: a key not observed for cooldown_s (the rule's `cooldown_s`) ends its
//   incident (`end`, emitted by Tick at that time, details of the last observation
//   plus `duration_s`). A re-trigger within the cool-down re-opens/extends the same
//   incident (same id) instead of starting a new one. So `end` arrives cooldown_s
//   after the condition last held; with cooldown_s = 0 it arrives on the first
//   frame the condition does not hold.
// - Severity never decreases within an incident (an alarm stays an alarm).
// - Every event carries details.first_t (start of the incident) and, from the
//   second event on, details.duration_s.
//
// Thread safety: one thread (the owning rule's).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "rules/rule.h"

namespace argus::rules {

inline constexpr double kDefaultMinUpdateIntervalSeconds = 10.0;
// A key quiet for longer than this and observed again gets a "resumed" update.
inline constexpr double kResumeGapSeconds = 2.0;

// One observation of a condition that holds now.
struct Observation {
  double t = 0;
  int64_t frame = 0;
  int track_id = -1;
  std::string label;
  core::Box bbox;    // source pixels
  std::string zone;  // zone, line or artwork name
  nlohmann::json details = nlohmann::json::object();
  std::optional<events::Severity> severity;  // default: the rule's severity
  bool significant = false;                  // emit an update now (new count, new tier...)
};

struct IncidentOptions {
  double min_update_interval_s = kDefaultMinUpdateIntervalSeconds;
};

class IncidentTracker {
 public:
  // `type` is the rule kind written into events.type. Camera name, rule name,
  // severity and cool-down come from ctx (which must outlive the tracker).
  IncidentTracker(const RuleContext& ctx, std::string type, IncidentOptions options = {});

  void Observe(const std::string& key, const Observation& obs, std::vector<events::Event>* out);
  // Ends incidents whose key has been quiet for the cool-down. Once per frame.
  void Tick(double t, int64_t frame, std::vector<events::Event>* out);
  // Ends every open incident now (end of stream, schedule off).
  void EndAll(double t, int64_t frame, std::vector<events::Event>* out);

  bool IsOpen(const std::string& key) const { return open_.count(key) > 0; }
  size_t open_count() const { return open_.size(); }
  // Id of the open incident of `key`, empty when none.
  std::string IdOf(const std::string& key) const;

 private:
  struct Open {
    std::string id;
    Observation last;           // last observation (what updates/end report)
    events::Severity severity;  // max so far
    double first_t = 0;
    double last_observed_t = 0;
    double last_emitted_t = 0;
  };
  events::Event MakeEvent(const Open& inc, events::Phase phase, double t, int64_t frame) const;

  std::string camera_;
  std::string rule_;
  std::string type_;
  events::Severity severity_;
  double cooldown_s_;
  IncidentOptions options_;
  int64_t own_counter_ = 0;
  int64_t* counter_;
  std::map<std::string, Open> open_;  // ordered: deterministic output
};

}  // namespace argus::rules
