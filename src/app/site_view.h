// The whole site as any node shows it (docs/multi_node.md): every camera of the config
// with the node running it (its lease in the store) and, for the nodes' registry, who
// is alive and which cameras each holds. The store's leases and nodes are read at most
// once per kSiteViewRefreshS, so a camera wall asking for a hundred tiles costs no more
// than one read.
//
// Thread safety: any thread (HTTP workers); SetCameras from the owning thread on reload.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/backend.h"
#include "core/clock.h"
#include "store/site_store.h"
#include "store/store.h"

namespace argus::app {

inline constexpr double kSiteViewRefreshS = 1;
// "The other nodes' cameras are unknown" (the store is down) is logged at most this often.
inline constexpr double kSiteViewWarnPeriodS = 60;

class SiteView {
 public:
  // `records`: which node held each lease epoch (for EvidenceHome); may be null.
  SiteView(store::Store& db, core::Clock& clock, std::string node_id, double lease_s,
           std::vector<std::string> cameras, store::SiteStore* records = nullptr);

  void SetCameras(std::vector<std::string> cameras);
  // `local` (the cameras this node runs) with this node's id, then every other camera of
  // the config: "remote" with its node when a live node holds its lease, else "offline".
  std::vector<api::CameraStatus> Cameras(std::vector<api::CameraStatus> local);
  // {"nodes":[{id, address, version, started_at, heartbeat_at, heartbeat_age_s, load,
  // cameras, alive, self, config_version, config_hash, config}], "site_config": {hash,
  // version, set_by, set_at} or null}; `config` is "matches" or "differs: ..."
  // (cluster::DescribeConfig).
  core::Result<nlohmann::json> Nodes();
  // The live node other than this one that holds `camera`'s lease; nullopt otherwise.
  std::optional<api::CameraHome> RemoteHome(const std::string& camera);
  // The other node that recorded incident `incident` of alert `alert_id` (the node that
  // held its camera's lease under the epoch in the incident id `<camera>/<rule>/<n>@<epoch>`),
  // with `alive` as the registry says; nullopt when this node did or it is unknown.
  std::optional<api::CameraHome> EvidenceHome(int64_t alert_id, int incident);

 private:
  struct Snapshot {
    std::vector<store::NodeRecord> nodes;
    std::vector<store::LeaseRecord> leases;
    std::optional<store::SiteConfigRecord> site_config;
    core::WallTime read_at;
  };
  // The store's leases and nodes, read again when older than kSiteViewRefreshS.
  core::Result<Snapshot> Read();
  bool Alive(const Snapshot& s, const store::NodeRecord& n) const;
  // The live holder of `camera`'s lease in `s`; nullptr when none.
  const store::NodeRecord* Holder(const Snapshot& s, const std::string& camera) const;

  store::Store& db_;
  core::Clock& clock_;
  const std::string id_;
  const double lease_s_;
  std::mutex mu_;
  std::vector<std::string> cameras_;  // guarded by mu_
  store::SiteStore* const records_;
  std::optional<Snapshot> cache_;            // guarded by mu_
  std::optional<core::WallTime> warned_at_;  // guarded by mu_
};

}  // namespace argus::app
