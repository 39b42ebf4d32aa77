#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "store/row_mapping.h"

namespace argus::store {
namespace {

using events::Alert;
using events::AlertAction;
using events::AlertState;

int64_t ToMs(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::Status SqlError(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return core::Unavailable(msg);
  if (primary == SQLITE_CONSTRAINT) return core::InvalidArgument(msg);
  return core::IoError(msg);
}

core::Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return core::Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return SqlError(nullptr, rc, "sql error (" + msg + ")");
}

// A prepared statement; binds are 1-based, columns 0-based, as in SQLite.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  core::Status status(const std::string& what) const {
    return rc_ == SQLITE_OK ? core::Status::Ok() : SqlError(db_, rc_, what);
  }
  Stmt& Bind(int i, int64_t v) { return Check(sqlite3_bind_int64(s_, i, v)); }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) { return Check(sqlite3_bind_double(s_, i, v)); }
  Stmt& Bind(int i, const std::string& v) {
    return Check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& BindNull(int i) { return Check(sqlite3_bind_null(s_, i)); }
  // SQLITE_ROW or SQLITE_DONE; anything else is an error kept in status().
  bool Row() {
    if (rc_ != SQLITE_OK && rc_ != SQLITE_ROW) return false;
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) rc_ = rc;
    return false;
  }
  core::Status Run(const std::string& what) {
    Row();
    return status(what);
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  bool Bool(int c) const { return Int(c) != 0; }
  bool IsNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, sqlite3_column_bytes(s_, c)) : std::string();
  }

 private:
  Stmt& Check(int rc) {
    if (rc != SQLITE_OK && rc_ == SQLITE_OK) rc_ = rc;
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class Tx {
 public:
  explicit Tx(sqlite3* db) : db_(db), begun_(Exec(db, "BEGIN IMMEDIATE")) {}
  ~Tx() {
    if (begun_.ok() && !done_) (void)Exec(db_, "ROLLBACK");
  }
  const core::Status& begun() const { return begun_; }
  core::Status Commit() {
    done_ = true;
    core::Status s = Exec(db_, "COMMIT");
    if (!s.ok()) (void)Exec(db_, "ROLLBACK");
    return s;
  }

 private:
  sqlite3* db_;
  core::Status begun_;
  bool done_ = false;
};

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

const char* kAlertColumns =
    "id, camera, rule, zone, type, severity, state, opened_ms, last_event_ms, incident_ids, "
    "active_incidents, event_count, escalation_level, resolved_by, resolved_ms, "
    "resolution_note";

core::Result<Alert> ReadAlert(const Stmt& s) { return ReadAlertColumns(s); }

const std::vector<std::string> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  received_ms INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('start', 'update', 'end')),
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
  t REAL NOT NULL,
  frame INTEGER NOT NULL,
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  bbox_x REAL NOT NULL, bbox_y REAL NOT NULL, bbox_w REAL NOT NULL, bbox_h REAL NOT NULL,
  zone TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX events_by_received ON events (received_ms);
CREATE INDEX events_by_camera ON events (camera, seq);
CREATE INDEX events_by_event_id ON events (event_id);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  zone TEXT NOT NULL,
  type TEXT NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  opened_ms INTEGER NOT NULL,
  last_event_ms INTEGER NOT NULL,
  incident_ids TEXT NOT NULL,
  active_incidents INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL,
  resolved_by TEXT,
  resolved_ms INTEGER,
  resolution_note TEXT
);
CREATE INDEX alerts_by_state ON alerts (state, id);

CREATE TABLE acknowledgements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  who TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX acknowledgements_by_alert ON acknowledgements (alert_id);

CREATE TABLE cameras (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL
);

CREATE TABLE sensor_readings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sensor TEXT NOT NULL,
  kind TEXT NOT NULL,
  value REAL NOT NULL,
  unit TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX sensor_readings_by_sensor ON sensor_readings (sensor, at_ms);
CREATE INDEX sensor_readings_by_time ON sensor_readings (at_ms);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  who TEXT NOT NULL,
  what TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  from_addr TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql",
    // 2: users and API tokens. AUTOINCREMENT: a revoked token's id is never handed
    // out again, so an id in the audit log names one token for good.
    R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY CHECK (name <> ''),
  role TEXT NOT NULL CHECK (role <> ''),
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  disabled INTEGER NOT NULL CHECK (disabled IN (0, 1))
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role <> ''),
  token_hash TEXT NOT NULL UNIQUE CHECK (token_hash <> ''),
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL CHECK (revoked IN (0, 1))
);
)sql",
    // 3: what each camera learned about normal activity (src/learn), one row per camera.
    R"sql(
