#include "notify/mqtt_publisher.h"

#include <mosquitto.h>

#include <chrono>
#include <utility>

#include "core/log.h"
#include "notify/topics.h"

namespace argus::notify {
namespace {

constexpr std::chrono::milliseconds kPublishRetryPause{100};

}  // namespace

MqttPublisher::MqttPublisher(MqttPublisherOptions options)
    : options_(std::move(options)), conn_(options_.mqtt, this), queue_(options_.queue_capacity) {
  if (options_.inflight_window == 0) options_.inflight_window = 1;
}

MqttPublisher::~MqttPublisher() { Stop(); }

core::Status MqttPublisher::Start() {
  if (dispatcher_.joinable()) return core::Status::Ok();
  std::string error;
  if (!conn_.Start(&error)) return core::InvalidArgument(error);
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  dispatcher_ = std::thread([this] { DispatchLoop(); });
  return core::Status::Ok();
}

void MqttPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  conn_.Stop();  // after the dispatcher: it calls conn_.Publish
  std::lock_guard lock(mu_);
  link_up_ = false;
}

bool MqttPublisher::Flush(double timeout_s) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                      [this] { return queue_.empty() && inflight_.empty() && publishing_ == 0; });
}

bool MqttPublisher::Publish(std::string topic, std::string payload, int qos, bool retain,
                            bool alert) {
  if (topic.empty() || topic.find_first_of("+#") != std::string::npos || qos < 0 || qos > 2) {
    spdlog::warn("mqtt: refusing to publish to invalid topic '{}' (qos {})", topic, qos);
    return false;
  }
  bool queued;
  {
    std::lock_guard lock(mu_);
    queued = queue_.Push({std::move(topic), std::move(payload), qos, retain, alert});
    if (queued) ++accepted_;
  }
  if (queued) cv_.notify_all();
  return queued;
}

void MqttPublisher::PublishEvent(const events::Event& e) {
  const std::string payload = events::ToJson(e).dump();
  Publish(EventsTopic(), payload, kEventQos);
  if (e.severity == events::Severity::kAlert || e.severity == events::Severity::kCritical) {
    Publish(AlertsTopic(), payload, kAlertQos, /*retain=*/false, /*alert=*/true);
  }
}

void MqttPublisher::PublishCameraStatus(std::string_view camera, const nlohmann::json& status) {
  Publish(CameraStatusTopic(camera), status.dump(), kStateQos, /*retain=*/true);
}

void MqttPublisher::PublishZoneCount(std::string_view camera, std::string_view zone,
                                     const nlohmann::json& count) {
  Publish(ZoneCountTopic(camera, zone), count.dump(), kStateQos, /*retain=*/true);
}

MqttPublisherStats MqttPublisher::stats() const {
  std::lock_guard lock(mu_);
  MqttPublisherStats s;
  s.connected = conn_.connected();
  s.queued = queue_.size();
  s.inflight = inflight_.size() + publishing_;
  s.accepted = accepted_;
  s.sent = sent_;
  s.dropped = queue_.dropped();
  s.dropped_alerts = queue_.dropped_alerts();
  s.reconnects = conn_.reconnects();
  return s;
}

void MqttPublisher::OnConnected() {
  {
    std::lock_guard lock(mu_);
    link_up_ = true;
  }
  cv_.notify_all();
}

void MqttPublisher::OnDisconnected() {
  std::lock_guard lock(mu_);
  link_up_ = false;
  ++link_epoch_;
  // libmosquitto keeps QoS>0 messages and re-sends them after reconnecting;
  // QoS 0 packets not yet written are gone, so they go back into our queue.
  for (auto it = inflight_.begin(); it != inflight_.end();) {
    if (it->second.qos == 0) {
      queue_.PushFront(std::move(it->second));
      it = inflight_.erase(it);
    } else {
      ++it;
    }
  }
}

void MqttPublisher::OnPublished(int mid) {
  {
    std::lock_guard lock(mu_);
    if (inflight_.erase(mid) > 0) {
      ++sent_;
    } else {
      acked_early_.insert(mid);
    }
  }
  cv_.notify_all();
}

void MqttPublisher::DispatchLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] {
      return stop_ || (link_up_ && !queue_.empty() &&
                       inflight_.size() + publishing_ < options_.inflight_window);
    });
    if (stop_) return;
    OutgoingMessage m = queue_.PopFront();
    const uint64_t epoch = link_epoch_;
    ++publishing_;
    lock.unlock();
    int mid = 0;
    const int rc = conn_.Publish(m.topic, m.payload, m.qos, m.retain, &mid);
    lock.lock();
    --publishing_;
    if (rc != MOSQ_ERR_SUCCESS) {
      // Not connected after all (or the payload is unacceptable): keep it unless it can never go.
      if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_MALFORMED_UTF8) {
        spdlog::warn("mqtt: dropping message to '{}': {}", m.topic, mosquitto_strerror(rc));
      } else {
        queue_.PushFront(std::move(m));
        // The link went down under us; OnDisconnected follows. Do not spin meanwhile.
        cv_.wait_for(lock, kPublishRetryPause, [this] { return stop_; });
      }
      cv_.notify_all();
      continue;
    }
    if (acked_early_.erase(mid) > 0) {
      ++sent_;
    } else if (m.qos == 0 && epoch != link_epoch_) {
      queue_.PushFront(std::move(m));  // the link dropped while we handed it over
    } else {
      inflight_.emplace(mid, std::move(m));
    }
    cv_.notify_all();
  }
}

}  // namespace argus::notify
