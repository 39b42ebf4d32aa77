// What the HTTP server needs from the daemon: camera status, the store, alert
// actions, evidence files, zone counts and sensor input. `argus serve` implements
// Backend; the api module never reaches into the runtime otherwise.
// Thread safety: every Backend method is called from HTTP worker threads,
// concurrently; implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "notify/sensor.h"
#include "store/store.h"

namespace argus::api {

// One camera, as the runtime sees it now.
struct CameraStatus {
  std::string name;
  std::string status;       // "online" | "connecting" | "reconnecting" | "offline" | "stopped"
  double fps = 0;           // decoded frames/s over the last few seconds
  double analysed_fps = 0;  // frames analysed/s
  uint64_t frames = 0, analysed = 0, dropped = 0;  // totals: decoded, analysed, dropped
  uint64_t damaged = 0;    // decoded with concealed errors: a lossy network or a broken stream
  double detector_ms = 0;  // mean detector latency, recent
  int queue_depth = 0;
  int reconnects = 0;
  std::optional<core::WallTime> last_frame_at;
  std::string error;  // last error, "" if none
  std::string node;   // the node running it (several nodes); "" on a single node
};

// Where a camera run by another node of the site is to be fetched from.
struct CameraHome {
  std::string node;
  std::string address;  // its `cluster.address`; "" when it has none
  bool alive = true;    // false: the node is offline (or stopped)
};

// Zone occupancy over time is kept as the readings of one virtual sensor per zone.
inline std::string ZoneSensorName(const std::string& camera, const std::string& zone) {
  return "zone:" + camera + "/" + zone;
}

class Backend {
 public:
  virtual ~Backend() = default;
  // The cameras this node runs (its /metrics).
  virtual std::vector<CameraStatus> Cameras() = 0;
  // Every camera of the site (/api/cameras): on several nodes, those of the others too.
  virtual std::vector<CameraStatus> SiteCameras() { return Cameras(); }
  // The site's nodes for /api/nodes ({"nodes":[...]}); none on a single node.
  virtual core::Result<nlohmann::json> Nodes() {
    return nlohmann::json{{"nodes", nlohmann::json::array()}};
  }
  // The other node running `camera`, whose live pictures are fetched there; nullopt when
  // this node runs it or no one does.
  virtual std::optional<CameraHome> RemoteHome(const std::string& /*camera*/) {
    return std::nullopt;
  }
  // The other node that recorded the evidence of incident `incident` of alert `alert_id`
  // (its files stay on that node's disk); nullopt when this node did, or no one knows.
  virtual std::optional<CameraHome> EvidenceHome(int64_t /*alert_id*/, int /*incident*/) {
    return std::nullopt;
  }
  // Events and alerts queries (the Store is thread-safe).
  virtual store::Store& store() = 0;
  // open -> acknowledged / acknowledged -> resolved. kNotFound for an unknown id,
  // kInvalidArgument when the alert is not in the required state (HTTP 409).
  virtual core::Result<events::Alert> Acknowledge(int64_t alert_id, const std::string& who,
                                                  const std::string& note,
                                                  const std::string& from) = 0;
  virtual core::Result<events::Alert> Resolve(int64_t alert_id, const std::string& who,
                                              const std::string& note, const std::string& from) = 0;
  // kSnapshotBlurred: the snapshot with people blurred, for viewers.
  enum class Evidence { kSnapshot, kSnapshotBlurred, kClip };
  // A file path; kNotFound if there is none, its message saying why (not yet recorded,
  // or lost to an interrupted recording): the API passes it on. `incident`: 0 for the
  // incident that opened the alert, n for the n-th one merged into it later (each has
  // its own snapshot and clip).
  virtual core::Result<std::string> EvidencePath(int64_t alert_id, Evidence kind, int incident) = 0;
  // {"camera":{"zone":count,...},...}
  virtual nlohmann::json ZoneCounts() = 0;
  // A sensor reported over HTTP. kInvalidArgument -> 400, kUnavailable -> 503.
  virtual core::Status OnSensor(const notify::SensorReading& r) = 0;
  // The site map of the dashboard (site::SiteMapJson); nullopt when no site model
  // is configured.
  virtual std::optional<nlohmann::json> SiteMap() { return std::nullopt; }
  // Re-reads the config file and applies it (POST /api/config/reload), audited as `who`
  // from `from`: {"old_version", "new_version", "changed": {...}} or, when the file has a
  // problem (the running config stays), {"old_version", "new_version", "error"}.
  virtual core::Result<nlohmann::json> ReloadConfig(const std::string& /*who*/,
                                                    const std::string& /*from*/) {
    return core::Unavailable("this server cannot reload its config");
  }
  // Following people across cameras (app/follow_service.h): the tracks a camera has in
  // view, the follows, and an operator's start and stop of one (audited by the API).
  // kNotFound for an unknown camera, track or follow; kInvalidArgument without a reason.
  virtual core::Result<nlohmann::json> CameraTracks(const std::string& /*camera*/) {
    return core::Unavailable("this server does not follow people");
  }
  virtual core::Result<nlohmann::json> Follows() {
    return core::Unavailable("this server does not follow people");
  }
  virtual core::Result<nlohmann::json> StartFollow(const std::string& /*camera*/, int /*track*/,
                                                   const std::string& /*who*/,
                                                   const std::string& /*reason*/) {
    return core::Unavailable("this server does not follow people");
  }
  virtual core::Result<nlohmann::json> StopFollow(int64_t /*id*/, const std::string& /*who*/) {
    return core::Unavailable("this server does not follow people");
  }
  // What `camera` learned of normal activity, as SVG (app/learn_store.h); kNotFound
  // saying why when it has nothing.
  virtual core::Result<std::string> LearnedPicture(const std::string& /*camera*/) {
    return core::Unavailable("this server does not learn");
  }
  // Retention and recording state for the dashboard's system page.
  virtual nlohmann::json System() { return nlohmann::json::object(); }
  // More Prometheus lines from the daemon (MQTT queue, store errors), with their
  // HELP/TYPE lines, appended to /metrics as they are.
  virtual std::string ExtraMetrics() { return ""; }
  // Whether `user` must change a one-time password before anything else.
  virtual bool MustChangePassword(const std::string& /*user*/) { return false; }
  // Why the daemon is degraded (store or evidence cannot write), for /healthz; empty: ok.
  virtual std::vector<std::string> Problems() { return {}; }
};

}  // namespace argus::api
