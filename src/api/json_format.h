// The JSON forms of the HTTP API (also what the daemon publishes on LiveHub, so
// the dashboard sees one shape), and the parsing of query parameters.
// Pure functions; callable from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/backend.h"
#include "core/clock.h"
#include "events/alert.h"
#include "store/store.h"

namespace argus::api {

// "2026-01-01T00:00:00.000Z" (UTC, milliseconds).
std::string FormatTime(core::WallTime t);
// ISO-8601 in UTC or with an offset: YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]
// (a space may replace the T), or unix seconds, possibly fractional. nullopt when
// malformed or outside years 1970..9999.
std::optional<core::WallTime> ParseTime(std::string_view s);
// A whole decimal number, nothing else (no sign, spaces or suffix).
std::optional<int64_t> ParseInt(std::string_view s);

// {"id","camera","rule","zone","type","severity","state","opened_at","last_event_at",
//  "incident_ids","active_incidents","event_count","escalation_level",
//  "ack":{"who","when","note"}|null,"resolution":{...}|null}
nlohmann::json ToJson(const events::Alert& a);
// The event contract of DESIGN.md plus "seq" and "received_at".
nlohmann::json ToJson(const store::StoredEvent& e);
// {"name","status","fps","analysed_fps","frames","analysed","dropped","detector_ms",
//  "queue_depth","reconnects","last_frame_at":ISO|null,"error"}
nlohmann::json ToJson(const CameraStatus& c);

// Serializes without ever throwing: invalid UTF-8 (camera names and notes come
// from outside) is replaced with U+FFFD.
std::string Dump(const nlohmann::json& j);

}  // namespace argus::api
