#include "store/pg_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <chrono>
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

// Keys of the database-wide advisory locks (any int64; "ARGUS" + a number).
constexpr int64_t kMigrationLockKey = 0x4152475553000001;
constexpr int64_t kAlertIdLockKey = 0x4152475553000002;

int64_t ToMs(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string TrimmedError(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Maps a failed statement to a Status: a lost connection or a transient conflict is
// kUnavailable (try again later), bad data is kInvalidArgument, the rest kIoError.
core::Status PgError(PGconn* conn, const PGresult* r, const std::string& what) {
  std::string msg = what + ": " + TrimmedError(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return core::Unavailable("postgres connection lost (" + msg + ")");
  }
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state ? state : "";
  auto cls = [&](const char* prefix) { return code.rfind(prefix, 0) == 0; };
  // 08: connection exception, 53: insufficient resources, 57P0x: server shutting
  // down or starting, 40001/40P01: serialization failure / deadlock.
  if (cls("08") || cls("53") || cls("57P0") || code == "40001" || code == "40P01") {
    return core::Unavailable(msg);
  }
  // 22: data exception, 23: integrity constraint, P0001: raised by our triggers.
  if (cls("22") || cls("23") || code == "P0001") return core::InvalidArgument(msg);
  return core::IoError(msg);
}

// Text-format statement parameters, numbered $1, $2, ... in the order added.
class Params {
 public:
  // Returns the placeholder ("$n") of the value, for building SQL as we go.
  std::string Add(const std::string& v) {
    values_.emplace_back(v);
    return "$" + std::to_string(values_.size());
  }
  std::string Add(const char* v) { return Add(std::string(v)); }
  std::string Add(int64_t v) { return Add(std::to_string(v)); }
  std::string Add(int v) { return Add(std::to_string(v)); }
  std::string Add(bool v) { return Add(std::string(v ? "true" : "false")); }
  std::string Add(double v) {
    // Shortest text that reads back as the same double; locale-independent.
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return Add(std::string(buf, r.ptr));
  }
  std::string AddNull() {
    values_.emplace_back(std::nullopt);
    return "$" + std::to_string(values_.size());
  }
  std::vector<const char*> Pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

// Runs one statement (no parameters or `p`); ok when it completed.
core::Result<PgResult> Query(PGconn* conn, const std::string& sql, const Params& p,
                             const std::string& what) {
  const std::vector<const char*> values = p.Pointers();
  PgResult r(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, /*resultFormat=text*/ 0));
  if (r) {
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
      return core::Result<PgResult>(std::move(r));
  }
  return PgError(conn, r.get(), what);
}
core::Status Exec(PGconn* conn, const std::string& sql, const Params& p, const std::string& what) {
  return Query(conn, sql, p, what).status();
}
core::Status Exec(PGconn* conn, const std::string& sql, const std::string& what) {
  return Exec(conn, sql, Params(), what);
}
// Rows changed by an INSERT/UPDATE/DELETE.
int64_t Affected(const PGresult* r) {
  const char* s = PQcmdTuples(const_cast<PGresult*>(r));
  int64_t n = 0;
  std::from_chars(s, s + std::char_traits<char>::length(s), n);
  return n;
}

// Reads one row of a text-format result.
class Row {
 public:
  Row(const PGresult* r, int row) : r_(r), row_(row) {}
  bool IsNull(int c) const { return PQgetisnull(r_, row_, c) != 0; }
  bool Bool(int c) const { return PQgetvalue(r_, row_, c)[0] == 't'; }  // text format
  std::string Text(int c) const {
    return std::string(PQgetvalue(r_, row_, c), PQgetlength(r_, row_, c));
  }
  int64_t Int(int c) const {
    const char* s = PQgetvalue(r_, row_, c);
    int64_t v = 0;
    std::from_chars(s, s + PQgetlength(r_, row_, c), v);
    return v;
  }
  double Real(int c) const {
    const char* s = PQgetvalue(r_, row_, c);
    double v = 0;
    std::from_chars(s, s + PQgetlength(r_, row_, c), v);  // also "Infinity", "NaN"
    return v;
  }

 private:
  const PGresult* r_;
  int row_;
};

// BEGIN ... COMMIT; rolls back unless committed.
class Tx {
 public:
  explicit Tx(PGconn* conn) : conn_(conn), begun_(Exec(conn, "BEGIN", "begin transaction")) {}
  ~Tx() {
    if (begun_.ok() && !done_ && PQstatus(conn_) == CONNECTION_OK) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  const core::Status& begun() const { return begun_; }
  core::Status Commit() {
    done_ = true;
    auto r = Query(conn_, "COMMIT", Params(), "commit");
    if (!r.ok()) return r.status();
    // COMMIT of a transaction that had failed answers "ROLLBACK" without an error.
    if (std::string(PQcmdStatus(r->get())) != "COMMIT") {
      return core::Internal("transaction was rolled back by the server");
    }
    return core::Status::Ok();
  }

 private:
  PGconn* conn_;
  core::Status begun_;
  bool done_ = false;
};

// Alert columns, then the latest acknowledgement (NULLs when none).
const char* kAlertSelect =
    "SELECT a.id, a.camera, a.rule, a.zone, a.type, a.severity, a.state, a.opened_ms, "
    "a.last_event_ms, a.incident_ids, a.active_incidents, a.event_count, a.escalation_level, "
    "a.resolved_by, a.resolved_ms, a.resolution_note, k.who, k.at_ms, k.note "
    "FROM alerts a LEFT JOIN LATERAL (SELECT who, at_ms, note FROM acknowledgements "
    "WHERE alert_id = a.id ORDER BY id DESC LIMIT 1) k ON true";

core::Result<Alert> ReadAlert(const Row& s) {
  auto a = ReadAlertColumns(s);
  if (a.ok() && !s.IsNull(16)) a->ack = AlertAction{s.Text(16), FromMs(s.Int(17)), s.Text(18)};
  return a;
}

// Times are milliseconds since the epoch (BIGINT), as in the SQLite schema, so both
// backends round-trip the same values exactly.
const std::vector<std::string> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_ms BIGINT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('start', 'update', 'end')),
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity SMALLINT NOT NULL CHECK (severity BETWEEN 0 AND 3),
  t DOUBLE PRECISION NOT NULL,
  frame BIGINT NOT NULL,
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  bbox_x DOUBLE PRECISION NOT NULL, bbox_y DOUBLE PRECISION NOT NULL,
  bbox_w DOUBLE PRECISION NOT NULL, bbox_h DOUBLE PRECISION NOT NULL,
  zone TEXT NOT NULL,
  details JSONB NOT NULL
);
CREATE INDEX events_by_received ON events (received_ms);
CREATE INDEX events_by_camera ON events (camera, seq);
CREATE INDEX events_by_event_id ON events (event_id);
CREATE INDEX events_by_severity ON events (severity, received_ms);

CREATE TABLE alerts (
  id BIGINT PRIMARY KEY CHECK (id > 0),
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  zone TEXT NOT NULL,
  type TEXT NOT NULL,
  severity SMALLINT NOT NULL CHECK (severity BETWEEN 0 AND 3),
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  opened_ms BIGINT NOT NULL,
  last_event_ms BIGINT NOT NULL,
  incident_ids JSONB NOT NULL,
  active_incidents INTEGER NOT NULL,
  event_count BIGINT NOT NULL,
  escalation_level INTEGER NOT NULL,
  resolved_by TEXT,
  resolved_ms BIGINT,
  resolution_note TEXT
);
CREATE INDEX alerts_by_state ON alerts (state, id);
CREATE INDEX alerts_by_camera ON alerts (camera, id);
CREATE SEQUENCE alert_ids AS BIGINT;

CREATE TABLE acknowledgements (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  who TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX acknowledgements_by_alert ON acknowledgements (alert_id, id);

CREATE TABLE cameras (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  last_seen_ms BIGINT NOT NULL
);

CREATE TABLE sensor_readings (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sensor TEXT NOT NULL,
  kind TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  unit TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX sensor_readings_by_sensor ON sensor_readings (sensor, at_ms);
CREATE INDEX sensor_readings_by_time ON sensor_readings (at_ms);

CREATE TABLE audit_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  who TEXT NOT NULL,
  what TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  from_addr TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql",
    // 2: users and API tokens. The identity never hands an id out twice, so an id in
    // the audit log names one token for good.
    R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY CHECK (name <> ''),
  role TEXT NOT NULL CHECK (role <> ''),
  password_hash TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  disabled BOOLEAN NOT NULL
);

CREATE TABLE api_tokens (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role <> ''),
  token_hash TEXT NOT NULL UNIQUE CHECK (token_hash <> ''),
  created_by TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  revoked BOOLEAN NOT NULL
);
)sql",
    // 3: what each camera learned about normal activity (src/learn), one row per camera.
    R"sql(