CREATE TABLE learned_models (
  camera TEXT PRIMARY KEY CHECK (camera <> ''),
  model TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
);
)sql",
    // 4: the login limiter's failure counts and lockouts (auth), so a restart keeps them.
    R"sql(
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY CHECK (key <> ''),
  failures_ms TEXT NOT NULL,
  locked_until_ms INTEGER NOT NULL,
  lockouts INTEGER NOT NULL CHECK (lockouts >= 0),
  forget_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_by_forget ON login_failures (forget_ms);
)sql",
    // 5: several nodes on one store (issue 17; on SQLite there is one): alert ids handed
    // out by the store, login sessions in the store, the node registry and camera leases.
    R"sql(
CREATE TABLE id_counters (
  name TEXT PRIMARY KEY,
  next_id INTEGER NOT NULL
);
INSERT INTO id_counters (name, next_id) SELECT 'alert', coalesce(max(id), 0) + 1 FROM alerts;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY CHECK (token_hash <> ''),
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  credentials TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_ms);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY CHECK (id <> ''),
  address TEXT NOT NULL,
  version TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL,
  load REAL NOT NULL
);

CREATE TABLE camera_leases (
  camera TEXT PRIMARY KEY CHECK (camera <> ''),
  node TEXT NOT NULL CHECK (node <> ''),
  epoch INTEGER NOT NULL CHECK (epoch > 0),
  expires_ms INTEGER NOT NULL
);
)sql",
};

core::Status AppendAuditLocked(sqlite3* db, const AuditEntry& e) {
  Stmt s(db, "INSERT INTO audit_log (who, what, at_ms, from_addr) VALUES (?, ?, ?, ?)");
  s.Bind(1, e.who).Bind(2, e.what).Bind(3, ToMs(e.when)).Bind(4, e.from);
  return s.Run("audit log append");
}

// Moves alert `id` from `from` to `to` inside the caller's transaction.
core::Status CheckState(sqlite3* db, int64_t id, AlertState from, const char* verb) {
  Stmt s(db, "SELECT state FROM alerts WHERE id = ?");
  s.Bind(1, id);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("alert lookup"));
    return core::NotFound("no alert " + std::to_string(id));
  }
  if (s.Text(0) != events::ToString(from)) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " + s.Text(0) + ", only an " +
                                 events::ToString(from) + " alert can be " + verb);
  }
  return core::Status::Ok();
}

}  // namespace

const std::vector<std::string>& Migrations() { return kMigrations; }

core::Result<int> SchemaVersion(sqlite3* db) {
  Stmt exists(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.Row()) {
    ARGUS_RETURN_IF_ERROR(exists.status("schema_version lookup"));
    return 0;
  }
  Stmt s(db, "SELECT max(version) FROM schema_version");
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("schema_version read"));
    return 0;
  }
  return static_cast<int>(s.Int(0));  // NULL (empty table) reads as 0
}

core::Status Migrate(sqlite3* db, const std::vector<std::string>& migrations) {
  ARGUS_RETURN_IF_ERROR(
      Exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  const int target = static_cast<int>(migrations.size());
  for (;;) {
    Tx tx(db);
    ARGUS_RETURN_IF_ERROR(tx.begun());
    // Read inside the transaction: another process may be migrating too.
    auto version = SchemaVersion(db);
    if (!version.ok()) return version.status();
    if (*version > target) {
      return core::InvalidArgument("database schema version " + std::to_string(*version) +
                                   " is newer than this argus supports (" + std::to_string(target) +
                                   "); upgrade argus");
    }
    if (*version == target) return core::Status::Ok();
    const int next = *version + 1;
    core::Status s = Exec(db, migrations[*version]);
    if (!s.ok()) {
      return core::Status(s.code(),
                          "migration " + std::to_string(next) + " failed: " + s.message());
    }
    ARGUS_RETURN_IF_ERROR(Exec(db, "DELETE FROM schema_version"));
    ARGUS_RETURN_IF_ERROR(
        Exec(db, "INSERT INTO schema_version (version) VALUES (" + std::to_string(next) + ")"));
    ARGUS_RETURN_IF_ERROR(tx.Commit());
  }
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                             const SqliteOptions& options) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return core::IoError("store: cannot create " + parent.string() + ": " + ec.message());
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));  // closes db on every path
  if (rc != SQLITE_OK) return SqlError(db, rc, "store: cannot open " + path);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // journal_mode answers with the mode in effect; WAL can be refused (e.g. some
  // network file systems), which would silently weaken our guarantees.
  {
    Stmt wal(db, "PRAGMA journal_mode = WAL");
    if (!wal.Row() || wal.Text(0) != "wal") {
      ARGUS_RETURN_IF_ERROR(wal.status("store: " + path));
      return core::IoError("store: " + path + ": WAL journal mode refused");
    }
  }
  ARGUS_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  ARGUS_RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = ON"));
  core::Status m = Migrate(db, kMigrations);
  if (!m.ok()) return core::Status(m.code(), "store " + path + ": " + m.message());
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

