// The typed configuration of a site: cameras, their zones, lines and rules,
// detector and tracker settings, opening hours. Validated once, at load.
// Zone and line coordinates are relative to the frame (0..1) so a config
// survives a change of camera resolution.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config_identity.h"
#include "config/diagnostics.h"
#include "core/geometry.h"
#include "core/status.h"
#include "events/event.h"

namespace argus::config {

inline constexpr double kDefaultCooldownSeconds = 10.0;
inline constexpr int kDefaultZoneInertiaFrames = 3;
inline constexpr const char* kDefaultDetector = "builtin";
inline constexpr int kMaxCoastFrames = 10;  // beyond, predictions drift off people

struct Where {
  std::string file;
  int line = 0;
};

// One opening-hours span: on `days` (0 = Monday .. 6 = Sunday) from `open_minute`
// to `close_minute` (minutes after local midnight; close may pass midnight).
struct OpenHours {
  std::array<bool, 7> days{};
  int open_minute = 0;
  int close_minute = 0;
};

struct SiteConfig {
  std::string name = "site";
  std::string timezone = "UTC";       // IANA name, e.g. "Europe/Paris"
  std::vector<OpenHours> open_hours;  // empty: never "open"
};

struct DetectorSettings {
  std::string spec = kDefaultDetector;  // "builtin", "hog" or "onnx:PATH"
  double score_threshold = -1;          // < 0: the backend's own default
  std::vector<std::string> classes;     // empty: the backend's default classes
  std::optional<bool> crops;            // onnx: windows around the motion (default on)
  // Analysed frames in a row on which the detector may be skipped while the
  // tracks explain all motion (track/coast_policy.h); unset: the backend's default.
  std::optional<int> coast_frames;
};

// Unset fields keep the tracker's own tuned defaults (track/byte_tracker.h).
struct TrackerSettings {
  std::optional<double> max_age_s;
  std::optional<int> min_hits;
  // Compensate camera motion (pan, shake) in the tracker; off by default: a
  // fixed camera gains nothing and pays the optical flow (motion/camera_motion.h).
  bool camera_motion = false;
  // Re-link a track after an occlusion by the look of its clothes
  // (track/relink_policy.h); unset: the pipeline's default.
  std::optional<bool> relink;
};

struct Zone {
  std::string name;
  core::Polygon polygon;  // relative
  std::string path;       // "cameras[i].zones[j]"
  Where where;
};

struct Line {
  std::string name;
  core::Point a;  // relative
  core::Point b;
  std::string path;
  Where where;
};

// Four image points (relative) and the matching ground points (metres) that
// give a homography for distances and speeds in metres.
struct Calibration {
  std::array<core::Point, 4> image{};
  std::array<core::Point, 4> ground{};
};

// The part every rule shares; kind-specific fields stay in `node` and are
// validated by the rules module, which reports through the same Diagnostics.
struct RuleConfig {
  std::string name;
  std::string kind;
  std::string when = "always";  // always | open | closed
  events::Severity severity = events::Severity::kAlert;
  double cooldown_s = kDefaultCooldownSeconds;
  std::vector<std::string> labels;  // empty: the rule's default
  YAML::Node node;                  // the whole rule mapping
  std::string path;                 // e.g. "cameras[0].rules[2]"
  Where where;
};

// Learning of normal activity and `unusual_activity` events (src/learn); off unless
// the camera has a `learn:` section.
inline constexpr double kDefaultLearnHalfLifeDays = 14;
inline constexpr double kDefaultLearnThreshold = 0.9;
inline constexpr int kDefaultLearnMaxAlertsPerHour = 6;
inline constexpr int kDefaultLearnGridCols = 16;
inline constexpr int kDefaultLearnGridRows = 12;
inline constexpr double kDefaultLearnMinCellTracks = 20;
inline constexpr double kDefaultLearnMinCameraTracks = 100;

struct LearnConfig {
  bool enabled = false;
  double half_life_days = kDefaultLearnHalfLifeDays;  // forgetting
  double threshold = kDefaultLearnThreshold;          // 0..1: score that raises an event
  int max_alerts_per_hour = kDefaultLearnMaxAlertsPerHour;
  int grid_cols = kDefaultLearnGridCols;  // image grid the model is kept on
  int grid_rows = kDefaultLearnGridRows;
  double min_cell_tracks = kDefaultLearnMinCellTracks;  // below: the cell scores nothing
  double min_camera_tracks = kDefaultLearnMinCameraTracks;
};

struct CameraConfig {
  std::string name;
  std::string source;  // file path or rtsp:// / http:// URL
  std::string rtsp_transport = "tcp";
  double detect_fps = 0;                     // 0: every decoded frame
  std::optional<std::string> detector;       // overrides DetectorSettings::spec
  std::vector<core::Polygon> privacy_masks;  // relative; blacked out at ingest
  std::optional<Calibration> calibration;
  int zone_inertia_frames = kDefaultZoneInertiaFrames;
  std::vector<Zone> zones;
  std::vector<Line> lines;
  std::vector<RuleConfig> rules;
  LearnConfig learn;
  std::string node;  // preferred node (several nodes on PostgreSQL); empty: any
  std::string path;  // "cameras[i]"
  Where where;
  // The camera's YAML and the sections every camera uses (site, detector,
  // tracker): equal fingerprints mean a reload can keep the camera running.
  std::string fingerprint;