CREATE TABLE learned_models (
  camera TEXT PRIMARY KEY CHECK (camera <> ''),
  model TEXT NOT NULL,
  updated_ms BIGINT NOT NULL
);
)sql",
    // 4: the login limiter's failure counts and lockouts (auth), so a restart keeps them.
    R"sql(
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY CHECK (key <> ''),
  failures_ms TEXT NOT NULL,
  locked_until_ms BIGINT NOT NULL,
  lockouts BIGINT NOT NULL CHECK (lockouts >= 0),
  forget_ms BIGINT NOT NULL
);
CREATE INDEX login_failures_by_forget ON login_failures (forget_ms);
)sql",
    // 5: several nodes on one store (issue 17): login sessions any node recognises, the
    // node registry and the camera leases with their fencing epoch.
    R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY CHECK (token_hash <> ''),
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  credentials TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_ms);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY CHECK (id <> ''),
  address TEXT NOT NULL,
  version TEXT NOT NULL,
  started_ms BIGINT NOT NULL,
  heartbeat_ms BIGINT NOT NULL,
  load DOUBLE PRECISION NOT NULL
);

CREATE TABLE camera_leases (
  camera TEXT PRIMARY KEY CHECK (camera <> ''),
  node TEXT NOT NULL CHECK (node <> ''),
  epoch BIGINT NOT NULL CHECK (epoch > 0),
  expires_ms BIGINT NOT NULL
);
)sql",
    // 6: the site's own records (issue 17 part 4): the node that held each lease epoch
    // (evidence stays on the node that found the incident), kept by triggers whoever
    // writes the lease; and one site alert per occurrence however many nodes raise it.
    R"sql(
CREATE TABLE lease_history (
  camera TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  node TEXT NOT NULL,
  PRIMARY KEY (camera, epoch)
);
INSERT INTO lease_history (camera, epoch, node) SELECT camera, epoch, node FROM camera_leases;
CREATE FUNCTION argus_lease_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lease_history (camera, epoch, node) VALUES (NEW.camera, NEW.epoch, NEW.node)
    ON CONFLICT (camera, epoch) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER camera_leases_taken AFTER INSERT ON camera_leases
  FOR EACH ROW EXECUTE FUNCTION argus_lease_history();
CREATE TRIGGER camera_leases_moved AFTER UPDATE ON camera_leases
  FOR EACH ROW WHEN (OLD.epoch IS DISTINCT FROM NEW.epoch)
  EXECUTE FUNCTION argus_lease_history();
CREATE UNIQUE INDEX alerts_site_once ON alerts (type, incident_ids) WHERE camera = '';
)sql",
    // 7 (issue 17 part 5): the config each node runs and the one the site runs.
    R"sql(
ALTER TABLE nodes ADD COLUMN IF NOT EXISTS config_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN IF NOT EXISTS config_version TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS site_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  hash TEXT NOT NULL CHECK (hash <> ''),
  version TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_ms BIGINT NOT NULL
);
)sql",
};

core::Status AppendAuditLocked(PGconn* conn, const AuditEntry& e) {
  Params p;
  const std::string sql = "INSERT INTO audit_log (who, what, at_ms, from_addr) VALUES (" +
                          p.Add(e.who) + ", " + p.Add(e.what) + ", " + p.Add(ToMs(e.when)) + ", " +
                          p.Add(e.from) + ")";
  return Exec(conn, sql, p, "audit log append");
}

