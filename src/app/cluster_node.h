// `argus serve` as one node of several on a PostgreSQL store (docs/multi_node.md): the
// lease keeper decides which cameras this node runs, and this applies its decisions to
// the fleet (start the cameras taken, stop the ones lost or handed over) and to the alert
// service (adopt the alerts of a camera taken over, drop those of a camera gone). A lease
// another node releases (a hand-over, a clean stop) is heard at once on PostgreSQL's
// NOTIFY, so the camera is taken then rather than at this node's next lease round.
//
// Thread safety: Start, Stop, Release and Reload from the daemon's owning thread; Apply
// runs on the keeper's thread (the first round's on Start's). mu_ serializes every change
// of the fleet's cameras.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "app/alert_service.h"
#include "app/camera_fleet.h"
#include "cluster/lease_keeper.h"
#include "config/config.h"
#include "core/clock.h"
#include "store/pg_notify.h"
#include "store/store.h"

namespace argus::app {

inline constexpr const char* kArgusVersion = "0.1.0";

// The node options of `cfg` (`node_id` overrides cluster.node_id; both empty: host name).
cluster::NodeOptions NodeOptionsOf(const config::Config& cfg, const std::string& node_id);

class ClusterNode {
 public:
  // Fencing is set on `db` at once: nothing of a camera is written until its lease is held.
  // `conninfo`: the store's PostgreSQL, where released leases are heard (empty: not heard,
  // taken at the next round). `drain`: waits until the events the cameras posted so far
  // have reached the alert service (EventLoop::Drain), false after the given seconds.
  using Drain = std::function<bool(double timeout_s)>;
  ClusterNode(store::Store& db, core::Clock& clock, cluster::NodeOptions options,
              const config::Config& cfg, CameraFleet& fleet, AlertService& alerts,
              const std::string& conninfo, Drain drain);
  ~ClusterNode();

  std::shared_ptr<const store::FenceTokens> fence() const { return keeper_->fence(); }
  // Takes this node's first leases and starts their cameras (the fleet is started).
  void Start();
  // Before the fleet stops: no more lease changes. After it: Release().
  void Stop();
  // Gives every lease up so the other nodes take the cameras over at once.
  void Release();
  // A new config: its cameras (and preferences) from now on.
  CameraFleet::ReloadResult Reload(const config::Config& cfg);
  const std::string& id() const { return id_; }
  // The config this node runs and whether it may hold leases (ConfigSync; any thread).
  void SetConfig(const std::string& hash, const std::string& version, bool may_hold) {
    keeper_->SetConfig(hash, version, may_hold);
  }

 private:
  void Apply(const std::set<std::string>& owned, const std::set<std::string>& taken);
  CameraFleet::ReloadResult ApplyLocked();  // mu_ held

  const std::string id_;
  const Drain drain_;
  CameraFleet& fleet_;
  AlertService& alerts_;
  std::mutex mu_;
  config::Config config_;        // guarded by mu_
  std::set<std::string> owned_;  // guarded by mu_
  bool stopped_ = false;         // guarded by mu_
  std::unique_ptr<cluster::LeaseKeeper> keeper_;
  std::unique_ptr<store::PgNotifyChannel> released_;  // wakes keeper_
};

}  // namespace argus::app
