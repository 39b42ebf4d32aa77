// The persistent store of `argus serve`: events, alerts and their acknowledgements,
// cameras, sensor readings and the append-only audit log. Abstract so that a
// PostgreSQL backend can sit behind the same interface later (SqliteStore today).
// Times are wall-clock (core::WallTime), stored with millisecond resolution.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "events/event.h"

namespace argus::store {

inline constexpr const char* kDefaultDbPath = "data/argus.db";
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

struct StoredEvent {
  int64_t seq = 0;             // store-assigned, increasing with insertion
  core::WallTime received_at;  // when the daemon got it
  events::Event event;
};

// Filters are ANDed; empty/unset means "any". Results are newest first (seq
// descending); page with `before_seq` = the previous page's next_before_seq.
struct EventQuery {
  std::optional<core::WallTime> from;  // received_at >= from
  std::optional<core::WallTime> to;    // received_at < to
  std::string camera;
  std::string type;
  std::optional<events::Severity> min_severity;
  int64_t before_seq = 0;        // 0: from the newest
  int limit = kDefaultPageSize;  // clamped to [1, kMaxPageSize]
};

struct EventPage {
  std::vector<StoredEvent> events;
  int64_t next_before_seq = 0;  // 0 when this is the last page
};

struct AlertQuery {
  std::optional<events::AlertState> state;
  std::string camera;
  int64_t before_id = 0;  // 0: from the newest; results are id descending
  int limit = kDefaultPageSize;
};

struct CameraRecord {
  std::string name;
  std::string status;  // e.g. "online", "offline", "reconnecting"
  core::WallTime last_seen;
};

struct SensorReading {
  int64_t seq = 0;
  std::string sensor;  // e.g. "gallery3/humidity"
  std::string kind;    // e.g. "humidity", "door_contact"
  double value = 0;
  std::string unit;
  core::WallTime at;
};

// Who did what, when, from where. Append-only: the store refuses updates and deletes.
struct AuditEntry {
  int64_t seq = 0;
  std::string who;
  std::string what;  // e.g. "acknowledge alert 12", "export clip 7"
  core::WallTime when;
  std::string from;  // client address, or "" for the daemon itself
};

// Days to keep events and resolved alerts, per severity. A severity absent from
// the map is kept forever. Open and acknowledged alerts are never purged, nor is
// the audit log.
struct RetentionPolicy {
  std::map<events::Severity, int> days;
};

// A dashboard/API user. Names are unique; users are disabled, never deleted, so the
// audit log's "who" always names someone the store knows.
struct UserRecord {
  std::string name;
  std::string role;           // "viewer" | "operator" | "admin" (auth::Role)
  std::string password_hash;  // libsodium crypto_pwhash_str (Argon2id), never the password
  core::WallTime created_at;
  bool disabled = false;
};

// A bearer token for integrations. Only a hash of the secret is stored: the secret
// is shown once, when the token is created.
struct ApiTokenRecord {
  int64_t id = 0;  // store-assigned, > 0
  std::string name;
  std::string role;
  std::string token_hash;  // hex digest of the secret (auth::HashToken); unique
  std::string created_by;
  core::WallTime created_at;
  bool revoked = false;
};

// The login limiter's state for one key (auth's "addr:<ip>" or "user:<name>@<ip>"), kept
// so that a restart neither forgets failed logins nor lifts a lockout.
struct LoginFailureRecord {
  std::string key;
  std::vector<core::WallTime> failures;  // within the limiter's window, oldest first
  core::WallTime locked_until;
  int lockouts = 0;  // lockouts so far (each lasts twice as long as the last)
  // After this the record no longer changes any decision and may be deleted.
  core::WallTime forget_at;
};
// A key's record holds at most this many failure times; older ones are dropped.
inline constexpr size_t kMaxStoredLoginFailures = 100;

// A login session (auth): the cookie's secret is never stored, only its hash, and so any
// node sharing the store recognises it. `credentials` is a digest of the user record the
// session was made from: a later change of the user (role, password, disabled) ends it.
struct SessionRecord {
  std::string token_hash;  // auth::HashSecret of the cookie value; unique
  std::string user;
  std::string role;
  std::string credentials;
  core::WallTime created_at;
  core::WallTime expires_at;  // the absolute limit
  core::WallTime last_seen;   // for the idle limit; refreshed now and then, not per request
};

// An `argus serve` process of a site (several may share a PostgreSQL store).
struct NodeRecord {
  std::string id;       // unique per node (config `node.id`)
  std::string address;  // where its API listens, e.g. "http://10.0.0.7:8080"
  std::string version;  // argus version it runs
  core::WallTime started_at;
  core::WallTime heartbeat_at;
  double load = 0;  // cameras it runs
  // The config it runs (config/config_identity.h); "" from a node older than them.
  std::string config_hash;
  std::string config_version;
};

// The config the site runs (docs/multi_node.md): set by the site's first node and by every
// successful reload; a node whose config hash differs takes no camera.
struct SiteConfigRecord {
  std::string hash;
  std::string version;
  std::string set_by;  // the node, and who asked it ("server-1 (api: ana)")
  core::WallTime set_at;
};

// Which node runs a camera. `epoch` grows by one with every change of holder: it is the
// fencing token that every write of the camera's events and alerts is checked against.
struct LeaseRecord {
  std::string camera;
  std::string node;
  int64_t epoch = 0;
  core::WallTime expires_at;
};

// The fencing tokens of one node: the epoch of each camera lease it holds. Shared by the
// lease keeper (which sets them) and the store (which checks them on every write).
// Thread safety: any thread.
class FenceTokens {
 public:
  explicit FenceTokens(std::string node) : node_(std::move(node)) {}
  const std::string& node() const { return node_; }
  // Cameras under fencing: events and alerts of any other camera (e.g. a sensor's) are
  // written unchecked.
  void Manage(const std::string& camera) {
    std::lock_guard lock(mu_);
    epochs_.try_emplace(camera, 0);
  }
  void Set(const std::string& camera, int64_t epoch) {
    std::lock_guard lock(mu_);
    epochs_[camera] = epoch;
  }
  // nullopt: not fenced; 0: this node holds no lease for it (writes refused); > 0: the
  // epoch the lease row must still have.
  std::optional<int64_t> Epoch(const std::string& camera) const {
    std::lock_guard lock(mu_);
    auto it = epochs_.find(camera);
    if (it == epochs_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const std::string node_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> epochs_;
};

// Writes refused by fencing are dropped, not retried: the code says so.
inline bool IsFencedOut(const core::Status& s) {
  return s.code() == core::StatusCode::kPermissionDenied;
}

struct RetentionResult {
  int64_t events_deleted = 0;
  int64_t alerts_deleted = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual core::Status InsertEvent(const events::Event& e, core::WallTime received_at) = 0;
  // All or none, in one transaction (one commit for a batch).
  virtual core::Status InsertEvents(const std::vector<events::Event>& es,
                                    core::WallTime received_at) = 0;
  virtual core::Result<EventPage> QueryEvents(const EventQuery& q) = 0;
  // Incidents in no alert: start events received since `from`, of `camera` (every
  // camera when empty), that no alert lists in its incident_ids; what a process killed
  // between storing an incident and its alert leaves. Oldest first, at most kMaxPageSize.
  virtual core::Result<std::vector<StoredEvent>> IncidentsWithoutAlert(const std::string& camera,
                                                                       core::WallTime from) = 0;

  // Writes the alert's lifecycle fields (insert or update by id). The
  // acknowledgement and resolution go through Acknowledge/Resolve, not here.
  virtual core::Status UpsertAlert(const events::Alert& a) = 0;
  virtual core::Result<events::Alert> GetAlert(int64_t id) = 0;
  virtual core::Result<std::vector<events::Alert>> ListAlerts(const AlertQuery& q) = 0;
  virtual core::Result<int64_t> MaxAlertId() = 0;
  // A fresh alert id: never handed out before (to any node sharing the store) and above
  // every stored alert id, also ids a caller chose itself.
  virtual core::Result<int64_t> NextAlertId() = 0;
  // open -> acknowledged, plus an acknowledgements row and an audit entry, in one
  // transaction. kNotFound / kInvalidArgument (not open) change nothing. When this
  // returns ok the acknowledgement is durable.
  virtual core::Status Acknowledge(int64_t alert_id, const events::AlertAction& ack,
                                   const std::string& from) = 0;
  // acknowledged -> resolved, plus an audit entry, in one transaction.
  virtual core::Status Resolve(int64_t alert_id, const events::AlertAction& resolution,
                               const std::string& from) = 0;

  virtual core::Status UpsertCamera(const CameraRecord& c) = 0;
  virtual core::Result<std::vector<CameraRecord>> ListCameras() = 0;

  virtual core::Status InsertSensorReading(const SensorReading& r) = 0;
  // Readings of `sensor` (all sensors if empty) with from <= at < to, oldest first.
  virtual core::Result<std::vector<SensorReading>> QuerySensorReadings(const std::string& sensor,
                                                                       core::WallTime from,
                                                                       core::WallTime to,
                                                                       int limit) = 0;

  virtual core::Status AppendAudit(const AuditEntry& e) = 0;
  // Newest first; before_seq = 0 from the newest.
  virtual core::Result<std::vector<AuditEntry>> ListAudit(int64_t before_seq, int limit) = 0;

  // Inserts, or replaces every field of, the user with u.name.
  virtual core::Status UpsertUser(const UserRecord& u) = 0;
  // kNotFound for an unknown name.
  virtual core::Result<UserRecord> GetUser(const std::string& name) = 0;
  virtual core::Result<std::vector<UserRecord>> ListUsers() = 0;  // by name

  // Returns the new id; kInvalidArgument if the hash is already stored.
  virtual core::Result<int64_t> InsertApiToken(const ApiTokenRecord& t) = 0;
  // Revoked tokens are found too (the caller refuses them); kNotFound otherwise.
  virtual core::Result<ApiTokenRecord> FindApiToken(const std::string& token_hash) = 0;
  virtual core::Result<std::vector<ApiTokenRecord>> ListApiTokens() = 0;  // by id
  // kNotFound for an unknown id; revoking twice is ok.
  virtual core::Status RevokeApiToken(int64_t id) = 0;

  // Deletes events received, and resolved alerts resolved, more than the policy's
  // days before `now`.
  virtual core::Result<RetentionResult> ApplyRetention(const RetentionPolicy& p,
                                                       core::WallTime now) = 0;

  // Login limiter records: Save replaces the key's record whole; Delete of an unknown key
  // is ok; List returns those whose forget_at is after `now`, by key; Prune deletes at most
  // `max_rows` records whose forget_at is at or before `now` and says how many it deleted.
  virtual core::Status SaveLoginFailures(const LoginFailureRecord& r) = 0;
  virtual core::Status DeleteLoginFailures(const std::string& key) = 0;
  virtual core::Result<std::vector<LoginFailureRecord>> ListLoginFailures(core::WallTime now) = 0;
  virtual core::Result<int64_t> PruneLoginFailures(core::WallTime now, int max_rows) = 0;

  // Login sessions. Get: kNotFound when unknown. Touch sets last_seen. Prune deletes
  // the sessions ended at `now` (past expires_at, or last seen before `idle_before`), then
  // the least recently seen beyond `keep`, and returns how many remain.
  virtual core::Status InsertSession(const SessionRecord& s) = 0;
  virtual core::Result<SessionRecord> GetSession(const std::string& token_hash) = 0;
  virtual core::Status TouchSession(const std::string& token_hash, core::WallTime at) = 0;
  virtual core::Status DeleteSession(const std::string& token_hash) = 0;
  virtual core::Status DeleteSessionsOf(const std::string& user) = 0;
  virtual core::Result<int64_t> PruneSessions(core::WallTime now, core::WallTime idle_before,
                                              int64_t keep) = 0;

  // Node registry: Upsert replaces the node's row (registration and heartbeat); List is
  // by id; Delete of an unknown id is ok.
  virtual core::Status UpsertNode(const NodeRecord& n) = 0;
  virtual core::Result<std::vector<NodeRecord>> ListNodes() = 0;
  virtual core::Status DeleteNode(const std::string& id) = 0;

  // The site's config (several nodes; a single node on SQLite has none: kUnavailable).
  // Get: nullopt when none was set. Put writes `r` when `if_hash` is nullopt, or when the
  // stored hash is *if_hash ("": none stored yet), and says whether it wrote.
  virtual core::Result<std::optional<SiteConfigRecord>> GetSiteConfig() {
    return core::Unavailable("a single node (SQLite) has no site config");
  }
  virtual core::Result<bool> PutSiteConfig(const SiteConfigRecord& /*r*/,
                                           const std::optional<std::string>& /*if_hash*/) {
    return core::Unavailable("a single node (SQLite) has no site config");
  }

  // Camera leases, by camera. Acquire takes the camera for `node` until `until` when no
  // one holds it or its lease expired at `now` (the epoch then grows by one), or renews
  // it when `node` already holds it with `epoch`; kPermissionDenied (IsFencedOut) when
  // someone else holds it or the epoch moved on. Release expires the lease now if `node`
  // still holds it with `epoch` (the epoch stays, so a later holder gets a greater one).
  virtual core::Result<std::vector<LeaseRecord>> ListLeases() = 0;
  virtual core::Result<LeaseRecord> AcquireLease(const std::string& camera, const std::string& node,
                                                 int64_t epoch, core::WallTime now,
                                                 core::WallTime until) = 0;
  virtual core::Status ReleaseLease(const std::string& camera, const std::string& node,
                                    int64_t epoch) = 0;

  // Fencing (several nodes): from now on every write of events and alerts of a camera
  // that `tokens` manages checks, in the same transaction, that the camera's lease row
  // still names tokens.node() with the epoch tokens hold; a batch's events of a camera
  // that fails the check are left out and the call returns kPermissionDenied
  // (IsFencedOut) after writing the rest. Set once, before the writers start.
  void SetFencing(std::shared_ptr<const FenceTokens> tokens) { fence_ = std::move(tokens); }

  // A camera's learned model of normal activity (learn::ActivityModel's text form,
  // opaque here), replaced whole. Load: kNotFound when none was saved.
  virtual core::Status SaveLearnedModel(const std::string& camera, const std::string& model,
                                        core::WallTime at) = 0;
  virtual core::Result<std::string> LoadLearnedModel(const std::string& camera) = 0;

 protected:
  std::shared_ptr<const FenceTokens> fence_;  // null: no fencing (one node)
};

}  // namespace argus::store