// The INSERT of alert `a` as a new open alert, its values added to `p`.
std::string AlertInsertSql(const Alert& a, Params& p) {
  const nlohmann::json ids = a.incident_ids;
  return "INSERT INTO alerts (id, camera, rule, zone, type, severity, state, opened_ms, "
         "last_event_ms, incident_ids, active_incidents, event_count, escalation_level) "
         "VALUES (" +
         p.Add(a.id) + ", " + p.Add(a.camera) + ", " + p.Add(a.rule) + ", " + p.Add(a.zone) + ", " +
         p.Add(a.type) + ", " + p.Add(static_cast<int>(a.severity)) + ", " +
         p.Add(events::ToString(AlertState::kOpen)) + ", " + p.Add(ToMs(a.opened_at)) + ", " +
         p.Add(ToMs(a.last_event_at)) + ", " + p.Add(ids.dump()) + ", " +
         p.Add(a.active_incidents) + ", " + p.Add(a.event_count) + ", " +
         p.Add(a.escalation_level) + ")";
}

// Locks alert `id` for the caller's transaction and checks that it is in state `from`.
core::Status LockAndCheckState(PGconn* conn, int64_t id, AlertState from, const char* verb) {
  Params p;
  auto r = Query(conn, "SELECT state FROM alerts WHERE id = " + p.Add(id) + " FOR UPDATE", p,
                 "alert lookup");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no alert " + std::to_string(id));
  const std::string state = Row(r->get(), 0).Text(0);
  if (state != events::ToString(from)) {
    return core::InvalidArgument("alert " + std::to_string(id) + " is " + state + ", only an " +
                                 events::ToString(from) + " alert can be " + verb);
  }
  return core::Status::Ok();
}

}  // namespace

const std::vector<std::string>& PgMigrations() { return kMigrations; }

core::Result<int> PgSchemaVersion(PGconn* conn) {
  auto exists = Query(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL", Params(),
                      "schema_migrations lookup");
  if (!exists.ok()) return exists.status();
  if (Row(exists->get(), 0).Text(0) != "t") return 0;
  auto v = Query(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations", Params(),
                 "schema_migrations read");
  if (!v.ok()) return v.status();
  return static_cast<int>(Row(v->get(), 0).Int(0));
}

core::Status PgMigrate(PGconn* conn, const std::vector<std::string>& migrations) {
  const int target = static_cast<int>(migrations.size());
  for (;;) {
    Tx tx(conn);
    ARGUS_RETURN_IF_ERROR(tx.begun());
    // Held until this transaction ends: another node migrating at the same time
    // waits here and then reads the version this one committed.
    Params lock;
    ARGUS_RETURN_IF_ERROR(Exec(conn,
                               "SELECT pg_advisory_xact_lock(" + lock.Add(kMigrationLockKey) + ")",
                               lock, "migration lock"));
    auto version = PgSchemaVersion(conn);
    if (!version.ok()) return version.status();
    if (*version == 0) {
      // The table may exist but be empty: no "already exists" notice on stderr.
      ARGUS_RETURN_IF_ERROR(
          Exec(conn, "SET LOCAL client_min_messages = warning", "create schema_migrations"));
      ARGUS_RETURN_IF_ERROR(Exec(conn,
                                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 "version INTEGER PRIMARY KEY, "
                                 "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                                 "create schema_migrations"));
    }
    if (*version > target) {
      return core::InvalidArgument("database schema version " + std::to_string(*version) +
                                   " is newer than this argus supports (" + std::to_string(target) +
                                   "); upgrade argus");
    }
    if (*version == target) return tx.Commit();
    const int next = *version + 1;
    // PQexec: a migration is a script of several statements.
    PgResult r(PQexec(conn, migrations[*version].c_str()));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const core::Status s = PgError(conn, r.get(), "sql error");
      return core::Status(s.code(),
                          "migration " + std::to_string(next) + " failed: " + s.message());
    }
    Params v;
    ARGUS_RETURN_IF_ERROR(
        Exec(conn, "INSERT INTO schema_migrations (version) VALUES (" + v.Add(next) + ")", v,
             "record migration"));
    ARGUS_RETURN_IF_ERROR(tx.Commit());
  }
}

core::Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo) {
  // expand_dbname: `conninfo` is parsed as a whole conninfo string or URI; its own
  // settings override the earlier connect_timeout default.
  const std::string timeout = std::to_string(kDefaultPgConnectTimeoutS);
  // Kept by PQreset: a reconnected session has it too.
  const std::string options =
      "-c idle_in_transaction_session_timeout=" + std::to_string(kPgIdleInTransactionS * 1000);
  const char* keys[] = {"connect_timeout", "options", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), options.c_str(), conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return core::Internal("store: libpq could not allocate a connection");
  std::unique_ptr<PgStore> store(new PgStore(conn));  // PQfinish on every path
  if (PQstatus(conn) != CONNECTION_OK) {
    // The message names host/socket and the reason; the conninfo itself may hold a
    // password, so it is not repeated.
    return core::Unavailable("store: cannot connect to postgres: " +
                             TrimmedError(PQerrorMessage(conn)));
  }
  core::Status m = PgMigrate(conn, kMigrations);
  if (!m.ok()) {
    return core::Status(m.code(),
                        std::string("store postgres db ") + PQdb(conn) + ": " + m.message());
  }
  return store;
}

PgStore::~PgStore() { PQfinish(conn_); }

core::Status PgStore::EnsureConnectedLocked() {
  if (PQstatus(conn_) == CONNECTION_OK) {
    // Reads what the server sent since the last call without blocking: a server that
    // shut down or restarted has sent its goodbye and closed the socket, which marks
    // the connection bad. Twice: the first read may stop after the goodbye message,
    // before seeing the end of the stream.
    for (int i = 0; i < 2 && PQstatus(conn_) == CONNECTION_OK; ++i) PQconsumeInput(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) return core::Status::Ok();
  }
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) return core::Status::Ok();
  return core::Unavailable("postgres unreachable, reconnect failed: " +
                           TrimmedError(PQerrorMessage(conn_)));
}

