// SQLite backend of Store.
//
// Durability: WAL journal with synchronous=FULL. In WAL mode, NORMAL already survives
// a crash of the process (kill -9) because committed frames sit in the OS page cache,
// but it may lose the last commits on power loss or an OS crash. An acknowledgement
// that the operator saw succeed must not vanish, so every commit fsyncs the WAL
// (FULL). Batch events with InsertEvents() to pay one fsync per batch.
//
// Thread safety: any thread may call any method; one connection is shared and
// serialized by a mutex (writes are serialized by SQLite anyway). Other processes
// may read the file concurrently (WAL); a second writer waits up to busy_timeout_ms.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

struct sqlite3;

namespace argus::store {

inline constexpr int kDefaultBusyTimeoutMs = 5000;

struct SqliteOptions {
  int busy_timeout_ms = kDefaultBusyTimeoutMs;
};

// The schema: migration i (0-based) takes the database from version i to i + 1.
// Append new migrations; never edit one that has shipped.
const std::vector<std::string>& Migrations();

// Applies migrations[version..] to `db`, each with its schema_version bump in one
// transaction. A database whose version is above migrations.size() is an error
// (written by a newer argus) and is left untouched.
core::Status Migrate(sqlite3* db, const std::vector<std::string>& migrations);
// The schema_version of `db` (0 when it has none yet).
core::Result<int> SchemaVersion(sqlite3* db);

class SqliteStore final : public Store {
 public:
  // Opens or creates the database at `path` (creating parent directories) and
  // migrates it to the current schema.
  static core::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                         const SqliteOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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
  core::Result<std::vector<LeaseRecord>> ListLeases() override;
  core::Result<LeaseRecord> AcquireLease(const std::string& camera, const std::string& node,
                                         int64_t epoch, core::WallTime now,
                                         core::WallTime until) override;
  core::Status ReleaseLease(const std::string& camera, const std::string& node,
                            int64_t epoch) override;

  // PRAGMA integrity_check: "ok" or the problems found.
  core::Result<std::string> IntegrityCheck();
  int schema_version() const { return static_cast<int>(Migrations().size()); }

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  core::Status InsertEventLocked(const events::Event& e, core::WallTime received_at);
  core::Result<events::Alert> GetAlertLocked(int64_t id);
  // Ok when `camera` is not fenced or its lease row still has this node's epoch (call
  // inside a write transaction); kPermissionDenied otherwise.
  core::Status CheckFenceLocked(const std::string& camera);

  std::mutex mu_;
  sqlite3* db_;  // guarded by mu_
};

}  // namespace argus::store