core::Status SqliteStore::InsertEventLocked(const events::Event& e, core::WallTime received_at) {
  Stmt s(db_,
         "INSERT INTO events (received_ms, event_id, type, phase, camera, rule, severity, t, "
         "frame, track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, ToMs(received_at))
      .Bind(2, e.id)
      .Bind(3, e.type)
      .Bind(4, std::string(events::ToString(e.phase)))
      .Bind(5, e.camera)
      .Bind(6, e.rule)
      .Bind(7, static_cast<int>(e.severity))
      .Bind(8, e.t)
      .Bind(9, static_cast<int64_t>(e.frame))
      .Bind(10, e.track_id)
      .Bind(11, e.label)
      .Bind(12, e.bbox.x)
      .Bind(13, e.bbox.y)
      .Bind(14, e.bbox.w)
      .Bind(15, e.bbox.h)
      .Bind(16, e.zone)
      .Bind(17, e.details.dump());
  return s.Run("insert event " + e.id);
}

core::Status SqliteStore::InsertEvent(const events::Event& e, core::WallTime received_at) {
  if (fence_ && fence_->Epoch(e.camera)) return InsertEvents({e}, received_at);
  std::lock_guard lock(mu_);
  return InsertEventLocked(e, received_at);  // autocommit: one transaction
}

core::Status SqliteStore::InsertEvents(const std::vector<events::Event>& es,
                                       core::WallTime received_at) {
  std::lock_guard lock(mu_);
  Tx tx(db_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  core::Status refused;
  ARGUS_RETURN_IF_ERROR(WriteUnfencedEvents(
      es, [&](const std::string& camera) { return CheckFenceLocked(camera); },
      [&](const events::Event& e) { return InsertEventLocked(e, received_at); }, &refused));
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return refused;
}

core::Status SqliteStore::CheckFenceLocked(const std::string& camera) {
  const std::optional<int64_t> epoch = fence_ ? fence_->Epoch(camera) : std::nullopt;
  if (!epoch) return core::Status::Ok();
  const std::string lost = "fenced: node " + fence_->node() + " holds no lease on camera " + camera;
  if (*epoch == 0) return core::PermissionDenied(lost);
  // Inside BEGIN IMMEDIATE: no other writer can change the lease until the commit.
  Stmt s(db_, "SELECT 1 FROM camera_leases WHERE camera = ? AND node = ? AND epoch = ?");
  s.Bind(1, camera).Bind(2, fence_->node()).Bind(3, *epoch);
  if (s.Row()) return core::Status::Ok();
  ARGUS_RETURN_IF_ERROR(s.status("lease check"));
  return core::PermissionDenied(lost + " at epoch " + std::to_string(*epoch));
}

core::Result<EventPage> SqliteStore::QueryEvents(const EventQuery& q) {
  std::string sql =
      "SELECT seq, received_ms, event_id, type, phase, camera, rule, severity, t, frame, "
      "track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details FROM events WHERE 1";
  if (q.from) sql += " AND received_ms >= :from";
  if (q.to) sql += " AND received_ms < :to";
  if (!q.camera.empty()) sql += " AND camera = :camera";
  if (!q.type.empty()) sql += " AND type = :type";
  if (q.min_severity) sql += " AND severity >= :sev";
  if (q.before_seq > 0) sql += " AND seq < :before";
  sql += " ORDER BY seq DESC LIMIT :limit";
  const int limit = ClampLimit(q.limit);

  std::lock_guard lock(mu_);
  Stmt s(db_, sql);
  ARGUS_RETURN_IF_ERROR(s.status("query events"));
  int i = 1;
  if (q.from) s.Bind(i++, ToMs(*q.from));
  if (q.to) s.Bind(i++, ToMs(*q.to));
  if (!q.camera.empty()) s.Bind(i++, q.camera);
  if (!q.type.empty()) s.Bind(i++, q.type);
  if (q.min_severity) s.Bind(i++, static_cast<int>(*q.min_severity));
  if (q.before_seq > 0) s.Bind(i++, q.before_seq);
  s.Bind(i++, limit + 1);  // one extra row tells whether a next page exists

  EventPage page;
  while (s.Row()) {
    if (static_cast<int>(page.events.size()) == limit) {
      page.next_before_seq = page.events.back().seq;
      break;
    }
    page.events.push_back(ReadEventColumns(s));
  }
  ARGUS_RETURN_IF_ERROR(s.status("query events"));
  return page;
}

core::Result<std::vector<StoredEvent>> SqliteStore::IncidentsWithoutAlert(const std::string& camera,
                                                                          core::WallTime from) {
  std::string sql =
      "SELECT seq, received_ms, event_id, type, phase, camera, rule, severity, t, frame, "
      "track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details FROM events e "
      "WHERE phase = 'start' AND received_ms >= :from";
  if (!camera.empty()) sql += " AND camera = :camera";
  sql +=
      " AND NOT EXISTS (SELECT 1 FROM alerts a, json_each(a.incident_ids) i "
      "WHERE a.camera = e.camera AND i.value = e.event_id) ORDER BY seq LIMIT :limit";
  std::lock_guard lock(mu_);
  Stmt s(db_, sql);
  ARGUS_RETURN_IF_ERROR(s.status("incidents without alert"));
  int i = 1;
  s.Bind(i++, ToMs(from));
  if (!camera.empty()) s.Bind(i++, camera);
  s.Bind(i++, kMaxPageSize);
  std::vector<StoredEvent> out;
  while (s.Row()) out.push_back(ReadEventColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("incidents without alert"));
  return out;
}

core::Status SqliteStore::UpsertAlert(const Alert& a) {
  if (a.id <= 0) return core::InvalidArgument("alert id must be > 0");
  nlohmann::json ids = a.incident_ids;
  std::lock_guard lock(mu_);
  std::optional<Tx> fenced_tx;
  if (fence_ && fence_->Epoch(a.camera)) {
    fenced_tx.emplace(db_);
    ARGUS_RETURN_IF_ERROR(fenced_tx->begun());
    ARGUS_RETURN_IF_ERROR(CheckFenceLocked(a.camera));
  }
  // On conflict the state is not touched: only Acknowledge/Resolve move it, so a
  // late upsert from the event path cannot undo an acknowledgement.
  Stmt s(db_,
         "INSERT INTO alerts (id, camera, rule, zone, type, severity, state, opened_ms, "
         "last_event_ms, incident_ids, active_incidents, event_count, escalation_level) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (id) DO UPDATE SET camera = excluded.camera, rule = excluded.rule, "
         "zone = excluded.zone, type = excluded.type, severity = excluded.severity, "
         "opened_ms = excluded.opened_ms, last_event_ms = excluded.last_event_ms, "
         "incident_ids = excluded.incident_ids, active_incidents = excluded.active_incidents, "
         "event_count = excluded.event_count, "
         "escalation_level = max(escalation_level, excluded.escalation_level)");
  s.Bind(1, a.id)
      .Bind(2, a.camera)
      .Bind(3, a.rule)
      .Bind(4, a.zone)
      .Bind(5, a.type)
      .Bind(6, static_cast<int>(a.severity))
      .Bind(7, std::string(events::ToString(AlertState::kOpen)))
      .Bind(8, ToMs(a.opened_at))
      .Bind(9, ToMs(a.last_event_at))
      .Bind(10, ids.dump())
      .Bind(11, a.active_incidents)
      .Bind(12, a.event_count)
      .Bind(13, a.escalation_level);
  ARGUS_RETURN_IF_ERROR(s.Run("upsert alert " + std::to_string(a.id)));
  return fenced_tx ? fenced_tx->Commit() : core::Status::Ok();
}

core::Result<Alert> SqliteStore::GetAlertLocked(int64_t id) {
  Stmt s(db_, std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ?");
  s.Bind(1, id);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("get alert"));
    return core::NotFound("no alert " + std::to_string(id));
  }
  auto a = ReadAlert(s);
  if (!a.ok()) return a.status();
  Stmt ack(db_,
           "SELECT who, at_ms, note FROM acknowledgements WHERE alert_id = ? "
           "ORDER BY id DESC LIMIT 1");
  ack.Bind(1, id);
  if (ack.Row()) a->ack = AlertAction{ack.Text(0), FromMs(ack.Int(1)), ack.Text(2)};
  ARGUS_RETURN_IF_ERROR(ack.status("get acknowledgement"));
  return a;
}

core::Result<Alert> SqliteStore::GetAlert(int64_t id) {
  std::lock_guard lock(mu_);
  return GetAlertLocked(id);
}

core::Result<std::vector<Alert>> SqliteStore::ListAlerts(const AlertQuery& q) {
  std::string sql = "SELECT id FROM alerts WHERE 1";
  if (q.state) sql += " AND state = ?";
  if (!q.camera.empty()) sql += " AND camera = ?";
  if (q.before_id > 0) sql += " AND id < ?";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard lock(mu_);
  Stmt s(db_, sql);
  int i = 1;
  if (q.state) s.Bind(i++, std::string(events::ToString(*q.state)));
  if (!q.camera.empty()) s.Bind(i++, q.camera);
  if (q.before_id > 0) s.Bind(i++, q.before_id);
  s.Bind(i++, ClampLimit(q.limit));
  std::vector<int64_t> ids;
  while (s.Row()) ids.push_back(s.Int(0));
  ARGUS_RETURN_IF_ERROR(s.status("list alerts"));
  std::vector<Alert> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto a = GetAlertLocked(id);
    if (!a.ok()) return a.status();
    out.push_back(std::move(*a));
  }
  return out;
}