core::Status PgStore::InsertEventLocked(const events::Event& e, core::WallTime received_at) {
  Params p;
  std::string sql =
      "INSERT INTO events (received_ms, event_id, type, phase, camera, rule, severity, t, "
      "frame, track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details) VALUES (";
  sql += p.Add(ToMs(received_at)) + ", " + p.Add(e.id) + ", " + p.Add(e.type) + ", " +
         p.Add(events::ToString(e.phase)) + ", " + p.Add(e.camera) + ", " + p.Add(e.rule) + ", " +
         p.Add(static_cast<int>(e.severity)) + ", " + p.Add(e.t) + ", " + p.Add(e.frame) + ", " +
         p.Add(e.track_id) + ", " + p.Add(e.label) + ", " + p.Add(e.bbox.x) + ", " +
         p.Add(e.bbox.y) + ", " + p.Add(e.bbox.w) + ", " + p.Add(e.bbox.h) + ", " + p.Add(e.zone) +
         ", " + p.Add(e.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
         ")";
  return Exec(conn_, sql, p, "insert event " + e.id);
}

core::Status PgStore::InsertEvent(const events::Event& e, core::WallTime received_at) {
  if (fence_ && fence_->Epoch(e.camera)) return InsertEvents({e}, received_at);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return InsertEventLocked(e, received_at);  // autocommit: one transaction
}

core::Status PgStore::InsertEvents(const std::vector<events::Event>& es,
                                   core::WallTime received_at) {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  core::Status refused;
  // One statement per event keeps seq in the order of `es`.
  ARGUS_RETURN_IF_ERROR(WriteUnfencedEvents(
      es, [&](const std::string& camera) { return CheckFenceLocked(camera); },
      [&](const events::Event& e) { return InsertEventLocked(e, received_at); }, &refused));
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return refused;
}

core::Status PgStore::CheckFenceLocked(const std::string& camera) {
  const std::optional<int64_t> epoch = fence_ ? fence_->Epoch(camera) : std::nullopt;
  if (!epoch) return core::Status::Ok();
  const std::string lost = "fenced: node " + fence_->node() + " holds no lease on camera " + camera;
  if (*epoch == 0) return core::PermissionDenied(lost);
  // FOR SHARE: no one takes the lease over until this transaction ends.
  Params p;
  auto r = Query(conn_,
                 "SELECT 1 FROM camera_leases WHERE camera = " + p.Add(camera) + " AND node = " +
                     p.Add(fence_->node()) + " AND epoch = " + p.Add(*epoch) + " FOR SHARE",
                 p, "lease check");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) {
    return core::PermissionDenied(lost + " at epoch " + std::to_string(*epoch));
  }
  return core::Status::Ok();
}

core::Result<EventPage> PgStore::QueryEvents(const EventQuery& q) {
  Params p;
  std::string sql =
      "SELECT seq, received_ms, event_id, type, phase, camera, rule, severity, t, frame, "
      "track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details FROM events WHERE true";
  if (q.from) sql += " AND received_ms >= " + p.Add(ToMs(*q.from));
  if (q.to) sql += " AND received_ms < " + p.Add(ToMs(*q.to));
  if (!q.camera.empty()) sql += " AND camera = " + p.Add(q.camera);
  if (!q.type.empty()) sql += " AND type = " + p.Add(q.type);
  if (q.min_severity) sql += " AND severity >= " + p.Add(static_cast<int>(*q.min_severity));
  if (q.before_seq > 0) sql += " AND seq < " + p.Add(q.before_seq);
  const int limit = ClampLimit(q.limit);
  // One extra row tells whether a next page exists.
  sql += " ORDER BY seq DESC LIMIT " + p.Add(limit + 1);

  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "query events");
  if (!r.ok()) return r.status();
  const int rows = PQntuples(r->get());
  EventPage page;
  for (int i = 0; i < rows; ++i) {
    if (static_cast<int>(page.events.size()) == limit) {
      page.next_before_seq = page.events.back().seq;
      break;
    }
    const Row s(r->get(), i);
    page.events.push_back(ReadEventColumns(s));
  }
  return page;
}

core::Result<std::vector<StoredEvent>> PgStore::IncidentsWithoutAlert(const std::string& camera,
                                                                      core::WallTime from) {
  Params p;
  std::string sql =
      "SELECT seq, received_ms, event_id, type, phase, camera, rule, severity, t, frame, "
      "track_id, label, bbox_x, bbox_y, bbox_w, bbox_h, zone, details FROM events e "
      "WHERE phase = 'start' AND received_ms >= " +
      p.Add(ToMs(from));
  if (!camera.empty()) sql += " AND camera = " + p.Add(camera);
  sql +=
      " AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.camera = e.camera AND "
      "jsonb_exists(a.incident_ids, e.event_id)) ORDER BY seq LIMIT " +
      p.Add(kMaxPageSize);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "incidents without alert");
  if (!r.ok()) return r.status();
  std::vector<StoredEvent> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadEventColumns(Row(r->get(), i)));
  return out;
}

core::Status PgStore::UpsertAlert(const Alert& a) {
  if (a.id <= 0) return core::InvalidArgument("alert id must be > 0");
  Params p;
  std::string sql = AlertInsertSql(a, p);
  // On conflict the state is not touched: only Acknowledge/Resolve move it, so a
  // late upsert from the event path cannot undo an acknowledgement.
  sql +=
      " ON CONFLICT (id) DO UPDATE SET camera = excluded.camera, rule = excluded.rule, "
      "zone = excluded.zone, type = excluded.type, severity = excluded.severity, "
      "opened_ms = excluded.opened_ms, last_event_ms = excluded.last_event_ms, "
      "incident_ids = excluded.incident_ids, active_incidents = excluded.active_incidents, "
      "event_count = excluded.event_count, "
      "escalation_level = greatest(alerts.escalation_level, excluded.escalation_level)";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  if (!fence_ || !fence_->Epoch(a.camera)) {
    return Exec(conn_, sql, p, "upsert alert " + std::to_string(a.id));
  }
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  ARGUS_RETURN_IF_ERROR(CheckFenceLocked(a.camera));
  ARGUS_RETURN_IF_ERROR(Exec(conn_, sql, p, "upsert alert " + std::to_string(a.id)));
  return tx.Commit();
}

core::Result<Alert> PgStore::GetAlertLocked(int64_t id) {
  Params p;
  auto r = Query(conn_, std::string(kAlertSelect) + " WHERE a.id = " + p.Add(id), p, "get alert");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no alert " + std::to_string(id));
  return ReadAlert(Row(r->get(), 0));
}

