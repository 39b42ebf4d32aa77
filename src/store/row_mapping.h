// Row -> struct mappings (and argument checks) shared by the SQLite and
// PostgreSQL stores: both keep the same columns in the same order, so one reader
// serves both row types (anything with Int(c), Real(c), Text(c), Bool(c) and
// IsNull(c)).
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "store/store.h"

namespace argus::store {

inline core::WallTime FromMs(int64_t ms) { return core::WallTime(std::chrono::milliseconds(ms)); }

// Login failure times as stored: milliseconds, comma-separated, oldest first.
inline std::string FormatMsList(const std::vector<core::WallTime>& ts) {
  std::string out;
  for (core::WallTime t : ts) {
    if (!out.empty()) out += ',';
    out += std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  }
  return out;
}
inline std::vector<core::WallTime> ParseMsList(const std::string& text) {
  std::vector<core::WallTime> out;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    int64_t ms = 0;
    if (std::from_chars(text.data() + at, text.data() + end, ms).ec == std::errc()) {
      out.push_back(FromMs(ms));
    }
    at = end + 1;
  }
  return out;
}

inline core::Status CheckLoginFailureRecord(const LoginFailureRecord& r) {
  if (r.key.empty()) return core::InvalidArgument("login failure key is empty");
  if (r.failures.size() > kMaxStoredLoginFailures) {
    return core::InvalidArgument("more than " + std::to_string(kMaxStoredLoginFailures) +
                                 " failure times for " + r.key);
  }
  return core::Status::Ok();
}

// Columns 0..6 of sessions: token_hash, user_name, role, credentials, created_ms,
// expires_ms, last_seen_ms.
template <typename Row>
SessionRecord ReadSessionColumns(const Row& s) {
  return {s.Text(0),        s.Text(1),        s.Text(2),       s.Text(3),
          FromMs(s.Int(4)), FromMs(s.Int(5)), FromMs(s.Int(6))};
}

// Columns 0..5 of nodes: id, address, version, started_ms, heartbeat_ms, load.
template <typename Row>
NodeRecord ReadNodeColumns(const Row& s) {
  return {s.Text(0), s.Text(1), s.Text(2), FromMs(s.Int(3)), FromMs(s.Int(4)), s.Real(5)};
}

// Columns 0..3 of camera_leases: camera, node, epoch, expires_ms.
template <typename Row>
LeaseRecord ReadLeaseColumns(const Row& s) {
  return {s.Text(0), s.Text(1), s.Int(2), FromMs(s.Int(3))};
}

// Store::AcquireLease in one statement, the same in both backends (placeholders given):
// a new row starts at epoch 1; an existing one is taken when it expired, or when it names
// the same node and the caller holds no epoch (0: a restarted process of that node, whose
// new epoch fences the old one out); renewed when the node and epoch match. Returns the row when
// the node holds the lease, nothing otherwise.
inline std::string AcquireLeaseSql(const std::string& camera, const std::string& node,
                                   const std::string& epoch, const std::string& now_ms,
                                   const std::string& until_ms) {
  return "INSERT INTO camera_leases AS l (camera, node, epoch, expires_ms) VALUES (" + camera +
         ", " + node + ", 1, " + until_ms +
         ") ON CONFLICT (camera) DO UPDATE SET node = excluded.node, expires_ms = "
         "excluded.expires_ms, epoch = CASE WHEN l.node = excluded.node AND l.epoch = " +
         epoch +
         " THEN l.epoch ELSE l.epoch + 1 END WHERE (l.node = excluded.node AND (l.epoch = " +
         epoch + " OR " + epoch + " = 0)) OR l.expires_ms <= " + now_ms +
         " RETURNING camera, node, epoch, expires_ms";
}

// Columns 0..4: key, failures_ms (FormatMsList), locked_until_ms, lockouts, forget_ms.
template <typename Row>
LoginFailureRecord ReadLoginFailureColumns(const Row& s) {
  return {s.Text(0), ParseMsList(s.Text(1)), FromMs(s.Int(2)), static_cast<int>(s.Int(3)),
          FromMs(s.Int(4))};
}
inline constexpr const char* kLoginFailureColumns =
    "key, failures_ms, locked_until_ms, lockouts, forget_ms";

