#include "app/node_watch.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "cluster/lease_plan.h"

namespace argus::app {
namespace {

int64_t Ms(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

NodeWatch::NodeWatch(store::Store& db, store::SiteStore& site, core::Clock& clock, std::string self,
                     double lease_s, double period_s, Publish publish)
    : db_(db),
      site_(site),
      clock_(clock),
      self_(std::move(self)),
      lease_s_(lease_s),
      period_s_(period_s),
      publish_(std::move(publish)) {}

NodeWatch::~NodeWatch() { Stop(); }

void NodeWatch::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      Tick();
      lock.lock();
      cv_.wait_for(lock, std::chrono::duration<double>(period_s_), [&] { return stop_; });
    }
  });
}

void NodeWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeWatch::Tick() {
  const core::WallTime now = clock_.Now();
  auto nodes = db_.ListNodes();
  auto leases = db_.ListLeases();
  const core::Status st = nodes.ok() ? leases.status() : nodes.status();
  if (!st.ok()) {
    if (!store_down_logged_ ||
        now - *store_down_logged_ >= std::chrono::duration<double>(kStoreDownLogPeriodS)) {
      spdlog::warn("node watch: the registry is unreadable: {}", st.message());
      store_down_logged_ = now;
    }
    return;
  }
  store_down_logged_.reset();
  std::map<std::string, const store::NodeRecord*> registered;
  for (const store::NodeRecord& n : *nodes) {
    registered[n.id] = &n;
    if (n.id == self_) continue;
    if (cluster::NodeAlive(n, now, lease_s_)) {
      std::vector<std::string>& held = held_[n.id];
      held.clear();
      for (const store::LeaseRecord& l : *leases) {
        if (l.node == n.id && l.expires_at > now) held.push_back(l.camera);
      }
      continue;
    }
    auto it = lost_.find(n.id);
    if (it == lost_.end() || it->second.heartbeat_at != n.heartbeat_at) Raise(n, now);
  }
  // Copies: Recover erases from lost_.
  for (const auto& [node, loss] : std::map<std::string, Loss>(lost_)) {
    auto it = registered.find(node);
    if (it == registered.end()) {
      Recover(node, loss, now, "was stopped");
    } else if (it->second->heartbeat_at > loss.heartbeat_at &&
               cluster::NodeAlive(*it->second, now, lease_s_)) {
      Recover(node, loss, now, "is back");
    }
  }
}

void NodeWatch::Raise(const store::NodeRecord& n, core::WallTime now) {
  auto id = db_.NextAlertId();
  if (!id.ok()) return;  // the store is down: the next tick tries again
  events::Alert a;
  a.id = *id;
  a.type = kNodeOfflineType;
  a.rule = "node:" + n.id;
  a.zone = Join(held_[n.id]);
  a.severity = events::Severity::kAlert;
  a.opened_at = a.last_event_at = now;
  a.incident_ids = {"node:" + n.id + "@" + std::to_string(Ms(n.heartbeat_at))};
  a.event_count = 1;
  auto raised = site_.RaiseSiteAlert(a);
  if (!raised.ok()) {
    spdlog::warn("node watch: the loss of node {} not recorded yet: {}", n.id,
                 raised.status().message());
    return;
  }
  lost_[n.id] = Loss{raised->id, n.heartbeat_at};
  if (!raised->inserted) return;  // another node raised it first
  spdlog::warn("node {} lost: no heartbeat for {:.0f} s; it ran [{}] (alert {})", n.id,
               std::chrono::duration<double>(now - n.heartbeat_at).count(), a.zone, a.id);
  publish_("opened", a);
}

void NodeWatch::Recover(const std::string& node, const Loss& loss, core::WallTime now,
                        const char* why) {
  lost_.erase(node);
  auto a = db_.GetAlert(loss.alert_id);
  if (!a.ok()) return;
  const events::AlertAction action{"argus", now, "node " + node + " " + why};
  // Another node (or an operator) may act first: the store checks each state change.
  bool resolved = false;
  if (a->state == events::AlertState::kOpen) (void)db_.Acknowledge(a->id, action, "");
  if (a->state != events::AlertState::kResolved) resolved = db_.Resolve(a->id, action, "").ok();
  if (!resolved) return;
  auto stored = db_.GetAlert(a->id);
  if (!stored.ok()) return;
  spdlog::info("node {} {}: alert {} resolved", node, why, a->id);
  publish_("resolved", *stored);
}

}  // namespace argus::app