core::Result<Alert> PgStore::GetAlert(int64_t id) {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return GetAlertLocked(id);
}

core::Result<std::vector<Alert>> PgStore::ListAlerts(const AlertQuery& q) {
  Params p;
  std::string sql = std::string(kAlertSelect) + " WHERE true";
  if (q.state) sql += " AND a.state = " + p.Add(events::ToString(*q.state));
  if (!q.camera.empty()) sql += " AND a.camera = " + p.Add(q.camera);
  if (q.before_id > 0) sql += " AND a.id < " + p.Add(q.before_id);
  sql += " ORDER BY a.id DESC LIMIT " + p.Add(ClampLimit(q.limit));
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "list alerts");
  if (!r.ok()) return r.status();
  std::vector<Alert> out;
  const int rows = PQntuples(r->get());
  out.reserve(rows);
  for (int i = 0; i < rows; ++i) {
    auto a = ReadAlert(Row(r->get(), i));
    if (!a.ok()) return a.status();
    out.push_back(std::move(*a));
  }
  return out;
}

core::Result<int64_t> PgStore::MaxAlertId() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, "SELECT coalesce(max(id), 0) FROM alerts", Params(), "max alert id");
  if (!r.ok()) return r.status();
  return Row(r->get(), 0).Int(0);
}

core::Result<int64_t> PgStore::NextAlertId() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  // The lock makes "next value, but above every stored id" atomic across nodes; the
  // sequence alone would not see ids that a caller chose itself.
  Params lock_key;
  ARGUS_RETURN_IF_ERROR(Exec(conn_,
                             "SELECT pg_advisory_xact_lock(" + lock_key.Add(kAlertIdLockKey) + ")",
                             lock_key, "alert id lock"));
  auto r = Query(conn_,
                 "SELECT setval('alert_ids', greatest(nextval('alert_ids'), "
                 "(SELECT coalesce(max(id), 0) + 1 FROM alerts)))",
                 Params(), "next alert id");
  if (!r.ok()) return r.status();
  const int64_t id = Row(r->get(), 0).Int(0);
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return id;
}

core::Status PgStore::Acknowledge(int64_t alert_id, const AlertAction& ack,
                                  const std::string& from) {
  if (ack.who.empty()) return core::InvalidArgument("acknowledge: who is empty");
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  ARGUS_RETURN_IF_ERROR(LockAndCheckState(conn_, alert_id, AlertState::kOpen, "acknowledged"));
  Params up;
  ARGUS_RETURN_IF_ERROR(
      Exec(conn_, "UPDATE alerts SET state = 'acknowledged' WHERE id = " + up.Add(alert_id), up,
           "acknowledge alert"));
  Params ins;
  const std::string sql = "INSERT INTO acknowledgements (alert_id, who, at_ms, note) VALUES (" +
                          ins.Add(alert_id) + ", " + ins.Add(ack.who) + ", " +
                          ins.Add(ToMs(ack.when)) + ", " + ins.Add(ack.note) + ")";
  ARGUS_RETURN_IF_ERROR(Exec(conn_, sql, ins, "insert acknowledgement"));
  ARGUS_RETURN_IF_ERROR(AppendAuditLocked(
      conn_, {0, ack.who, "acknowledge alert " + std::to_string(alert_id), ack.when, from}));
  return tx.Commit();
}

core::Status PgStore::Resolve(int64_t alert_id, const AlertAction& resolution,
                              const std::string& from) {
  if (resolution.who.empty()) return core::InvalidArgument("resolve: who is empty");
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  ARGUS_RETURN_IF_ERROR(LockAndCheckState(conn_, alert_id, AlertState::kAcknowledged, "resolved"));
  Params p;
  const std::string sql =
      "UPDATE alerts SET state = 'resolved', resolved_by = " + p.Add(resolution.who) +
      ", resolved_ms = " + p.Add(ToMs(resolution.when)) +
      ", resolution_note = " + p.Add(resolution.note) + " WHERE id = " + p.Add(alert_id);
  ARGUS_RETURN_IF_ERROR(Exec(conn_, sql, p, "resolve alert"));
  ARGUS_RETURN_IF_ERROR(AppendAuditLocked(
      conn_,
      {0, resolution.who, "resolve alert " + std::to_string(alert_id), resolution.when, from}));
  return tx.Commit();
}

core::Status PgStore::UpsertCamera(const CameraRecord& c) {
  if (c.name.empty()) return core::InvalidArgument("camera name is empty");
  Params p;
  const std::string sql = "INSERT INTO cameras (name, status, last_seen_ms) VALUES (" +
                          p.Add(c.name) + ", " + p.Add(c.status) + ", " + p.Add(ToMs(c.last_seen)) +
                          ") ON CONFLICT (name) DO UPDATE SET status = excluded.status, "
                          "last_seen_ms = excluded.last_seen_ms";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "upsert camera " + c.name);
}

core::Result<std::vector<CameraRecord>> PgStore::ListCameras() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  // COLLATE "C": byte order, as SQLite, whatever the database's locale.
  auto r =
      Query(conn_, "SELECT name, status, last_seen_ms FROM cameras ORDER BY name COLLATE \"C\"",
            Params(), "list cameras");
  if (!r.ok()) return r.status();
  std::vector<CameraRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    const Row s(r->get(), i);
    out.push_back({s.Text(0), s.Text(1), FromMs(s.Int(2))});
  }
  return out;
}

core::Status PgStore::InsertSensorReading(const SensorReading& r) {
  if (r.sensor.empty()) return core::InvalidArgument("sensor name is empty");
  Params p;
  const std::string sql =
      "INSERT INTO sensor_readings (sensor, kind, value, unit, at_ms) VALUES (" + p.Add(r.sensor) +
      ", " + p.Add(r.kind) + ", " + p.Add(r.value) + ", " + p.Add(r.unit) + ", " +
      p.Add(ToMs(r.at)) + ")";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "insert sensor reading");
}