core::Result<int64_t> SqliteStore::MaxAlertId() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT coalesce(max(id), 0) FROM alerts");
  if (!s.Row()) return s.status("max alert id");
  return s.Int(0);
}

core::Result<int64_t> SqliteStore::NextAlertId() {
  std::lock_guard lock(mu_);
  // Above every stored id too (ids a caller chose itself), and never the same twice even
  // when the alert holding the highest one was purged.
  Stmt s(db_,
         "UPDATE id_counters SET next_id = max(next_id, (SELECT coalesce(max(id), 0) + 1 FROM "
         "alerts)) + 1 WHERE name = 'alert' RETURNING next_id - 1");
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("next alert id"));
    return core::Internal("next alert id: the alert counter is missing");
  }
  return s.Int(0);
}

core::Status SqliteStore::Acknowledge(int64_t alert_id, const AlertAction& ack,
                                      const std::string& from) {
  if (ack.who.empty()) return core::InvalidArgument("acknowledge: who is empty");
  std::lock_guard lock(mu_);
  Tx tx(db_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  ARGUS_RETURN_IF_ERROR(CheckState(db_, alert_id, AlertState::kOpen, "acknowledged"));
  Stmt up(db_, "UPDATE alerts SET state = 'acknowledged' WHERE id = ?");
  up.Bind(1, alert_id);
  ARGUS_RETURN_IF_ERROR(up.Run("acknowledge alert"));
  Stmt ins(db_, "INSERT INTO acknowledgements (alert_id, who, at_ms, note) VALUES (?, ?, ?, ?)");
  ins.Bind(1, alert_id).Bind(2, ack.who).Bind(3, ToMs(ack.when)).Bind(4, ack.note);
  ARGUS_RETURN_IF_ERROR(ins.Run("insert acknowledgement"));
  ARGUS_RETURN_IF_ERROR(AppendAuditLocked(
      db_, {0, ack.who, "acknowledge alert " + std::to_string(alert_id), ack.when, from}));
  return tx.Commit();
}

core::Status SqliteStore::Resolve(int64_t alert_id, const AlertAction& resolution,
                                  const std::string& from) {
  if (resolution.who.empty()) return core::InvalidArgument("resolve: who is empty");
  std::lock_guard lock(mu_);
  Tx tx(db_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  ARGUS_RETURN_IF_ERROR(CheckState(db_, alert_id, AlertState::kAcknowledged, "resolved"));
  Stmt up(db_,
          "UPDATE alerts SET state = 'resolved', resolved_by = ?, resolved_ms = ?, "
          "resolution_note = ? WHERE id = ?");
  up.Bind(1, resolution.who)
      .Bind(2, ToMs(resolution.when))
      .Bind(3, resolution.note)
      .Bind(4, alert_id);
  ARGUS_RETURN_IF_ERROR(up.Run("resolve alert"));
  ARGUS_RETURN_IF_ERROR(AppendAuditLocked(
      db_,
      {0, resolution.who, "resolve alert " + std::to_string(alert_id), resolution.when, from}));
  return tx.Commit();
}

core::Status SqliteStore::UpsertCamera(const CameraRecord& c) {
  if (c.name.empty()) return core::InvalidArgument("camera name is empty");
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO cameras (name, status, last_seen_ms) VALUES (?, ?, ?) "
         "ON CONFLICT (name) DO UPDATE SET status = excluded.status, "
         "last_seen_ms = excluded.last_seen_ms");
  s.Bind(1, c.name).Bind(2, c.status).Bind(3, ToMs(c.last_seen));
  return s.Run("upsert camera " + c.name);
}

core::Result<std::vector<CameraRecord>> SqliteStore::ListCameras() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT name, status, last_seen_ms FROM cameras ORDER BY name");
  std::vector<CameraRecord> out;
  while (s.Row()) out.push_back({s.Text(0), s.Text(1), FromMs(s.Int(2))});
  ARGUS_RETURN_IF_ERROR(s.status("list cameras"));
  return out;
}

