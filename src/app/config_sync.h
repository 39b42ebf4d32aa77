// One config for every node of a site (docs/multi_node.md, "One config"): reloads this
// node's config file on request (SIGHUP, POST /api/config/reload), audits each reload and
// says what it changed; on several nodes it also records a successful reload as the
// site's config in the store, watches the site's config (every kConfigCheckS), re-reads
// the file when another node declared a new one, and lets the lease keeper hold cameras
// only while this node runs the site's config (cluster/config_gate.h), saying why not in
// the log (once per change), /api/nodes, /metrics and /healthz.
//
// Thread safety: Reload and the accessors from any thread (the signal thread, HTTP
// workers, the watcher); reloads and checks run one at a time. Start/Stop from the
// daemon's owning thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace argus::app {

class ClusterNode;

inline constexpr double kConfigCheckS = 1;  // how often a node looks at the site's config

class ConfigSync {
 public:
  struct Request {
    std::string origin;  // "signal", "api", or "site" (following another node's reload)
    std::string who;     // the user (api)
    std::string from;    // the client's address (api)
  };
  // What the daemon's parts did with a new config.
  struct Applied {
    core::Status status;
    size_t started = 0, stopped = 0;          // cameras
    std::vector<std::string> restart_needed;  // keys that wait for a restart
  };
  struct Outcome {
    core::Status status;  // the config's first problem (file:line: field: message), or the apply's
    std::string old_version, new_version;
    std::vector<std::string> sections;  // top-level sections that changed
    std::vector<std::string> cameras_added, cameras_removed, cameras_changed;
    Applied applied;
    std::string site_error;  // the reload worked here but the site could not be told
    nlohmann::json ToJson() const;
  };
  using Load = std::function<core::Result<config::Config>()>;
  using Apply = std::function<Applied(config::Config)>;

  // `cluster`: null on a single node (no site config). `running`: the config started with.
  ConfigSync(store::Store& db, core::Clock& clock, const config::Config& running,
             ClusterNode* cluster, std::string node_id, double lease_s, Load load, Apply apply);
  ~ConfigSync();
  ConfigSync(const ConfigSync&) = delete;
  ConfigSync& operator=(const ConfigSync&) = delete;

  // Several nodes: one check now, before the lease keeper's first round.
  void Start();
  // Then a check every kConfigCheckS on a thread, once the daemon has started.
  void Watch();
  // Ends the watcher; reloads asked for afterwards are refused (the daemon stops).
  void Stop();
  // One check of the site's config, on the calling thread (tests; the watcher's round).
  void CheckOnce();

  Outcome Reload(const Request& r);

  // "matches", "differs: node has X, site has Y", "unknown" (site config not read yet) or
  // "single node".
  std::string config_state() const;
  bool holds_leases() const;
  // The problem for /healthz; "" when none.
  std::string Problem() const;
  std::string Metrics() const;

 private:
  Outcome ReloadLocked(const Request& r);  // reload_mu_ held
  void CheckLocked();                      // reload_mu_ held
  // Tells the keeper, and logs a change of state.
  void Gate(bool may_hold, const std::optional<store::SiteConfigRecord>& site);
  void Loop();

  store::Store& db_;
  core::Clock& clock_;
  ClusterNode* const cluster_;
  const std::string node_id_;
  const double lease_s_;
  const Load load_;
  const Apply apply_;

  std::mutex reload_mu_;                        // one reload or check at a time; taken before mu_
  std::string seen_site_hash_;                  // reload_mu_
  std::map<std::string, std::string> cameras_;  // name -> fingerprint (reload_mu_)
  mutable std::mutex mu_;
  config::ConfigIdentity identity_;               // guarded by mu_
  std::string state_;                             // guarded by mu_
  bool holds_ = false;                            // guarded by mu_
  uint64_t reloads_ok_ = 0, reloads_failed_ = 0;  // guarded by mu_
  bool stop_ = false;                             // guarded by mu_
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace argus::app
