#include "app/cluster_node.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <climits>
#include <utility>

#include "store/pg_store.h"

namespace argus::app {
namespace {

std::vector<cluster::CameraWant> WantsOf(const config::Config& cfg) {
  std::vector<cluster::CameraWant> out;
  for (const config::CameraConfig& c : cfg.cameras) out.push_back({c.name, c.node});
  return out;
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "argus";
  return buf;
}

}  // namespace

cluster::NodeOptions NodeOptionsOf(const config::Config& cfg, const std::string& node_id) {
  cluster::NodeOptions o;
  o.id = !node_id.empty()               ? node_id
         : !cfg.cluster.node_id.empty() ? cfg.cluster.node_id
                                        : HostName();
  o.address = cfg.cluster.address;
  o.version = kArgusVersion;
  o.lease_s = cfg.cluster.lease_s;
  o.renew_s = cfg.cluster.renew_s;
  return o;
}

ClusterNode::ClusterNode(store::Store& db, core::Clock& clock, cluster::NodeOptions options,
                         const config::Config& cfg, CameraFleet& fleet, AlertService& alerts,
                         const std::string& conninfo, Drain drain)
    : id_(options.id), drain_(std::move(drain)), fleet_(fleet), alerts_(alerts), config_(cfg) {
  keeper_ = std::make_unique<cluster::LeaseKeeper>(
      db, clock, std::move(options), WantsOf(cfg),
      [this](const std::set<std::string>& owned, const std::set<std::string>& taken) {
        Apply(owned, taken);
      });
  if (!conninfo.empty()) {
    released_ = std::make_unique<store::PgNotifyChannel>(
        conninfo, store::kPgLeaseReleasedChannel, [this](const std::string&) { keeper_->Wake(); });
  }
  db.SetFencing(keeper_->fence());
  alerts_.KeepSpareIds();
}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::Start() {
  spdlog::info("node {}: joining the site", id_);
  if (released_) released_->Start();
  keeper_->Start();
}

void ClusterNode::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;  // the fleet stops as a whole now: no more starts or stops here
  }
  if (released_) released_->Stop();
  keeper_->Stop(/*release=*/false);
}

void ClusterNode::Release() { keeper_->Stop(/*release=*/true); }

void ClusterNode::Apply(const std::set<std::string>& owned, const std::set<std::string>& taken) {
  // The alerts of a camera taken over first: its first incident here merges into them.
  for (const std::string& camera : taken) {
    if (core::Status st = alerts_.Adopt(camera); !st.ok()) {
      spdlog::warn("node {}: alerts of camera {} not adopted: {}", id_, camera, st.message());
    }
  }
  std::lock_guard lock(mu_);
  if (stopped_) return;
  const std::set<std::string> before = std::exchange(owned_, owned);
  const CameraFleet::ReloadResult r = ApplyLocked();
  if (!r.status.ok()) spdlog::error("node {}: {}", id_, r.status.message());
  // Only once stopped and its last incidents handled: a camera handed over writes them
  // (still under its lease) into the alerts it has, not into new ones beside those the
  // next node adopts.
  std::vector<std::string> gone;
  for (const std::string& camera : before) {
    if (!owned.contains(camera)) gone.push_back(camera);
  }
  if (!gone.empty() && drain_ && !drain_(kShutdownFlushS)) {
    spdlog::warn("node {}: events of the cameras handed over not all handled in {} s", id_,
                 kShutdownFlushS);
  }
  for (const std::string& camera : gone) alerts_.Disown(camera);
  spdlog::info("node {}: runs {} cameras ({} started, {} stopped)", id_, owned.size(), r.started,
               r.stopped);
}

CameraFleet::ReloadResult ClusterNode::ApplyLocked() {
  config::Config mine = config_;
  std::erase_if(mine.cameras,
                [&](const config::CameraConfig& c) { return !owned_.contains(c.name); });
  return fleet_.Reload(mine);
}

CameraFleet::ReloadResult ClusterNode::Reload(const config::Config& cfg) {
  keeper_->SetCameras(WantsOf(cfg));
  std::lock_guard lock(mu_);
  config_ = cfg;
  if (stopped_) return {};
  return ApplyLocked();  // changed cameras restart; the keeper gives up removed ones
}

}  // namespace argus::app
