#include "app/config_sync.h"

#include <spdlog/spdlog.h>

#include "app/cluster_node.h"
#include "app/delivery.h"
#include "cluster/config_gate.h"

namespace argus::app {
namespace {

std::map<std::string, std::string> CamerasOf(const config::Config& cfg) {
  std::map<std::string, std::string> out;
  for (const config::CameraConfig& c : cfg.cameras) out[c.name] = c.fingerprint;
  return out;
}

std::string Describe(const ConfigSync::Request& r) {
  return r.who.empty() ? r.origin : r.origin + ": " + r.who;
}

}  // namespace

nlohmann::json ConfigSync::Outcome::ToJson() const {
  nlohmann::json j = {{"old_version", old_version}, {"new_version", new_version}};
  if (!status.ok()) {
    j["error"] = status.message();
    return j;
  }
  j["changed"] = {{"sections", sections},
                  {"cameras_added", cameras_added},
                  {"cameras_removed", cameras_removed},
                  {"cameras_changed", cameras_changed},
                  {"cameras_started", applied.started},
                  {"cameras_stopped", applied.stopped},
                  {"restart_needed", applied.restart_needed}};
  if (!site_error.empty()) j["site_error"] = site_error;
  return j;
}

ConfigSync::ConfigSync(store::Store& db, core::Clock& clock, const config::Config& running,
                       ClusterNode* cluster, std::string node_id, double lease_s, Load load,
                       Apply apply)
    : db_(db),
      clock_(clock),
      cluster_(cluster),
      node_id_(std::move(node_id)),
      lease_s_(lease_s),
      load_(std::move(load)),
      apply_(std::move(apply)),
      cameras_(CamerasOf(running)),
      identity_(running.identity),
      state_(cluster ? "unknown" : "single node"),
      holds_(cluster == nullptr) {}

ConfigSync::~ConfigSync() { Stop(); }

void ConfigSync::Start() {
  if (!cluster_) return;
  // No lease before the site's config was read: a node started on another config must
  // not run a camera even for one round.
  cluster_->SetConfig(identity_.hash, identity_.version, /*may_hold=*/false);
  CheckOnce();
}

void ConfigSync::Watch() {
  if (cluster_) thread_ = std::thread([this] { Loop(); });
}

void ConfigSync::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard reload(reload_mu_);  // a reload under way (an HTTP worker's) ends first
}

void ConfigSync::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::duration<double>(kConfigCheckS), [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    CheckOnce();
    lock.lock();
  }
}

void ConfigSync::CheckOnce() {
  if (!cluster_) return;
  std::lock_guard reload(reload_mu_);
  CheckLocked();
}

void ConfigSync::CheckLocked() {
  auto site = db_.GetSiteConfig();
  auto nodes = db_.ListNodes();
  if (!site.ok() || !nodes.ok()) {
    // Leases need the store too: the keeper loses them by its own clock if it stays away.
    spdlog::debug("node {}: site config not read: {}", node_id_,
                  (site.ok() ? nodes.status() : site.status()).message());
    return;
  }
  config::ConfigIdentity mine;
  {
    std::lock_guard lock(mu_);
    mine = identity_;
  }
  const cluster::GateAction action = cluster::DecideGate(
      {node_id_, clock_.Now(), lease_s_, mine.hash, *site, std::move(*nodes), seen_site_hash_});
  switch (action) {
    case cluster::GateAction::kHold:
      Gate(true, *site);
      break;
    case cluster::GateAction::kClaim: {
      const store::SiteConfigRecord record{
          mine.hash, mine.version,
          node_id_ + (*site ? " (no live node ran " + (*site)->version + ")" : " (first node)"),
          clock_.Now()};
      auto wrote = db_.PutSiteConfig(record, *site ? (*site)->hash : std::string());
      if (wrote.ok() && *wrote) {
        spdlog::info("node {}: the site's config is now {} ({})", node_id_, mine.version,
                     record.set_by);
        *site = record;
        Gate(true, *site);
      }  // else another node was quicker: the next check follows it
      break;
    }
    case cluster::GateAction::kReread: {
      spdlog::info("node {}: the site's config is now {} (set by {}): re-reading the config file",
                   node_id_, (*site)->version, (*site)->set_by);
      seen_site_hash_ = (*site)->hash;
      (void)ReloadLocked({"site", "", ""});  // a file with a problem is logged and audited
      std::string now_hash;
      {
        std::lock_guard lock(mu_);
        now_hash = identity_.hash;
      }
      Gate(now_hash == (*site)->hash, *site);
      break;
    }
    case cluster::GateAction::kRefuse:
      Gate(false, *site);
      break;
  }
  if (*site) seen_site_hash_ = (*site)->hash;
}

