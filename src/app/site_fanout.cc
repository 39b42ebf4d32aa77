#include "app/site_fanout.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "api/json_format.h"

namespace argus::app {
namespace {

bool OnceOnly(const std::string& change) {
  return change == "acknowledged" || change == "resolved";
}

}  // namespace

SiteFanout::SiteFanout(store::Store& db, api::LiveHub& live, std::string node_id,
                       std::string conninfo)
    : db_(db), live_(live), id_(std::move(node_id)) {
  if (conninfo.empty()) return;
  channel_ = std::make_unique<store::PgNotifyChannel>(std::move(conninfo), kSiteLiveChannel,
                                                      [this](const std::string& p) { Receive(p); });
}

SiteFanout::~SiteFanout() { Stop(); }

void SiteFanout::Start() {
  if (channel_) channel_->Start();
}

void SiteFanout::Stop() {
  if (channel_) channel_->Stop();
}

void SiteFanout::Send(const nlohmann::json& j) {
  if (channel_) channel_->Send(j.dump());
}

void SiteFanout::Event(const events::Event& e) {
  {
    // This node writes the camera now: what it stored meanwhile was shown already.
    std::lock_guard lock(mu_);
    last_seq_.erase(e.camera);
  }
  Send({{"k", "event"},
        {"camera", e.camera},
        {"id", e.id},
        {"phase", events::ToString(e.phase)},
        {"frame", e.frame},
        {"node", id_}});
}

bool SiteFanout::Alert(const std::string& change, int64_t id) {
  if (OnceOnly(change)) {
    std::lock_guard lock(mu_);
    if (relayed_.contains({id, change})) return false;
  }
  Send({{"k", "alert"}, {"id", id}, {"change", change}, {"node", id_}});
  return true;
}

void SiteFanout::Receive(const std::string& payload) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("node", "") == id_) return;
  const std::string kind = j.value("k", "");
  if (kind == "event") {
    ReceiveEvent(j);
  } else if (kind == "alert") {
    ReceiveAlert(j);
  }
}

void SiteFanout::ReceiveEvent(const nlohmann::json& j) {
  store::EventQuery q;
  q.camera = j.value("camera", "");
  q.limit = kFanoutEventPage;
  if (q.camera.empty()) return;
  auto page = db_.QueryEvents(q);  // newest first
  if (!page.ok()) {
    spdlog::debug("live news: events of camera {} not read: {}", q.camera, page.status().message());
    return;
  }
  const std::vector<store::StoredEvent>& rows = page->events;
  std::lock_guard lock(mu_);
  int64_t after = 0;
  if (auto it = last_seq_.find(q.camera); it != last_seq_.end()) {
    after = it->second;
  } else {
    // The first news of this camera: show from the event notified on.
    after = rows.empty() ? 0 : rows.front().seq;
    for (const store::StoredEvent& s : rows) {
      if (s.event.id == j.value("id", "") &&
          events::ToString(s.event.phase) == j.value("phase", "") &&
          s.event.frame == j.value("frame", int64_t{-1})) {
        after = s.seq - 1;
        break;
      }
    }
  }
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (it->seq <= after) continue;
    live_.Publish("event", events::ToJsonLine(it->event));
    after = it->seq;
  }
  last_seq_[q.camera] = after;
}

void SiteFanout::ReceiveAlert(const nlohmann::json& j) {
  const int64_t id = j.value("id", int64_t{0});
  const std::string change = j.value("change", "");
  if (id <= 0 || change.empty()) return;
  if (OnceOnly(change)) {
    std::lock_guard lock(mu_);
    if (!relayed_.insert({id, change}).second) return;
    relayed_order_.emplace_back(id, change);
    if (relayed_order_.size() > kFanoutRelayedMemory) {
      relayed_.erase(relayed_order_.front());
      relayed_order_.pop_front();
    }
  }
  auto a = db_.GetAlert(id);
  if (!a.ok()) {
    spdlog::debug("live news: alert {} not read: {}", id, a.status().message());
    return;
  }
  live_.Publish(
      "alert",
      api::Dump({{"change", change}, {"alert", api::ToJson(*a)}, {"node", j.value("node", "")}}));
}

}  // namespace argus::app
