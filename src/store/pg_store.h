// PostgreSQL backend of Store, for sites where several argus nodes share one
// database. Behaves like SqliteStore (same ordering, paging, filters, retention and
// transactions); the differences come from sharing:
//  - event, sensor-reading and audit sequence numbers come from database sequences,
//    so two nodes never hand out the same one; NextAlertId() does the same for
//    alert ids (a node's own "max id + 1" is only safe on a single node);
//  - camera leases are taken and renewed in one statement each (the conflicting
//    row's lock settles races), and a fenced write locks its camera's lease row
//    FOR SHARE, so no node can take the camera over between the check and the write;
//  - migrations take a database-wide advisory lock, so nodes starting at once
//    migrate one after the other and the second finds nothing left to do;
//  - Acknowledge/Resolve lock the alert row (SELECT ... FOR UPDATE), so two
//    operators on two nodes cannot both acknowledge the same alert.
// The audit log is append-only in the database itself: triggers raise on UPDATE,
// DELETE and TRUNCATE, whoever connects.
//
// Durability: a call returns ok after PostgreSQL committed (synchronous_commit is
// the server's business; the default "on" waits for the WAL flush).
//
// Connection: one libpq connection shared by all threads and serialized by a mutex.
// When the server went away (restart, network), the next call finds the connection
// broken and reconnects once (PQreset); if that fails the call returns kUnavailable
// and nothing was written, and the call after it tries again. A call whose
// connection breaks while it runs also returns kUnavailable; it is not replayed,
// because a lost COMMIT reply leaves its outcome unknown. A reconnect attempt holds
// the mutex, so while the server is unreachable other callers wait up to
// connect_timeout (kDefaultPgConnectTimeoutS unless the conninfo says otherwise).
//
// Thread safety: any thread may call any method.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/site_store.h"
#include "store/store.h"

struct pg_conn;  // libpq's PGconn

namespace argus::store {

// Seconds libpq waits for a connection (Open and reconnects) unless the conninfo
// string sets connect_timeout itself.
inline constexpr int kDefaultPgConnectTimeoutS = 10;
// The server ends this store's session when it sits this long inside a transaction
// waiting for the client (idle_in_transaction_session_timeout), unless the conninfo sets
// `options` itself. A node paused (SIGSTOP, a frozen VM) in the middle of a fenced
// write holds its lease row locked FOR SHARE: without this, the node taking the camera
// over waited on that lock (its store, rounds and heartbeats with it) until the paused
// one resumed. Below the default lease_s minus renew_s (10 - 3), so the lock is gone by
// the time the lease runs out.
inline constexpr int kPgIdleInTransactionS = 5;
// ReleaseLease NOTIFYs this channel with the camera's name, so the other nodes take it
// at once instead of at their next lease round (cluster::LeaseKeeper::Wake).
inline constexpr const char* kPgLeaseReleasedChannel = "argus_lease_released";

// The PostgreSQL schema: migration i (0-based) takes the database from version i to
// i + 1. Append new migrations; never edit one that has shipped.
const std::vector<std::string>& PgMigrations();

// Applies migrations[version..] to `conn`; each runs with its schema_migrations row
// in one transaction that first takes a database-wide advisory lock (so concurrent
// callers serialize). A database whose version is above migrations.size() is an
// error (written by a newer argus) and is left untouched.
core::Status PgMigrate(pg_conn* conn, const std::vector<std::string>& migrations);
// The highest version in schema_migrations (0 when there is none yet).
core::Result<int> PgSchemaVersion(pg_conn* conn);

class PgStore final : public Store, public SiteStore {
 public:
  // Connects with a libpq conninfo string (e.g. "host=/run/postgresql dbname=argus"
  // or "postgresql://argus@db:5432/argus") and migrates the database to the current
  // schema. kUnavailable when the server cannot be reached.
  static core::Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  core::Status InsertEvent(const events::Event& e, core::WallTime received_at) override;
  core::Status InsertEvents(const std::vector<events::Event>& es,
                            core::WallTime received_at) override;
  core::Result<EventPage> QueryEvents(const EventQuery& q) override;
  core::Result<std::vector<StoredEvent>> IncidentsWithoutAlert(const std::string& camera,
                                                               core::WallTime from) override;

