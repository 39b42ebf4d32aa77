#include "notify/sensor_subscriber.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "notify/testing/mosquitto_broker.h"

namespace argus::notify {
namespace {

using testing::MosquittoBroker;
using testing::RecordingSubscriber;

class Collector {
 public:
  void Add(const SensorReading& r) {
    std::lock_guard lock(mu_);
    readings_.push_back(r);
    cv_.notify_all();
  }
  std::vector<SensorReading> WaitFor(size_t n, double timeout_s = 5) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                 [&] { return readings_.size() >= n; });
    return readings_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SensorReading> readings_;
};

TEST(SensorSubscriberTest, ParsesSensorMessagesAndCountsMalformedOnes) {
  if (!MosquittoBroker::Available()) GTEST_SKIP() << "mosquitto broker not installed";
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start());
  core::FakeClock clock(core::WallTime(std::chrono::seconds(1700000000)));
  Collector collector;
  MqttOptions o;
  o.port = broker.port();
  o.client_id = "argus-test-sensors";
  SensorSubscriber subscriber(
      o, [&](const SensorReading& r) { collector.Add(r); }, clock);
  ASSERT_TRUE(subscriber.Start().ok());

  // The sensor gateway; also subscribed to the filter so we know the
  // subscription exists on the broker before publishing.
  RecordingSubscriber gateway(broker.port(), "argus/sensors/#");
  ASSERT_TRUE(gateway.WaitSubscribed());
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!subscriber.stats().connected && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(subscriber.stats().connected);
  // Subscribing happens right after connecting: give the SUBACK a moment by
  // sending a probe until it arrives.
  std::vector<SensorReading> got;
  for (int i = 0; i < 50 && got.empty(); ++i) {
    gateway.Publish("argus/sensors/probe", R"({"sensor":"probe","type":"tamper","state":"ok"})");
    got = collector.WaitFor(1, 0.1);
  }
  ASSERT_FALSE(got.empty());

  gateway.Publish("argus/sensors/wing-a/north-window-2", "{not json");
  gateway.Publish("argus/sensors/wing-a/north-window-2",
                  R"({"sensor":"north-window-2","type":"contact","state":"triggered"})");
  gateway.Publish("argus/sensors/wing-a/north-window-2",
                  R"({"sensor":"north-window-2","type":"contact","state":"open","t":1760000000})");
  gateway.Publish("argus/sensors/hall/vit-3",
                  R"({"sensor":"vit-3","type":"glass_break","state":"triggered"})");
  // Late probes may still trickle in: look only at the real sensors.
  std::vector<SensorReading> real;
  for (int i = 0; i < 50 && real.size() < 2; ++i) {
    real.clear();
    for (const SensorReading& r : collector.WaitFor(got.size() + 2, 0.1)) {
      if (r.sensor != "probe") real.push_back(r);
    }
  }
  ASSERT_EQ(real.size(), 2u);
  EXPECT_EQ(real[0].sensor, "north-window-2");
  EXPECT_EQ(real[0].topic, "argus/sensors/wing-a/north-window-2");
  EXPECT_EQ(real[0].type, SensorType::kContact);
  EXPECT_EQ(real[0].state, SensorState::kOpen);
  EXPECT_DOUBLE_EQ(real[0].t, 1760000000);
  EXPECT_TRUE(real[0].t_from_sensor);
  EXPECT_EQ(real[1].sensor, "vit-3");
  EXPECT_EQ(real[1].type, SensorType::kGlassBreak);
  EXPECT_TRUE(real[1].active());
  EXPECT_DOUBLE_EQ(real[1].t, 1700000000);  // no "t": arrival time from the clock
  EXPECT_FALSE(real[1].t_from_sensor);
  const SensorSubscriberStats s = subscriber.stats();
  EXPECT_EQ(s.parse_errors, 2u);
  EXPECT_GE(s.received, 4u + 1u);  // four here plus at least one probe
}

TEST(SensorSubscriberTest, ResubscribesAfterBrokerRestart) {
  if (!MosquittoBroker::Available()) GTEST_SKIP() << "mosquitto broker not installed";
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start());
  core::FakeClock clock;
  Collector collector;
  MqttOptions o;
  o.port = broker.port();
  o.reconnect_min_s = 1;
  o.reconnect_max_s = 1;
  SensorSubscriber subscriber(
      o, [&](const SensorReading& r) { collector.Add(r); }, clock);
  ASSERT_TRUE(subscriber.Start().ok());
  const auto wait_connected = [&](bool want) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (subscriber.stats().connected != want && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return subscriber.stats().connected == want;
  };
  ASSERT_TRUE(wait_connected(true));
  broker.Kill();
  ASSERT_TRUE(wait_connected(false));
  ASSERT_TRUE(broker.Restart());
  ASSERT_TRUE(wait_connected(true));
  RecordingSubscriber gateway(broker.port(), "unused/#");
  ASSERT_TRUE(gateway.WaitSubscribed());
  std::vector<SensorReading> got;
  for (int i = 0; i < 50 && got.empty(); ++i) {
    gateway.Publish("argus/sensors/door-1",
                    R"({"sensor":"door-1","type":"contact","state":"closed"})");
    got = collector.WaitFor(1, 0.1);
  }
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].sensor, "door-1");
  EXPECT_EQ(got[0].state, SensorState::kClosed);
}

}  // namespace
}  // namespace argus::notify