core::Status SqliteStore::InsertSensorReading(const SensorReading& r) {
  if (r.sensor.empty()) return core::InvalidArgument("sensor name is empty");
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO sensor_readings (sensor, kind, value, unit, at_ms) VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, r.sensor).Bind(2, r.kind).Bind(3, r.value).Bind(4, r.unit).Bind(5, ToMs(r.at));
  return s.Run("insert sensor reading");
}

core::Result<std::vector<SensorReading>> SqliteStore::QuerySensorReadings(const std::string& sensor,
                                                                          core::WallTime from,
                                                                          core::WallTime to,
                                                                          int limit) {
  std::string sql =
      "SELECT seq, sensor, kind, value, unit, at_ms FROM sensor_readings "
      "WHERE at_ms >= ? AND at_ms < ?";
  if (!sensor.empty()) sql += " AND sensor = ?";
  sql += " ORDER BY at_ms, seq LIMIT ?";
  std::lock_guard lock(mu_);
  Stmt s(db_, sql);
  int i = 1;
  s.Bind(i++, ToMs(from));
  s.Bind(i++, ToMs(to));
  if (!sensor.empty()) s.Bind(i++, sensor);
  s.Bind(i++, ClampLimit(limit));
  std::vector<SensorReading> out;
  while (s.Row()) {
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Real(3), s.Text(4), FromMs(s.Int(5))});
  }
  ARGUS_RETURN_IF_ERROR(s.status("query sensor readings"));
  return out;
}

