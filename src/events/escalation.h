// Escalation policy: who is told about an alert nobody has acknowledged, and when.
// Plain data, YAML-friendly: a list of tiers, each a target and a delay after the
// alert opened (e.g. operator at 0 s, supervisor at 60 s, duty manager at 180 s).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace argus::events {

// Delays of the default policy (DESIGN.md: operator, then supervisor, then duty manager).
inline constexpr double kDefaultSupervisorAfterS = 60;
inline constexpr double kDefaultDutyManagerAfterS = 180;

struct EscalationTier {
  std::string target;  // role or channel, e.g. "operator", "supervisor"
  double after_s = 0;  // seconds after the alert opened, if still unacknowledged
};

struct EscalationPolicy {
  std::vector<EscalationTier> tiers;  // ascending after_s

  static EscalationPolicy Default();
  // Targets non-empty, delays finite, >= 0 and non-decreasing.
  core::Status Validate() const;
  // How many tiers are due `elapsed_s` after opening (a prefix of `tiers`).
  int DueTiers(double elapsed_s) const;
};

// One message to send: "alert N reached tier K (target)".
struct EscalationNotification {
  int64_t alert_id = 0;
  int tier = 0;  // index into EscalationPolicy::tiers
  std::string target;
  double after_s = 0;  // the tier's delay
  core::WallTime at;   // when Tick() found it due
};

}  // namespace argus::events