void ConfigSync::Gate(bool may_hold, const std::optional<store::SiteConfigRecord>& site) {
  std::lock_guard lock(mu_);
  cluster_->SetConfig(identity_.hash, identity_.version, may_hold);
  const std::string state = cluster::DescribeConfig(identity_.hash, identity_.version, site);
  holds_ = may_hold;
  if (state == state_) return;
  state_ = state;
  if (may_hold) {
    spdlog::info("node {}: config {} matches the site's: taking camera leases", node_id_,
                 identity_.version);
  } else {
    spdlog::warn(
        "node {}: config {}: this node takes no camera until it runs the site's config (fix "
        "its file and reload it, or reload a node to make its file the site's config: SIGHUP "
        "or POST /api/config/reload)",
        node_id_, state);
  }
}

ConfigSync::Outcome ConfigSync::Reload(const Request& r) {
  std::lock_guard reload(reload_mu_);
  return ReloadLocked(r);
}

ConfigSync::Outcome ConfigSync::ReloadLocked(const Request& r) {
  Outcome o;
  {
    std::lock_guard lock(mu_);
    o.old_version = o.new_version = identity_.version;
    if (stop_) {
      o.status = core::Unavailable("the daemon is stopping");
      return o;
    }
  }
  auto cfg = load_();
  const core::WallTime now = clock_.Now();
  auto audit = [&](const std::string& what) {
    if (core::Status st = db_.AppendAudit({0, r.who.empty() ? r.origin : r.who, what, now, r.from});
        !st.ok()) {
      spdlog::warn("audit of a config reload not written: {}", st.message());
    }
  };
  if (!cfg.ok()) {
    o.status = cfg.status();
    spdlog::error("reload refused, still running config {}: {}", o.old_version, o.status.message());
    audit("reload config (" + r.origin + "): refused, still running " + o.old_version + ": " +
          o.status.message());
    std::lock_guard lock(mu_);
    ++reloads_failed_;
    return o;
  }
  o.new_version = cfg->identity.version;
  config::ConfigIdentity before;
  {
    std::lock_guard lock(mu_);
    before = identity_;
  }
  o.sections = config::ChangedSections(before, cfg->identity);
  const std::map<std::string, std::string> cameras = CamerasOf(*cfg);
  for (const auto& [name, fp] : cameras) {
    auto it = cameras_.find(name);
    if (it == cameras_.end()) {
      o.cameras_added.push_back(name);
    } else if (it->second != fp) {
      o.cameras_changed.push_back(name);
    }
  }
  for (const auto& [name, fp] : cameras_) {
    if (!cameras.contains(name)) o.cameras_removed.push_back(name);
  }
  const config::ConfigIdentity identity = cfg->identity;
  o.applied = apply_(std::move(cfg).value());
  o.status = o.applied.status;
  cameras_ = cameras;
  {
    std::lock_guard lock(mu_);
    identity_ = identity;
    ++reloads_ok_;
  }
  if (cluster_ && r.origin != "site") {
    // The operator's act: this config is the site's from now on; the other nodes follow.
    cluster_->SetConfig(identity.hash, identity.version, /*may_hold=*/true);
    const store::SiteConfigRecord record{identity.hash, identity.version,
                                         node_id_ + " (" + Describe(r) + ")", now};
    auto wrote = db_.PutSiteConfig(record, std::nullopt);
    if (wrote.ok()) {
      seen_site_hash_ = identity.hash;
      Gate(true, record);
    } else {
      o.site_error = "reloaded on this node only; the site's config was not recorded: " +
                     wrote.status().message();
      spdlog::error("node {}: {}", node_id_, o.site_error);
    }
  }
  audit("reload config (" + r.origin + "): " + o.old_version + " -> " + o.new_version +
        (o.status.ok() ? "" : ": " + o.status.message()));
  return o;
}

std::string ConfigSync::config_state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool ConfigSync::holds_leases() const {
  std::lock_guard lock(mu_);
  return holds_;
}

std::string ConfigSync::Problem() const {
  std::lock_guard lock(mu_);
  if (holds_ || !cluster_) return "";
  return "config " + state_ + ": this node takes no camera";
}

std::string ConfigSync::Metrics() const {
  std::lock_guard lock(mu_);
  return MetricLines("argus_config_matches_site",
                     "1 when this node runs the site's config and may run cameras.", holds_ ? 1 : 0,
                     "gauge") +
         MetricLines("argus_config_reloads_total", "Config reloads applied since start.",
                     static_cast<double>(reloads_ok_), "counter") +
         MetricLines("argus_config_reloads_refused_total",
                     "Config reloads refused (the file had problems) since start.",
                     static_cast<double>(reloads_failed_), "counter");
}

}  // namespace argus::app