  core::Status UpsertAlert(const events::Alert& a) override;
  core::Result<events::Alert> GetAlert(int64_t id) override;
  core::Result<std::vector<events::Alert>> ListAlerts(const AlertQuery& q) override;
  core::Result<int64_t> MaxAlertId() override;
  core::Status Acknowledge(int64_t alert_id, const events::AlertAction& ack,
                           const std::string& from) override;
  core::Status Resolve(int64_t alert_id, const events::AlertAction& resolution,
                       const std::string& from) override;

  core::Result<std::string> LeaseHolderAt(const std::string& camera, int64_t epoch) override;
  core::Result<Raised> RaiseSiteAlert(const events::Alert& a) override;

  core::Status UpsertCamera(const CameraRecord& c) override;
  core::Result<std::vector<CameraRecord>> ListCameras() override;

  core::Status InsertSensorReading(const SensorReading& r) override;
  core::Result<std::vector<SensorReading>> QuerySensorReadings(const std::string& sensor,
                                                               core::WallTime from,
                                                               core::WallTime to,
                                                               int limit) override;

  core::Status AppendAudit(const AuditEntry& e) override;
  core::Result<std::vector<AuditEntry>> ListAudit(int64_t before_seq, int limit) override;

  core::Status UpsertUser(const UserRecord& u) override;
  core::Result<UserRecord> GetUser(const std::string& name) override;
  core::Result<std::vector<UserRecord>> ListUsers() override;

  core::Result<int64_t> InsertApiToken(const ApiTokenRecord& t) override;
  core::Result<ApiTokenRecord> FindApiToken(const std::string& token_hash) override;
  core::Result<std::vector<ApiTokenRecord>> ListApiTokens() override;
  core::Status RevokeApiToken(int64_t id) override;

  core::Result<RetentionResult> ApplyRetention(const RetentionPolicy& p,
                                               core::WallTime now) override;
  core::Status SaveLoginFailures(const LoginFailureRecord& r) override;
  core::Status DeleteLoginFailures(const std::string& key) override;
  core::Result<std::vector<LoginFailureRecord>> ListLoginFailures(core::WallTime now) override;
  core::Result<int64_t> PruneLoginFailures(core::WallTime now, int max_rows) override;
  core::Status SaveLearnedModel(const std::string& camera, const std::string& model,
                                core::WallTime at) override;
  core::Result<std::string> LoadLearnedModel(const std::string& camera) override;

  core::Result<int64_t> NextAlertId() override;
  core::Status InsertSession(const SessionRecord& s) override;
  core::Result<SessionRecord> GetSession(const std::string& token_hash) override;
  core::Status TouchSession(const std::string& token_hash, core::WallTime at) override;
  core::Status DeleteSession(const std::string& token_hash) override;
  core::Status DeleteSessionsOf(const std::string& user) override;
  core::Result<int64_t> PruneSessions(core::WallTime now, core::WallTime idle_before,
                                      int64_t keep) override;
  core::Status UpsertNode(const NodeRecord& n) override;
  core::Result<std::vector<NodeRecord>> ListNodes() override;
  core::Status DeleteNode(const std::string& id) override;
  core::Result<std::optional<SiteConfigRecord>> GetSiteConfig() override;
  core::Result<bool> PutSiteConfig(const SiteConfigRecord& c,
                                   const std::optional<std::string>& if_hash) override;
  core::Result<std::vector<LeaseRecord>> ListLeases() override;
  core::Result<LeaseRecord> AcquireLease(const std::string& camera, const std::string& node,
                                         int64_t epoch, core::WallTime now,
                                         core::WallTime until) override;
  core::Status ReleaseLease(const std::string& camera, const std::string& node,
                            int64_t epoch) override;
  int schema_version() const { return static_cast<int>(PgMigrations().size()); }

 private:
  explicit PgStore(pg_conn* conn) : conn_(conn) {}
  // Reconnects once when the connection is known to be broken; kUnavailable if the
  // server still cannot be reached. Call with mu_ held, before any statement.
  core::Status EnsureConnectedLocked();
  core::Status InsertEventLocked(const events::Event& e, core::WallTime received_at);
  core::Result<events::Alert> GetAlertLocked(int64_t id);
  // Ok when `camera` is not fenced or its lease row still has this node's epoch (locked
  // FOR SHARE until the caller's transaction ends); kPermissionDenied otherwise.
  core::Status CheckFenceLocked(const std::string& camera);

  std::mutex mu_;
  pg_conn* conn_;  // guarded by mu_
};

}  // namespace argus::store