core::Result<std::vector<SensorReading>> PgStore::QuerySensorReadings(const std::string& sensor,
                                                                      core::WallTime from,
                                                                      core::WallTime to,
                                                                      int limit) {
  Params p;
  std::string sql =
      "SELECT seq, sensor, kind, value, unit, at_ms FROM sensor_readings WHERE at_ms >= " +
      p.Add(ToMs(from)) + " AND at_ms < " + p.Add(ToMs(to));
  if (!sensor.empty()) sql += " AND sensor = " + p.Add(sensor);
  sql += " ORDER BY at_ms, seq LIMIT " + p.Add(ClampLimit(limit));
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "query sensor readings");
  if (!r.ok()) return r.status();
  std::vector<SensorReading> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    const Row s(r->get(), i);
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Real(3), s.Text(4), FromMs(s.Int(5))});
  }
  return out;
}

core::Status PgStore::AppendAudit(const AuditEntry& e) {
  if (e.who.empty() || e.what.empty()) return core::InvalidArgument("audit: who/what empty");
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return AppendAuditLocked(conn_, e);
}

core::Result<std::vector<AuditEntry>> PgStore::ListAudit(int64_t before_seq, int limit) {
  Params p;
  std::string sql = "SELECT seq, who, what, at_ms, from_addr FROM audit_log";
  if (before_seq > 0) sql += " WHERE seq < " + p.Add(before_seq);
  sql += " ORDER BY seq DESC LIMIT " + p.Add(ClampLimit(limit));
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "list audit log");
  if (!r.ok()) return r.status();
  std::vector<AuditEntry> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    const Row s(r->get(), i);
    out.push_back({s.Int(0), s.Text(1), s.Text(2), FromMs(s.Int(3)), s.Text(4)});
  }
  return out;
}

core::Status PgStore::UpsertUser(const UserRecord& u) {
  ARGUS_RETURN_IF_ERROR(CheckUser(u));
  Params p;
  const std::string sql =
      "INSERT INTO users (name, role, password_hash, created_ms, disabled) VALUES (" +
      p.Add(u.name) + ", " + p.Add(u.role) + ", " + p.Add(u.password_hash) + ", " +
      p.Add(ToMs(u.created_at)) + ", " + p.Add(u.disabled) +
      ") ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
      "password_hash = excluded.password_hash, created_ms = excluded.created_ms, "
      "disabled = excluded.disabled";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "upsert user " + u.name);
}

core::Result<UserRecord> PgStore::GetUser(const std::string& name) {
  Params p;
  const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE name = " + p.Add(name);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "get user");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no user " + name);
  return ReadUserColumns(Row(r->get(), 0));
}

core::Result<std::vector<UserRecord>> PgStore::ListUsers() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  // COLLATE "C": byte order, as SQLite, whatever the database's locale.
  auto r = Query(conn_,
                 std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name COLLATE \"C\"",
                 Params(), "list users");
  if (!r.ok()) return r.status();
  std::vector<UserRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadUserColumns(Row(r->get(), i)));
  return out;
}

core::Result<int64_t> PgStore::InsertApiToken(const ApiTokenRecord& t) {
  ARGUS_RETURN_IF_ERROR(CheckApiToken(t));
  Params p;
  // A duplicate hash violates the UNIQUE constraint (SQLSTATE 23505), which PgError
  // maps to kInvalidArgument.
  const std::string sql =
      "INSERT INTO api_tokens (name, role, token_hash, created_by, created_ms, revoked) "
      "VALUES (" +
      p.Add(t.name) + ", " + p.Add(t.role) + ", " + p.Add(t.token_hash) + ", " +
      p.Add(t.created_by) + ", " + p.Add(ToMs(t.created_at)) + ", " + p.Add(t.revoked) +
      ") RETURNING id";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "insert api token " + t.name);
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) != 1) {
    return core::Internal("insert api token " + t.name + ": no id returned");
  }
  return Row(r->get(), 0).Int(0);
}

core::Result<ApiTokenRecord> PgStore::FindApiToken(const std::string& token_hash) {
  Params p;
  const std::string sql = std::string("SELECT ") + kApiTokenColumns +
                          " FROM api_tokens WHERE token_hash = " + p.Add(token_hash);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "find api token");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no such api token");  // hash not repeated
  return ReadApiTokenColumns(Row(r->get(), 0));
}

core::Result<std::vector<ApiTokenRecord>> PgStore::ListApiTokens() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens ORDER BY id",
                 Params(), "list api tokens");
  if (!r.ok()) return r.status();
  std::vector<ApiTokenRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back(ReadApiTokenColumns(Row(r->get(), i)));
  }
  return out;
}

core::Status PgStore::RevokeApiToken(int64_t id) {
  Params p;
  const std::string sql = "UPDATE api_tokens SET revoked = true WHERE id = " + p.Add(id);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "revoke api token " + std::to_string(id));
  if (!r.ok()) return r.status();
  // Counts matched rows, also those already revoked: revoking twice is ok.
  if (Affected(r->get()) == 0) return core::NotFound("no api token " + std::to_string(id));
  return core::Status::Ok();
}

core::Result<RetentionResult> PgStore::ApplyRetention(const RetentionPolicy& p,
                                                      core::WallTime now) {
  for (const auto& [sev, days] : p.days) {
    if (days < 0) return core::InvalidArgument("retention days must be >= 0");
  }
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  RetentionResult out;
  for (const auto& [sev, days] : p.days) {
    const int64_t cutoff = ToMs(now - std::chrono::hours(24) * days);
    Params ev;
    auto e = Query(conn_,
                   "DELETE FROM events WHERE severity = " + ev.Add(static_cast<int>(sev)) +
                       " AND received_ms < " + ev.Add(cutoff),
                   ev, "retention: events");
    if (!e.ok()) return e.status();
    out.events_deleted += Affected(e->get());
    Params al;
    auto a = Query(conn_,
                   "DELETE FROM alerts WHERE severity = " + al.Add(static_cast<int>(sev)) +
                       " AND state = 'resolved' AND resolved_ms < " + al.Add(cutoff),
                   al, "retention: alerts");
    if (!a.ok()) return a.status();
    out.alerts_deleted += Affected(a->get());
  }
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return out;
}

