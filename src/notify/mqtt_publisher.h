// Publishes Argus events, alerts, camera status and zone counts to an MQTT
// broker (topics in docs/mqtt.md). A dead broker never blocks or fails the
// caller: Publish() only enqueues into a bounded queue; a dispatcher thread
// hands messages to libmosquitto while connected; the network thread
// reconnects with back-off; queued messages go out once the broker is back.
// Delivery: QoS 1 messages (alerts) in flight when the link drops are re-sent
// by libmosquitto; QoS 0 messages not yet written are re-queued.
// Thread safety: Start/Stop/Flush from the owning thread; Publish*, stats()
// from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/status.h"
#include "events/event.h"
#include "notify/message_queue.h"
#include "notify/mqtt_connection.h"

namespace argus::notify {

inline constexpr size_t kDefaultMqttQueueCapacity = 10000;
// Messages handed to libmosquitto but not yet acknowledged; bounds its memory.
inline constexpr size_t kDefaultMqttInflightWindow = 100;
inline constexpr int kAlertQos = 1;
inline constexpr int kEventQos = 0;
// Retained state (camera status, zone counts): acknowledged, so the broker holds it.
inline constexpr int kStateQos = 1;

struct MqttPublisherOptions {
  MqttOptions mqtt;
  size_t queue_capacity = kDefaultMqttQueueCapacity;
  size_t inflight_window = kDefaultMqttInflightWindow;
};

struct MqttPublisherStats {
  bool connected = false;
  uint64_t queued = 0;    // waiting in our queue now
  uint64_t inflight = 0;  // handed to libmosquitto, not yet acknowledged
  uint64_t accepted = 0;  // Publish calls that entered the queue
  uint64_t sent = 0;      // written (QoS 0) or acknowledged by the broker (QoS 1)
  uint64_t dropped = 0;   // dropped because the queue was full
  uint64_t dropped_alerts = 0;
  uint64_t reconnects = 0;
};

class MqttPublisher final : private MqttConnection::Listener {
 public:
  explicit MqttPublisher(MqttPublisherOptions options);
  ~MqttPublisher() override;
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // Starts the network and dispatcher threads. An unreachable broker is not an
  // error; invalid options are kInvalidArgument.
  core::Status Start();
  // Stops both threads; messages still queued are discarded (see Flush).
  void Stop();
  // Waits up to `timeout_s` for the queue and the in-flight window to drain;
  // true when everything was sent. For shutdown and tests.
  bool Flush(double timeout_s);

  // Never blocks. Returns false when the message was dropped at once (queue
  // full of alerts) or the topic is invalid. Before Start() messages just queue.
  bool Publish(std::string topic, std::string payload, int qos = kEventQos, bool retain = false,
               bool alert = false);

  // The event on argus/events (QoS 0) and, when its severity is alert or
  // critical, also on argus/alerts (QoS 1, protected from queue drops).
  void PublishEvent(const events::Event& e);
  // Retained (QoS 1), so a new subscriber sees the last known state at once.
  void PublishCameraStatus(std::string_view camera, const nlohmann::json& status);
  void PublishZoneCount(std::string_view camera, std::string_view zone,
                        const nlohmann::json& count);

  MqttPublisherStats stats() const;

 private:
  void OnConnected() override;
  void OnDisconnected() override;
  void OnPublished(int mid) override;
  void DispatchLoop();

  MqttPublisherOptions options_;
  MqttConnection conn_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  BoundedMessageQueue queue_;
  std::unordered_map<int, OutgoingMessage> inflight_;  // mid -> message
  std::unordered_set<int> acked_early_;  // acks that beat the dispatcher's bookkeeping
  size_t publishing_ = 0;                // being handed over right now
  uint64_t link_epoch_ = 0;              // +1 per disconnect
  bool link_up_ = false;
  bool stop_ = false;
  uint64_t accepted_ = 0;
  uint64_t sent_ = 0;
  std::thread dispatcher_;
};

}  // namespace argus::notify
