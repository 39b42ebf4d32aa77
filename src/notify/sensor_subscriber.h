// Subscribes to argus/sensors/# and turns each message into a SensorReading.
// Malformed payloads are counted and logged, never fatal. Re-subscribes after
// every reconnect.
// Thread safety: Start/Stop from the owning thread; stats() from any thread.
// The callback runs on the MQTT network thread: keep it short, never block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "notify/mqtt_connection.h"
#include "notify/sensor.h"

namespace argus::notify {

struct SensorSubscriberStats {
  bool connected = false;
  uint64_t received = 0;
  uint64_t parse_errors = 0;
};

class SensorSubscriber final : private MqttConnection::Listener {
 public:
  using Callback = std::function<void(const SensorReading&)>;

  // `clock` stamps readings without "t"; it must outlive this object.
  SensorSubscriber(MqttOptions options, Callback callback, const core::Clock& clock);
  ~SensorSubscriber() override;
  SensorSubscriber(const SensorSubscriber&) = delete;
  SensorSubscriber& operator=(const SensorSubscriber&) = delete;

  core::Status Start();
  void Stop();
  SensorSubscriberStats stats() const;

 private:
  void OnConnected() override;
  void OnMessage(std::string_view topic, std::string_view payload) override;

  MqttConnection conn_;
  Callback callback_;
  const core::Clock& clock_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> parse_errors_{0};
};

}  // namespace argus::notify