core::Status PgStore::SaveLearnedModel(const std::string& camera, const std::string& model,
                                       core::WallTime at) {
  if (camera.empty()) return core::InvalidArgument("camera name is empty");
  Params p;
  const std::string sql = "INSERT INTO learned_models (camera, model, updated_ms) VALUES (" +
                          p.Add(camera) + ", " + p.Add(model) + ", " + p.Add(ToMs(at)) +
                          ") ON CONFLICT (camera) DO UPDATE SET model = excluded.model, "
                          "updated_ms = excluded.updated_ms";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "save learned model of " + camera);
}

core::Result<std::string> PgStore::LoadLearnedModel(const std::string& camera) {
  Params p;
  const std::string sql = "SELECT model FROM learned_models WHERE camera = " + p.Add(camera);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "load learned model of " + camera);
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no learned model for camera " + camera);
  return Row(r->get(), 0).Text(0);
}

core::Status PgStore::SaveLoginFailures(const LoginFailureRecord& r) {
  ARGUS_RETURN_IF_ERROR(CheckLoginFailureRecord(r));
  Params p;
  const std::string sql =
      std::string("INSERT INTO login_failures (") + kLoginFailureColumns + ") VALUES (" +
      p.Add(r.key) + ", " + p.Add(FormatMsList(r.failures)) + ", " + p.Add(ToMs(r.locked_until)) +
      ", " + p.Add(static_cast<int64_t>(r.lockouts)) + ", " + p.Add(ToMs(r.forget_at)) +
      ") ON CONFLICT (key) DO UPDATE SET failures_ms = excluded.failures_ms, "
      "locked_until_ms = excluded.locked_until_ms, lockouts = excluded.lockouts, "
      "forget_ms = excluded.forget_ms";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "save login failures of " + r.key);
}

core::Status PgStore::DeleteLoginFailures(const std::string& key) {
  Params p;
  const std::string sql = "DELETE FROM login_failures WHERE key = " + p.Add(key);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "delete login failures of " + key);
}

core::Result<std::vector<LoginFailureRecord>> PgStore::ListLoginFailures(core::WallTime now) {
  Params p;
  const std::string sql = std::string("SELECT ") + kLoginFailureColumns +
                          " FROM login_failures WHERE forget_ms > " + p.Add(ToMs(now)) +
                          " ORDER BY key COLLATE \"C\"";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "list login failures");
  if (!r.ok()) return r.status();
  std::vector<LoginFailureRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back(ReadLoginFailureColumns(Row(r->get(), i)));
  }
  return out;
}

core::Result<int64_t> PgStore::PruneLoginFailures(core::WallTime now, int max_rows) {
  Params p;
  const std::string sql =
      "DELETE FROM login_failures WHERE key IN (SELECT key FROM login_failures WHERE forget_ms "
      "<= " +
      p.Add(ToMs(now)) + " ORDER BY forget_ms LIMIT " + p.Add(static_cast<int64_t>(max_rows)) + ")";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "prune login failures");
  if (!r.ok()) return r.status();
  return Affected(r->get());
}

}  // namespace argus::store

namespace argus::store {

core::Status PgStore::InsertSession(const SessionRecord& x) {
  Params p;
  const std::string sql =
      "INSERT INTO sessions (token_hash, user_name, role, credentials, created_ms, expires_ms, "
      "last_seen_ms) VALUES (" +
      p.Add(x.token_hash) + ", " + p.Add(x.user) + ", " + p.Add(x.role) + ", " +
      p.Add(x.credentials) + ", " + p.Add(ToMs(x.created_at)) + ", " + p.Add(ToMs(x.expires_at)) +
      ", " + p.Add(ToMs(x.last_seen)) + ")";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "insert session");
}

core::Result<SessionRecord> PgStore::GetSession(const std::string& token_hash) {
  Params p;
  const std::string sql =
      "SELECT token_hash, user_name, role, credentials, created_ms, expires_ms, last_seen_ms "
      "FROM sessions WHERE token_hash = " +
      p.Add(token_hash);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "get session");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return core::NotFound("no such session");
  return ReadSessionColumns(Row(r->get(), 0));
}

core::Status PgStore::TouchSession(const std::string& token_hash, core::WallTime at) {
  Params p;
  const std::string sql = "UPDATE sessions SET last_seen_ms = greatest(last_seen_ms, " +
                          p.Add(ToMs(at)) + ") WHERE token_hash = " + p.Add(token_hash);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "touch session");
}

core::Status PgStore::DeleteSession(const std::string& token_hash) {
  Params p;
  const std::string sql = "DELETE FROM sessions WHERE token_hash = " + p.Add(token_hash);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "delete session");
}

core::Status PgStore::DeleteSessionsOf(const std::string& user) {
  Params p;
  const std::string sql = "DELETE FROM sessions WHERE user_name = " + p.Add(user);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "delete sessions of " + user);
}

core::Result<int64_t> PgStore::PruneSessions(core::WallTime now, core::WallTime idle_before,
                                             int64_t keep) {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  Tx tx(conn_);
  ARGUS_RETURN_IF_ERROR(tx.begun());
  Params ended;
  ARGUS_RETURN_IF_ERROR(Exec(conn_,
                             "DELETE FROM sessions WHERE expires_ms <= " + ended.Add(ToMs(now)) +
                                 " OR last_seen_ms < " + ended.Add(ToMs(idle_before)),
                             ended, "prune ended sessions"));
  Params over;
  ARGUS_RETURN_IF_ERROR(Exec(conn_,
                             "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM "
                             "sessions ORDER BY last_seen_ms DESC, token_hash OFFSET " +
                                 over.Add(std::max<int64_t>(keep, 0)) + ")",
                             over, "prune sessions beyond the limit"));
  auto n = Query(conn_, "SELECT count(*) FROM sessions", Params(), "count sessions");
  if (!n.ok()) return n.status();
  const int64_t left = Row(n->get(), 0).Int(0);
  ARGUS_RETURN_IF_ERROR(tx.Commit());
  return left;
}

