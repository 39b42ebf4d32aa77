// A node's loss is an alert of the site (docs/multi_node.md): every live node looks at
// the registry every period; a node whose heartbeat went stale (cluster::NodeAlive) gets
// one `node_offline` alert for the whole site, however many nodes notice it (the store
// settles it: store::SiteStore::RaiseSiteAlert, one per node and last heartbeat), naming
// the node (`rule`: "node:<id>") and the cameras it ran (`zone`, comma-separated). When
// the node comes back (a fresh heartbeat) or was stopped on purpose (its row is gone),
// the nodes that know the alert acknowledge and resolve it as "argus".
//
// The first node to raise or resolve it publishes the change (live feed, MQTT, webhooks,
// and through the fan-out the other nodes' live feeds). A dead store delays this only.
//
// Thread safety: Start/Stop from the owning thread; Tick on the watch's thread (or a
// test's, when not started). `publish` is called on that thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "events/alert.h"
#include "store/site_store.h"
#include "store/store.h"

namespace argus::app {

inline constexpr const char* kNodeOfflineType = "node_offline";
inline constexpr double kStoreDownLogPeriodS = 60;  // "store down" logged at most this often

class NodeWatch {
 public:
  using Publish = std::function<void(const std::string& change, const events::Alert& a)>;

  NodeWatch(store::Store& db, store::SiteStore& site, core::Clock& clock, std::string self,
            double lease_s, double period_s, Publish publish);
  ~NodeWatch();
  NodeWatch(const NodeWatch&) = delete;
  NodeWatch& operator=(const NodeWatch&) = delete;

  void Start();
  void Stop();
  // One look at the registry: raises the alerts of nodes lost, resolves those of nodes back.
  void Tick();

 private:
  struct Loss {
    int64_t alert_id = 0;
    core::WallTime heartbeat_at;  // the last heartbeat before the loss
  };
  void Raise(const store::NodeRecord& n, core::WallTime now);
  void Recover(const std::string& node, const Loss& loss, core::WallTime now, const char* why);

  store::Store& db_;
  store::SiteStore& site_;
  core::Clock& clock_;
  const std::string self_;
  const double lease_s_;
  const double period_s_;
  const Publish publish_;
  // Tick's own (one thread at a time):
  std::map<std::string, Loss> lost_;                      // node -> the alert of its loss
  std::map<std::string, std::vector<std::string>> held_;  // node -> cameras, last seen alive
  std::optional<core::WallTime> store_down_logged_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace argus::app