  const Zone* FindZone(const std::string& name) const;
  const Line* FindLine(const std::string& name) const;
};

// `argus serve` only; `argus analyze` ignores these sections.
inline constexpr const char* kDefaultListenHost = "127.0.0.1";
inline constexpr int kDefaultListenPort = 8080;
inline constexpr const char* kDefaultDataDir = "data";
inline constexpr int kDefaultQueueFrames = 2;
inline constexpr double kDefaultPreRollS = 5;
inline constexpr double kDefaultPostRollS = 10;
inline constexpr double kDefaultMinFreeMb = 1024;
inline constexpr double kDefaultAlertCooldownS = 60;
inline constexpr double kDefaultCameraStatusPeriodS = 5;

inline constexpr double kDefaultSessionIdleS = 2 * 3600.0;
inline constexpr double kDefaultSessionMaxS = 12 * 3600.0;  // a control-room shift

struct ServerSettings {
  std::string host = kDefaultListenHost;
  int port = kDefaultListenPort;
  std::string data_dir = kDefaultDataDir;  // argus.db and evidence/ live here
  // Empty: SQLite at <data_dir>/argus.db. Otherwise a libpq conninfo or
  // postgresql:// URL: several nodes share one PostgreSQL store.
  std::string postgres;
  int workers = 0;                         // analysis threads; 0: one per core
  int queue_frames = kDefaultQueueFrames;  // per camera; older frames are dropped
  std::string static_dir;                  // dashboard files; empty: none
  std::string site_model;                  // site YAML drawn as the dashboard's map; empty: none
  // Mark the session cookie Secure (HTTPS only; browsers exempt localhost). Off only
  // for plain HTTP on a trusted network.
  bool secure_cookies = true;
  // HTTPS: PEM certificate chain and private key (both or neither); plain HTTP on the
  // same port is then redirected to https.
  std::string tls_cert;
  std::string tls_key;
  double session_idle_s = kDefaultSessionIdleS;  // logged out after this long without a request
  double session_max_s = kDefaultSessionMaxS;    // and after this long in any case
};

// Several nodes on one PostgreSQL store (docs/multi_node.md): each camera runs on the
// one live node holding its lease. Ignored with SQLite (one node runs every camera).
inline constexpr double kDefaultLeaseS = 10;
inline constexpr double kDefaultRenewS = 3;
struct ClusterSettings {
  std::string node_id;  // unique per node; empty: the host name (`serve --node-id` overrides)
  std::string address;  // where this node's API is reached, shown to the other nodes
  double lease_s = kDefaultLeaseS;  // a camera of a node silent this long moves elsewhere
  double renew_s = kDefaultRenewS;  // how often leases are renewed (< lease_s / 2)
  // The site config's name for people ("2026-12-05 east wing"); empty: its hash's prefix.
  std::string config_version;
};

struct MqttSettings {
  bool enabled = false;  // true when the section is present
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id = "argus";
  std::string username;
  std::string password;
  bool sensors = true;          // subscribe to argus/sensors/#
  bool home_assistant = false;  // Home Assistant MQTT discovery (docs/home_assistant.md)
  std::string discovery_prefix = "homeassistant";
};

struct WebhookSettings {
  std::vector<std::string> urls;
  std::string secret;
  events::Severity min_severity = events::Severity::kAlert;
};

struct EscalationTierConfig {
  std::string target;
  double after_s = 0;
  // Where the tier's people are reached when it is due: the alert goes to these webhook
  // URLs and MQTT topics (besides the general ones).
  std::vector<std::string> webhooks;
  std::vector<std::string> mqtt_topics;
  bool operator==(const EscalationTierConfig&) const = default;
};

struct AlertSettings {
  double cooldown_s = kDefaultAlertCooldownS;
  std::vector<EscalationTierConfig> escalation;  // empty: operator 0 s, supervisor, duty manager
};

struct EvidenceSettings {
  bool enabled = true;
  double pre_roll_s = kDefaultPreRollS;
  double post_roll_s = kDefaultPostRollS;
  double min_free_mb = kDefaultMinFreeMb;          // below this, recording stops (analysis goes on)
  std::map<events::Severity, int> retention_days;  // absent severity: kept forever
};

// An external intrusion sensor and the cameras that watch its place; none
// means an unobserved place, itself worth an alert when the sensor trips.
struct SensorConfig {
  std::string name;
  std::string type;  // contact | vibration | glass_break | tamper
  std::vector<std::string> cameras;
  events::Severity severity = events::Severity::kAlert;
  std::string path;
  Where where;
};

struct Config {
  std::string file;
  SiteConfig site;
  DetectorSettings detector;
  TrackerSettings tracker;
  std::vector<CameraConfig> cameras;
  ServerSettings server;
  ClusterSettings cluster;
  MqttSettings mqtt;
  WebhookSettings webhooks;
  AlertSettings alerts;
  EvidenceSettings evidence;
  std::vector<SensorConfig> sensors;
  ConfigIdentity identity;  // the site-wide content's hash and version (config_identity.h)

  const CameraConfig* FindCamera(const std::string& name) const;
  const SensorConfig* FindSensor(const std::string& name) const;
};

// The `server` and `mqtt` keys whose change a SIGHUP cannot apply (the listener, the store,
// the broker connection stay as started), by name ("server.listen", ...), so the daemon
// can say that they wait for a restart instead of ignoring them silently.
std::vector<std::string> ChangesNeedingRestart(const Config& running, const Config& loaded);

// Loads and validates `path`. Every problem goes to `diag`; the result is an
// InvalidArgument error when there was any. Rule kind-specific fields are not
// checked here (see rules::ValidateRules).
core::Result<Config> LoadConfig(const std::string& path, Diagnostics* diag);
// The same from text (tests); `file` names it in messages.
core::Result<Config> ParseConfig(const std::string& yaml, const std::string& file,
                                 Diagnostics* diag);
// Everything that could be read, even when there were problems, so a checker
// can go on to validate the rules of an otherwise broken file.
Config LoadConfigPartially(const std::string& path, Diagnostics* diag);

}  // namespace argus::config