core::Status SqliteStore::AppendAudit(const AuditEntry& e) {
  if (e.who.empty() || e.what.empty()) return core::InvalidArgument("audit: who/what empty");
  std::lock_guard lock(mu_);
  return AppendAuditLocked(db_, e);
}

core::Result<std::vector<AuditEntry>> SqliteStore::ListAudit(int64_t before_seq, int limit) {
  std::string sql = "SELECT seq, who, what, at_ms, from_addr FROM audit_log";
  if (before_seq > 0) sql += " WHERE seq < ?";
  sql += " ORDER BY seq DESC LIMIT ?";
  std::lock_guard lock(mu_);
  Stmt s(db_, sql);
  int i = 1;
  if (before_seq > 0) s.Bind(i++, before_seq);
  s.Bind(i++, ClampLimit(limit));
  std::vector<AuditEntry> out;
  while (s.Row()) out.push_back({s.Int(0), s.Text(1), s.Text(2), FromMs(s.Int(3)), s.Text(4)});
  ARGUS_RETURN_IF_ERROR(s.status("list audit log"));
  return out;
}

core::Status SqliteStore::UpsertUser(const UserRecord& u) {
  ARGUS_RETURN_IF_ERROR(CheckUser(u));
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO users (name, role, password_hash, created_ms, disabled) "
         "VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
         "password_hash = excluded.password_hash, created_ms = excluded.created_ms, "
         "disabled = excluded.disabled");
  s.Bind(1, u.name)
      .Bind(2, u.role)
      .Bind(3, u.password_hash)
      .Bind(4, ToMs(u.created_at))
      .Bind(5, u.disabled ? 1 : 0);
  return s.Run("upsert user " + u.name);
}

core::Result<UserRecord> SqliteStore::GetUser(const std::string& name) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?");
  s.Bind(1, name);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("get user"));
    return core::NotFound("no user " + name);
  }
  return ReadUserColumns(s);
}

core::Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
  std::vector<UserRecord> out;
  while (s.Row()) out.push_back(ReadUserColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("list users"));
  return out;
}

core::Result<int64_t> SqliteStore::InsertApiToken(const ApiTokenRecord& t) {
  ARGUS_RETURN_IF_ERROR(CheckApiToken(t));
  std::lock_guard lock(mu_);
  // The UNIQUE constraint on token_hash makes a duplicate a constraint error, which
  // SqlError maps to kInvalidArgument.
  Stmt s(db_,
         "INSERT INTO api_tokens (name, role, token_hash, created_by, created_ms, revoked) "
         "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  s.Bind(1, t.name)
      .Bind(2, t.role)
      .Bind(3, t.token_hash)
      .Bind(4, t.created_by)
      .Bind(5, ToMs(t.created_at))
      .Bind(6, t.revoked ? 1 : 0);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("insert api token " + t.name));
    return core::Internal("insert api token " + t.name + ": no id returned");
  }
  const int64_t id = s.Int(0);
  // Step to the end: the autocommit transaction commits only when the statement
  // completes, and a failed commit must not be reported as success.
  ARGUS_RETURN_IF_ERROR(s.Run("insert api token " + t.name));
  return id;
}

core::Result<ApiTokenRecord> SqliteStore::FindApiToken(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens WHERE token_hash = ?");
  s.Bind(1, token_hash);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("find api token"));
    return core::NotFound("no such api token");  // the hash is not repeated
  }
  return ReadApiTokenColumns(s);
}

core::Result<std::vector<ApiTokenRecord>> SqliteStore::ListApiTokens() {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens ORDER BY id");
  std::vector<ApiTokenRecord> out;
  while (s.Row()) out.push_back(ReadApiTokenColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("list api tokens"));
  return out;
}

core::Status SqliteStore::RevokeApiToken(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE api_tokens SET revoked = 1 WHERE id = ?");
  s.Bind(1, id);
  ARGUS_RETURN_IF_ERROR(s.Run("revoke api token " + std::to_string(id)));
  // Counts matched rows, also those already revoked: revoking twice is ok.
  if (sqlite3_changes(db_) == 0) return core::NotFound("no api token " + std::to_string(id));
  return core::Status::Ok();
}