core::Status PgStore::UpsertNode(const NodeRecord& n) {
  Params p;
  const std::string sql =
      "INSERT INTO nodes (id, address, version, started_ms, heartbeat_ms, load, config_hash, "
      "config_version) VALUES (" +
      p.Add(n.id) + ", " + p.Add(n.address) + ", " + p.Add(n.version) + ", " +
      p.Add(ToMs(n.started_at)) + ", " + p.Add(ToMs(n.heartbeat_at)) + ", " + p.Add(n.load) + ", " +
      p.Add(n.config_hash) + ", " + p.Add(n.config_version) +
      ") ON CONFLICT (id) DO UPDATE SET address = excluded.address, version = excluded.version, "
      "started_ms = excluded.started_ms, heartbeat_ms = excluded.heartbeat_ms, load = "
      "excluded.load, config_hash = excluded.config_hash, config_version = "
      "excluded.config_version";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "upsert node " + n.id);
}

core::Result<std::vector<NodeRecord>> PgStore::ListNodes() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_,
                 "SELECT id, address, version, started_ms, heartbeat_ms, load, config_hash, "
                 "config_version FROM nodes ORDER BY id",
                 Params(), "list nodes");
  if (!r.ok()) return r.status();
  std::vector<NodeRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    const Row row(r->get(), i);
    NodeRecord n = ReadNodeColumns(row);
    n.config_hash = row.Text(6);
    n.config_version = row.Text(7);
    out.push_back(std::move(n));
  }
  return out;
}

core::Result<std::optional<SiteConfigRecord>> PgStore::GetSiteConfig() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, "SELECT hash, version, set_by, set_ms FROM site_config WHERE id = 1",
                 Params(), "read site config");
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) return std::optional<SiteConfigRecord>();
  const Row row(r->get(), 0);
  return std::optional(SiteConfigRecord{row.Text(0), row.Text(1), row.Text(2), FromMs(row.Int(3))});
}

core::Result<bool> PgStore::PutSiteConfig(const SiteConfigRecord& c,
                                          const std::optional<std::string>& if_hash) {
  Params p;
  const std::string values = p.Add(c.hash) + ", " + p.Add(c.version) + ", " + p.Add(c.set_by) +
                             ", " + p.Add(ToMs(c.set_at));
  std::string sql =
      "INSERT INTO site_config (id, hash, version, set_by, set_ms) VALUES (1, " + values + ") ";
  if (!if_hash) {
    sql +=
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, version = excluded.version, "
        "set_by = excluded.set_by, set_ms = excluded.set_ms";
  } else if (if_hash->empty()) {
    sql += "ON CONFLICT (id) DO NOTHING";
  } else {
    sql +=
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, version = excluded.version, "
        "set_by = excluded.set_by, set_ms = excluded.set_ms WHERE site_config.hash = " +
        p.Add(*if_hash);
  }
  sql += " RETURNING 1";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "write site config");
  if (!r.ok()) return r.status();
  return PQntuples(r->get()) > 0;
}

core::Status PgStore::DeleteNode(const std::string& id) {
  Params p;
  const std::string sql = "DELETE FROM nodes WHERE id = " + p.Add(id);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Exec(conn_, sql, p, "delete node " + id);
}

core::Result<std::vector<LeaseRecord>> PgStore::ListLeases() {
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, "SELECT camera, node, epoch, expires_ms FROM camera_leases ORDER BY camera",
                 Params(), "list leases");
  if (!r.ok()) return r.status();
  std::vector<LeaseRecord> out;
  for (int i = 0; i < PQntuples(r->get()); ++i) out.push_back(ReadLeaseColumns(Row(r->get(), i)));
  return out;
}

core::Result<LeaseRecord> PgStore::AcquireLease(const std::string& camera, const std::string& node,
                                                int64_t epoch, core::WallTime now,
                                                core::WallTime until) {
  // One statement: the row lock of the conflicting row makes the check and the change
  // atomic across nodes.
  Params p;
  const std::string c = p.Add(camera), n = p.Add(node), e = p.Add(epoch), t = p.Add(ToMs(now)),
                    u = p.Add(ToMs(until));
  const std::string sql = AcquireLeaseSql(c, n, e, t, u);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "acquire lease on " + camera);
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) {
    return core::PermissionDenied("camera " + camera + " is leased to another node");
  }
  return ReadLeaseColumns(Row(r->get(), 0));
}

core::Status PgStore::ReleaseLease(const std::string& camera, const std::string& node,
                                   int64_t epoch) {
  Params p;
  const std::string sql =
      "WITH released AS (UPDATE camera_leases SET expires_ms = 0 WHERE camera = " + p.Add(camera) +
      " AND node = " + p.Add(node) + " AND epoch = " + p.Add(epoch) +
      " RETURNING camera) SELECT pg_notify('" + kPgLeaseReleasedChannel +
      "', camera) FROM released";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  return Query(conn_, sql, p, "release lease on " + camera).status();
}

core::Result<std::string> PgStore::LeaseHolderAt(const std::string& camera, int64_t epoch) {
  Params p;
  const std::string sql = "SELECT node FROM lease_history WHERE camera = " + p.Add(camera) +
                          " AND epoch = " + p.Add(epoch);
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "lease history of " + camera);
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 0) {
    return core::NotFound("no node held camera " + camera + " under epoch " +
                          std::to_string(epoch));
  }
  return Row(r->get(), 0).Text(0);
}

core::Result<SiteStore::Raised> PgStore::RaiseSiteAlert(const Alert& a) {
  if (a.id <= 0) return core::InvalidArgument("alert id must be > 0");
  if (!a.camera.empty()) return core::InvalidArgument("a site alert has no camera");
  Params p;
  const std::string sql =
      AlertInsertSql(a, p) +
      " ON CONFLICT (type, incident_ids) WHERE camera = '' DO NOTHING RETURNING id";
  Params q;
  const std::string first = "SELECT id FROM alerts WHERE camera = '' AND type = " + q.Add(a.type) +
                            " AND incident_ids = " + q.Add(nlohmann::json(a.incident_ids).dump()) +
                            "::jsonb";
  std::lock_guard lock(mu_);
  ARGUS_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto r = Query(conn_, sql, p, "raise site alert " + std::to_string(a.id));
  if (!r.ok()) return r.status();
  if (PQntuples(r->get()) == 1) return Raised{a.id, true};
  auto other = Query(conn_, first, q, "site alert lookup");
  if (!other.ok()) return other.status();
  if (PQntuples(other->get()) == 0) return core::Unavailable("site alert raised and gone");
  return Raised{Row(other->get(), 0).Int(0), false};
}

}  // namespace argus::store
