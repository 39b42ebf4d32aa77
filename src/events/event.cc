#include "events/event.h"

namespace argus::events {

const char* ToString(Phase p) {
  switch (p) {
    case Phase::kStart:
      return "start";
    case Phase::kUpdate:
      return "update";
    case Phase::kEnd:
      return "end";
  }
  return "?";
}

const char* ToString(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kAlert:
      return "alert";
    case Severity::kCritical:
      return "critical";
  }
  return "?";
}

bool ParseSeverity(const std::string& s, Severity* out) {
  for (Severity v : {Severity::kInfo, Severity::kWarning, Severity::kAlert, Severity::kCritical}) {
    if (s == ToString(v)) {
      *out = v;
      return true;
    }
  }
  return false;
}

nlohmann::json ToJson(const Event& e) {
  return {
      {"id", e.id},
      {"type", e.type},
      {"phase", ToString(e.phase)},
      {"camera", e.camera},
      {"rule", e.rule},
      {"severity", ToString(e.severity)},
      {"t", e.t},
      {"frame", e.frame},
      {"track_id", e.track_id},
      {"label", e.label},
      {"bbox", {e.bbox.x, e.bbox.y, e.bbox.w, e.bbox.h}},
      {"zone", e.zone},
      {"details", e.details},
  };
}

std::string ToJsonLine(const Event& e) { return ToJson(e).dump(); }

}  // namespace argus::events