core::Result<RetentionResult> SqliteStore::ApplyRetention(const RetentionPolicy& p,
                                                          core::WallTime now) {
  for (const auto& [sev, days] : p.days) {
    if (days < 0) return core::InvalidArgument("retention days must be >= 0");
  }
  std::lock_guard lock(mu_);
  Tx tx(db_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  RetentionResult r;
  for (const auto& [sev, days] : p.days) {
    const int64_t cutoff = ToMs(now - std::chrono::hours(24) * days);
    Stmt ev(db_, "DELETE FROM events WHERE severity = ? AND received_ms < ?");
    ev.Bind(1, static_cast<int>(sev)).Bind(2, cutoff);
    ARGUS_RETURN_IF_ERROR(ev.Run("retention: events"));
    r.events_deleted += sqlite3_changes(db_);
    Stmt al(db_,
            "DELETE FROM alerts WHERE severity = ? AND state = 'resolved' AND resolved_ms < ?");
    al.Bind(1, static_cast<int>(sev)).Bind(2, cutoff);
    ARGUS_RETURN_IF_ERROR(al.Run("retention: alerts"));
    r.alerts_deleted += sqlite3_changes(db_);
  }
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return r;
}

core::Result<std::string> SqliteStore::IntegrityCheck() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "PRAGMA integrity_check");
  std::string out;
  while (s.Row()) out += (out.empty() ? "" : "\n") + s.Text(0);
  ARGUS_RETURN_IF_ERROR(s.status("integrity_check"));
  return out;
}

core::Status SqliteStore::SaveLearnedModel(const std::string& camera, const std::string& model,
                                           core::WallTime at) {
  if (camera.empty()) return core::InvalidArgument("camera name is empty");
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO learned_models (camera, model, updated_ms) VALUES (?, ?, ?) "
         "ON CONFLICT (camera) DO UPDATE SET model = excluded.model, "
         "updated_ms = excluded.updated_ms");
  s.Bind(1, camera).Bind(2, model).Bind(3, ToMs(at));
  return s.Run("save learned model of " + camera);
}

core::Result<std::string> SqliteStore::LoadLearnedModel(const std::string& camera) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT model FROM learned_models WHERE camera = ?");
  s.Bind(1, camera);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("load learned model of " + camera));
    return core::NotFound("no learned model for camera " + camera);
  }
  return s.Text(0);
}

core::Status SqliteStore::SaveLoginFailures(const LoginFailureRecord& r) {
  ARGUS_RETURN_IF_ERROR(CheckLoginFailureRecord(r));
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("INSERT INTO login_failures (") + kLoginFailureColumns +
                  ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                  "failures_ms = excluded.failures_ms, locked_until_ms = excluded.locked_until_ms, "
                  "lockouts = excluded.lockouts, forget_ms = excluded.forget_ms");
  s.Bind(1, r.key)
      .Bind(2, FormatMsList(r.failures))
      .Bind(3, ToMs(r.locked_until))
      .Bind(4, r.lockouts)
      .Bind(5, ToMs(r.forget_at));
  return s.Run("save login failures of " + r.key);
}

core::Status SqliteStore::DeleteLoginFailures(const std::string& key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM login_failures WHERE key = ?");
  s.Bind(1, key);
  return s.Run("delete login failures of " + key);
}

core::Result<std::vector<LoginFailureRecord>> SqliteStore::ListLoginFailures(core::WallTime now) {
  std::lock_guard lock(mu_);
  Stmt s(db_, std::string("SELECT ") + kLoginFailureColumns +
                  " FROM login_failures WHERE forget_ms > ? ORDER BY key");
  s.Bind(1, ToMs(now));
  std::vector<LoginFailureRecord> out;
  while (s.Row()) out.push_back(ReadLoginFailureColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("list login failures"));
  return out;
}

core::Result<int64_t> SqliteStore::PruneLoginFailures(core::WallTime now, int max_rows) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures "
         "WHERE forget_ms <= ? ORDER BY forget_ms LIMIT ?)");
  s.Bind(1, ToMs(now)).Bind(2, max_rows);
  ARGUS_RETURN_IF_ERROR(s.Run("prune login failures"));
  return static_cast<int64_t>(sqlite3_changes(db_));
}

core::Status SqliteStore::InsertSession(const SessionRecord& x) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO sessions (token_hash, user_name, role, credentials, created_ms, "
         "expires_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, x.token_hash)
      .Bind(2, x.user)
      .Bind(3, x.role)
      .Bind(4, x.credentials)
      .Bind(5, ToMs(x.created_at))
      .Bind(6, ToMs(x.expires_at))
      .Bind(7, ToMs(x.last_seen));
  return s.Run("insert session");
}

