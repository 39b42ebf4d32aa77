// One node's side of the camera leases: registers the node and heartbeats, renews the
// leases it holds, takes the cameras PlanLeases assigns to it, hands over the ones it
// should give up, and keeps the fencing tokens the store checks on every write. The store
// holds the truth; this keeps only what this node holds and until when.
//
// Safety: a camera counts as lost the moment its lease would have expired by this node's
// clock without a renewal (store unreachable, process paused), and its fencing token is
// cleared before `on_change` is told; a write that slips through meanwhile is refused by
// the store, because a new holder has a new epoch.
//
// Liveness: `on_change` (starting and stopping cameras, which may take seconds) runs on a
// thread of its own, so a slow one never delays the renewals; a lease handed over is
// released only once `on_change` has stopped its camera, and keeps its fencing token till
// then (or till it would have expired), so what the camera writes as it stops is stored.
//
// Thread safety: Start, Stop and SetCameras from the owning thread; RunOnce from a test's
// thread when not started; Owned and fence from any thread. `on_change` runs on the apply
// thread (Start's for the first round, RunOnce's in tests) with no lock held.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/lease_plan.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace argus::cluster {

inline constexpr double kDefaultLeaseS = 10;
inline constexpr double kDefaultRenewS = 3;

struct NodeOptions {
  std::string id;
  std::string address;
  std::string version;
  double lease_s = kDefaultLeaseS;  // a lease not renewed for this long is free
  double renew_s = kDefaultRenewS;  // how often leases are renewed and the plan redone
};

class LeaseKeeper {
 public:
  // The cameras this node runs now, and those among them it has just taken (their alerts
  // left by another node are to be adopted).
  using OnChange =
      std::function<void(const std::set<std::string>& owned, const std::set<std::string>& taken)>;

  LeaseKeeper(store::Store& db, core::Clock& clock, NodeOptions options,
              std::vector<CameraWant> cameras, OnChange on_change);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Fencing tokens for store::Store::SetFencing: every camera of the config is managed.
  std::shared_ptr<store::FenceTokens> fence() const { return fence_; }

  // Runs one round now, then one every renew_s on a thread.
  void Start();
  // Runs the next round now rather than at its time: another node released a lease.
  void Wake();
  // Ends the thread; with `release`, gives every lease up (the caller stopped the cameras
  // first) and removes the node's row, so the others take over at once.
  void Stop(bool release);
  // One round and its on_change, on the calling thread. Returns the first store error
  // (the round does what it can regardless).
  core::Status RunOnce();
  // After a config reload.
  void SetCameras(std::vector<CameraWant> cameras);
  // The config this node runs (published in its registry row; the lease plan counts only
  // the nodes running the same one) and whether it may hold leases (config_gate.h): when
  // not, the next round hands every lease over, through on_change, and takes none.
  void SetConfig(std::string hash, std::string version, bool may_hold);

  std::set<std::string> Owned() const;

 private:
  struct Held {
    int64_t epoch = 0;
    core::WallTime expires_at;
  };
  // What the rounds decided and on_change has not been told yet.
  struct Pending {
    std::set<std::string> owned;
    std::set<std::string> taken;
    std::map<std::string, Held> released;  // handed over, to release once stopped
    bool due = false;
  };
  // Heartbeat, plan, hand-over, renew, acquire, expiry; queues the outcome.
  core::Status Round();
  // Tells on_change the latest outcome, then releases the leases handed over.
  void ApplyPending();
  void Loop();
  void ApplyLoop();
  // Drops `camera` from `held` and fences it.
  void Lose(std::map<std::string, Held>& held, const std::string& camera, const char* why);

  store::Store& db_;
  core::Clock& clock_;
  const NodeOptions options_;
  const OnChange on_change_;
  const core::WallTime started_at_;
  std::shared_ptr<store::FenceTokens> fence_;

  mutable std::mutex mu_;
  std::mutex round_mu_;               // one round (or Stop) at a time; taken before mu_
  std::vector<CameraWant> cameras_;   // guarded by mu_
  std::string config_hash_;           // guarded by mu_
  std::string config_version_;        // guarded by mu_
  bool may_hold_ = true;              // guarded by mu_
  std::map<std::string, Held> held_;  // guarded by mu_, changed under round_mu_ too
  Pending pending_;                   // guarded by mu_
  std::mutex apply_mu_;               // one ApplyPending at a time; taken before mu_
  std::set<std::string> reported_;    // what on_change_ was last told (apply_mu_)
  std::condition_variable cv_;        // wakes the rounds' thread to stop
  std::condition_variable apply_cv_;  // wakes the apply thread
  bool stop_ = false;                 // guarded by mu_
  bool wake_ = false;                 // guarded by mu_
  std::thread thread_;
  std::thread apply_thread_;
};

}  // namespace argus::cluster
