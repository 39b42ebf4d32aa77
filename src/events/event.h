// The event contract of DESIGN.md: one incident has a start, updates and an end.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/geometry.h"

namespace argus::events {

enum class Phase { kStart, kUpdate, kEnd };
enum class Severity { kInfo, kWarning, kAlert, kCritical };

const char* ToString(Phase p);
const char* ToString(Severity s);
// Parses "info|warning|alert|critical"; false when unknown.
bool ParseSeverity(const std::string& s, Severity* out);

struct Event {
  std::string id;    // stable across the phases of one incident
  std::string type;  // rule kind, e.g. "intrusion", "line_crossing"
  Phase phase = Phase::kStart;
  std::string camera;
  std::string rule;  // rule name from the config
  Severity severity = Severity::kAlert;
  double t = 0;       // stream seconds
  int64_t frame = 0;  // 1-based
  int track_id = -1;  // -1 when not about one track
  std::string label;
  core::Box bbox;    // pixels of the source frame
  std::string zone;  // zone, line or artwork name; empty if none
  nlohmann::json details = nlohmann::json::object();
};

nlohmann::json ToJson(const Event& e);
// One JSON Lines record, without the trailing newline.
std::string ToJsonLine(const Event& e);

}  // namespace argus::events
