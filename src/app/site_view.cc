#include "app/site_view.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "api/json_format.h"
#include "cluster/config_gate.h"
#include "cluster/lease_plan.h"

namespace argus::app {
namespace {

double SecondsBetween(core::WallTime from, core::WallTime to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

SiteView::SiteView(store::Store& db, core::Clock& clock, std::string node_id, double lease_s,
                   std::vector<std::string> cameras, store::SiteStore* records)
    : db_(db),
      clock_(clock),
      id_(std::move(node_id)),
      lease_s_(lease_s),
      cameras_(std::move(cameras)),
      records_(records) {}

void SiteView::SetCameras(std::vector<std::string> cameras) {
  std::lock_guard lock(mu_);
  cameras_ = std::move(cameras);
}

core::Result<SiteView::Snapshot> SiteView::Read() {
  const core::WallTime now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    if (cache_ && SecondsBetween(cache_->read_at, now) < kSiteViewRefreshS &&
        cache_->read_at <= now) {
      return *cache_;
    }
  }
  auto nodes = db_.ListNodes();
  if (!nodes.ok()) return nodes.status();
  auto leases = db_.ListLeases();
  if (!leases.ok()) return leases.status();
  auto site_config = db_.GetSiteConfig();  // none on SQLite (one node): "unknown"
  Snapshot s{std::move(nodes).value(), std::move(leases).value(),
             site_config.ok() ? *site_config : std::nullopt, now};
  std::lock_guard lock(mu_);
  cache_ = s;
  return s;
}

bool SiteView::Alive(const Snapshot& s, const store::NodeRecord& n) const {
  return cluster::NodeAlive(n, s.read_at, lease_s_);  // as the lease plan judges it
}

const store::NodeRecord* SiteView::Holder(const Snapshot& s, const std::string& camera) const {
  for (const store::LeaseRecord& l : s.leases) {
    if (l.camera != camera || l.expires_at <= s.read_at) continue;
    for (const store::NodeRecord& n : s.nodes) {
      if (n.id == l.node && Alive(s, n)) return &n;
    }
  }
  return nullptr;
}

std::vector<api::CameraStatus> SiteView::Cameras(std::vector<api::CameraStatus> local) {
  for (api::CameraStatus& c : local) c.node = id_;
  auto s = Read();
  if (!s.ok()) {
    // The store is down: this node still shows what it runs (said once a minute, not on
    // every request of every dashboard).
    const core::WallTime now = clock_.Now();
    std::lock_guard lock(mu_);
    if (!warned_at_ || SecondsBetween(*warned_at_, now) >= kSiteViewWarnPeriodS ||
        now < *warned_at_) {
      spdlog::warn("site view: the other nodes' cameras are unknown: {}", s.status().message());
      warned_at_ = now;
    }
    return local;
  }
  std::vector<std::string> cameras;
  {
    std::lock_guard lock(mu_);
    cameras = cameras_;
  }
  std::set<std::string> shown;
  for (const api::CameraStatus& c : local) shown.insert(c.name);
  for (const std::string& name : cameras) {
    if (shown.contains(name)) continue;
    api::CameraStatus c;
    c.name = name;
    if (const store::NodeRecord* n = Holder(*s, name)) {
      c.node = n->id;
      // This node holds it and is starting it, or another node runs it.
      c.status = n->id == id_ ? "connecting" : "remote";
    } else {
      c.status = "offline";
      c.error = "no live node holds its lease";
    }
    local.push_back(std::move(c));
  }
  return local;
}

core::Result<nlohmann::json> SiteView::Nodes() {
  auto s = Read();
  if (!s.ok()) return s.status();
  nlohmann::json list = nlohmann::json::array();
  for (const store::NodeRecord& n : s->nodes) {
    nlohmann::json held = nlohmann::json::array();
    for (const store::LeaseRecord& l : s->leases) {
      if (l.node == n.id && l.expires_at > s->read_at) held.push_back(l.camera);
    }
    list.push_back({{"id", n.id},
                    {"address", n.address},
                    {"version", n.version},
                    {"started_at", api::FormatTime(n.started_at)},
                    {"heartbeat_at", api::FormatTime(n.heartbeat_at)},
                    {"heartbeat_age_s", std::max(0.0, SecondsBetween(n.heartbeat_at, s->read_at))},
                    {"load", n.load},
                    {"cameras", held},
                    {"alive", Alive(*s, n)},
                    {"self", n.id == id_}});
    nlohmann::json& node = list.back();
    node["config_version"] = n.config_version;
    node["config_hash"] = n.config_hash;
    node["config"] = cluster::DescribeConfig(n.config_hash, n.config_version, s->site_config);
  }
  nlohmann::json site = nullptr;
  if (const auto& c = s->site_config) {
    site = {{"hash", c->hash},
            {"version", c->version},
            {"set_by", c->set_by},
            {"set_at", api::FormatTime(c->set_at)}};
  }
  return nlohmann::json{{"nodes", list}, {"site_config", site}};
}

std::optional<api::CameraHome> SiteView::RemoteHome(const std::string& camera) {
  auto s = Read();
  if (!s.ok()) return std::nullopt;
  const store::NodeRecord* n = Holder(*s, camera);
  if (n == nullptr || n->id == id_) return std::nullopt;
  return api::CameraHome{n->id, n->address};
}

std::optional<api::CameraHome> SiteView::EvidenceHome(int64_t alert_id, int incident) {
  if (records_ == nullptr || incident < 0) return std::nullopt;
  auto a = db_.GetAlert(alert_id);
  if (!a.ok() || a->camera.empty() || static_cast<size_t>(incident) >= a->incident_ids.size()) {
    return std::nullopt;
  }
  const std::string& incident_id = a->incident_ids[incident];
  const size_t at = incident_id.rfind('@');
  if (at == std::string::npos) return std::nullopt;  // found on one node, before any lease
  int64_t epoch = 0;
  const char* first = incident_id.data() + at + 1;
  const char* last = incident_id.data() + incident_id.size();
  if (auto [end, err] = std::from_chars(first, last, epoch); err != std::errc() || end != last) {
    return std::nullopt;
  }
  auto node = records_->LeaseHolderAt(a->camera, epoch);
  if (!node.ok() || *node == id_) return std::nullopt;
  api::CameraHome home{*node, "", /*alive=*/false};
  if (auto s = Read(); s.ok()) {
    for (const store::NodeRecord& n : s->nodes) {
      if (n.id != *node) continue;
      home.address = n.address;
      home.alive = Alive(*s, n);
    }
  }
  return home;
}

}  // namespace argus::app