core::Result<SessionRecord> SqliteStore::GetSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "SELECT token_hash, user_name, role, credentials, created_ms, expires_ms, last_seen_ms "
         "FROM sessions WHERE token_hash = ?");
  s.Bind(1, token_hash);
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("get session"));
    return core::NotFound("no such session");
  }
  return ReadSessionColumns(s);
}

core::Status SqliteStore::TouchSession(const std::string& token_hash, core::WallTime at) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE sessions SET last_seen_ms = max(last_seen_ms, ?) WHERE token_hash = ?");
  s.Bind(1, ToMs(at)).Bind(2, token_hash);
  return s.Run("touch session");
}

core::Status SqliteStore::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE token_hash = ?");
  s.Bind(1, token_hash);
  return s.Run("delete session");
}

core::Status SqliteStore::DeleteSessionsOf(const std::string& user) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM sessions WHERE user_name = ?");
  s.Bind(1, user);
  return s.Run("delete sessions of " + user);
}

core::Result<int64_t> SqliteStore::PruneSessions(core::WallTime now, core::WallTime idle_before,
                                                 int64_t keep) {
  std::lock_guard lock(mu_);
  Tx tx(db_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  Stmt ended(db_, "DELETE FROM sessions WHERE expires_ms <= ? OR last_seen_ms < ?");
  ended.Bind(1, ToMs(now)).Bind(2, ToMs(idle_before));
  ARGUS_RETURN_IF_ERROR(ended.Run("prune ended sessions"));
  Stmt over(db_,
            "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions ORDER BY "
            "last_seen_ms DESC, token_hash LIMIT -1 OFFSET ?)");
  over.Bind(1, std::max<int64_t>(keep, 0));
  ARGUS_RETURN_IF_ERROR(over.Run("prune sessions beyond the limit"));
  Stmt count(db_, "SELECT count(*) FROM sessions");
  if (!count.Row()) return count.status("count sessions");
  const int64_t left = count.Int(0);
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return left;
}

core::Status SqliteStore::UpsertNode(const NodeRecord& n) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "INSERT INTO nodes (id, address, version, started_ms, heartbeat_ms, load) VALUES "
         "(?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET address = excluded.address, "
         "version = excluded.version, started_ms = excluded.started_ms, "
         "heartbeat_ms = excluded.heartbeat_ms, load = excluded.load");
  s.Bind(1, n.id)
      .Bind(2, n.address)
      .Bind(3, n.version)
      .Bind(4, ToMs(n.started_at))
      .Bind(5, ToMs(n.heartbeat_at))
      .Bind(6, n.load);
  return s.Run("upsert node " + n.id);
}

core::Result<std::vector<NodeRecord>> SqliteStore::ListNodes() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT id, address, version, started_ms, heartbeat_ms, load FROM nodes ORDER BY id");
  std::vector<NodeRecord> out;
  while (s.Row()) out.push_back(ReadNodeColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("list nodes"));
  return out;
}

core::Status SqliteStore::DeleteNode(const std::string& id) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM nodes WHERE id = ?");
  s.Bind(1, id);
  return s.Run("delete node " + id);
}

core::Result<std::vector<LeaseRecord>> SqliteStore::ListLeases() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT camera, node, epoch, expires_ms FROM camera_leases ORDER BY camera");
  std::vector<LeaseRecord> out;
  while (s.Row()) out.push_back(ReadLeaseColumns(s));
  ARGUS_RETURN_IF_ERROR(s.status("list leases"));
  return out;
}

core::Result<LeaseRecord> SqliteStore::AcquireLease(const std::string& camera,
                                                    const std::string& node, int64_t epoch,
                                                    core::WallTime now, core::WallTime until) {
  std::lock_guard lock(mu_);
  Stmt s(db_, AcquireLeaseSql("?1", "?2", "?3", "?4", "?5"));
  s.Bind(1, camera).Bind(2, node).Bind(3, epoch).Bind(4, ToMs(now)).Bind(5, ToMs(until));
  if (!s.Row()) {
    ARGUS_RETURN_IF_ERROR(s.status("acquire lease on " + camera));
    return core::PermissionDenied("camera " + camera + " is leased to another node");
  }
  LeaseRecord held = ReadLeaseColumns(s);
  s.Row();  // steps to the end, so the statement completes before it is finalized
  ARGUS_RETURN_IF_ERROR(s.status("acquire lease on " + camera));
  return held;
}

core::Status SqliteStore::ReleaseLease(const std::string& camera, const std::string& node,
                                       int64_t epoch) {
  std::lock_guard lock(mu_);
  Stmt s(db_,
         "UPDATE camera_leases SET expires_ms = 0 WHERE camera = ? AND node = ? AND epoch = ?");
  s.Bind(1, camera).Bind(2, node).Bind(3, epoch);
  return s.Run("release lease on " + camera);
}

}  // namespace argus::store