// Columns 0..15: id, camera, rule, zone, type, severity, state, opened_ms,
// last_event_ms, incident_ids (JSON), active_incidents, event_count,
// escalation_level, resolved_by, resolved_ms, resolution_note. The
// acknowledgement lives in its own table; the caller adds it.
template <typename Row>
core::Result<events::Alert> ReadAlertColumns(const Row& s) {
  events::Alert a;
  a.id = s.Int(0);
  a.camera = s.Text(1);
  a.rule = s.Text(2);
  a.zone = s.Text(3);
  a.type = s.Text(4);
  a.severity = static_cast<events::Severity>(s.Int(5));
  if (!events::ParseAlertState(s.Text(6), &a.state)) {
    return core::Internal("alert " + std::to_string(a.id) + ": bad state " + s.Text(6));
  }
  a.opened_at = FromMs(s.Int(7));
  a.last_event_at = FromMs(s.Int(8));
  const nlohmann::json ids = nlohmann::json::parse(s.Text(9), nullptr, /*allow_exceptions=*/false);
  if (!ids.is_array()) return core::Internal("alert " + std::to_string(a.id) + ": bad ids");
  for (const auto& id : ids) {
    if (id.is_string()) a.incident_ids.push_back(id.get<std::string>());
  }
  a.active_incidents = static_cast<int>(s.Int(10));
  a.event_count = s.Int(11);
  a.escalation_level = static_cast<int>(s.Int(12));
  if (!s.IsNull(14)) {
    a.resolution = events::AlertAction{s.Text(13), FromMs(s.Int(14)), s.Text(15)};
  }
  return a;
}

// Columns 0..17: seq, received_ms, id, type, phase, camera, rule, severity,
// t, frame, track_id, label, bbox x, y, w, h, zone, details (JSON).
template <typename Row>
StoredEvent ReadEventColumns(const Row& s) {
  StoredEvent se;
  se.seq = s.Int(0);
  se.received_at = FromMs(s.Int(1));
  events::Event& e = se.event;
  e.id = s.Text(2);
  e.type = s.Text(3);
  const std::string phase = s.Text(4);
  e.phase = phase == "start"    ? events::Phase::kStart
            : phase == "update" ? events::Phase::kUpdate
                                : events::Phase::kEnd;
  e.camera = s.Text(5);
  e.rule = s.Text(6);
  e.severity = static_cast<events::Severity>(s.Int(7));
  e.t = s.Real(8);
  e.frame = s.Int(9);
  e.track_id = static_cast<int>(s.Int(10));
  e.label = s.Text(11);
  e.bbox = {s.Real(12), s.Real(13), s.Real(14), s.Real(15)};
  e.zone = s.Text(16);
  e.details = nlohmann::json::parse(s.Text(17), nullptr, /*allow_exceptions=*/false);
  if (e.details.is_discarded()) e.details = nlohmann::json::object();
  return se;
}

// Users and API tokens: the column lists are shared so the readers below and
// every SELECT agree on the order.
inline constexpr const char* kUserColumns = "name, role, password_hash, created_ms, disabled";
inline constexpr const char* kApiTokenColumns =
    "id, name, role, token_hash, created_by, created_ms, revoked";

template <typename Row>
UserRecord ReadUserColumns(const Row& s) {
  return {s.Text(0), s.Text(1), s.Text(2), FromMs(s.Int(3)), s.Bool(4)};
}

template <typename Row>
ApiTokenRecord ReadApiTokenColumns(const Row& s) {
  return {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), FromMs(s.Int(5)), s.Bool(6)};
}

// Argument checks both backends make before touching the database (the schema's
// CHECKs back them up against raw SQL).
inline core::Status CheckUser(const UserRecord& u) {
  if (u.name.empty()) return core::InvalidArgument("user name is empty");
  if (u.role.empty()) return core::InvalidArgument("user " + u.name + ": role is empty");
  return core::Status::Ok();
}

inline core::Status CheckApiToken(const ApiTokenRecord& t) {
  if (t.token_hash.empty()) return core::InvalidArgument("api token " + t.name + ": hash is empty");
  if (t.role.empty()) return core::InvalidArgument("api token " + t.name + ": role is empty");
  return core::Status::Ok();
}

// The body of both stores' InsertEvents, inside their transaction: each event is written
// unless its camera is fenced out (`check`, asked once per camera of the batch). Returns
// the first real error; a fencing refusal goes to `*refused` and the rest are written.
template <typename Check, typename Insert>
core::Status WriteUnfencedEvents(const std::vector<events::Event>& es, Check check, Insert insert,
                                 core::Status* refused) {
  std::map<std::string, core::Status> fenced;
  for (const auto& e : es) {
    auto [it, added] = fenced.try_emplace(e.camera);
    if (added) it->second = check(e.camera);
    if (IsFencedOut(it->second)) {
      *refused = it->second;
      continue;
    }
    ARGUS_RETURN_IF_ERROR(it->second);
    ARGUS_RETURN_IF_ERROR(insert(e));
  }
  return core::Status::Ok();
}

}  // namespace argus::store
