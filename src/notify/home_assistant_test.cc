#include "notify/home_assistant.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "notify/testing/mosquitto_broker.h"

namespace argus::notify {
namespace {

using nlohmann::json;
using testing::MosquittoBroker;

TEST(HaDiscoveryMessages, OneDevicePerCameraWithItsEntities) {
  const auto msgs = HaDiscoveryMessages({"hall/1", {"lobby", "east wing"}}, "homeassistant");
  std::vector<std::string> topics;
  for (const auto& m : msgs) topics.push_back(m.topic);
  EXPECT_EQ(topics, (std::vector<std::string>{
                        "homeassistant/binary_sensor/argus_hall_1/online/config",
                        "homeassistant/binary_sensor/argus_hall_1/alert/config",
                        "homeassistant/sensor/argus_hall_1/zone_lobby_people/config",
                        "homeassistant/sensor/argus_hall_1/zone_east_wing_people/config",
                        "homeassistant/image/argus_hall_1/snapshot/config",
                    }));
  const json online = json::parse(msgs[0].payload);
  EXPECT_EQ(online["state_topic"], "argus/cameras/hall_1/status");
  EXPECT_EQ(online["device_class"], "connectivity");
  EXPECT_EQ(online["unique_id"], "argus_hall_1_online");
  EXPECT_EQ(online["device"]["identifiers"][0], "argus_hall_1");
  EXPECT_EQ(online["device"]["name"], "hall/1");
  const json zone = json::parse(msgs[3].payload);
  EXPECT_EQ(zone["state_topic"], "argus/zones/hall_1/east wing/count");
  EXPECT_EQ(zone["value_template"], "{{ value_json.count }}");
  const json image = json::parse(msgs[4].payload);
  EXPECT_EQ(image["image_topic"], "argus/cameras/hall_1/snapshot");
  EXPECT_EQ(image["content_type"], "image/jpeg");
}

// Home Assistant's view: what a client subscribing to homeassistant/# (or the
// state topics) right now receives as retained messages.
class HaDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!MosquittoBroker::Available()) GTEST_SKIP() << "mosquitto broker not installed";
    ASSERT_TRUE(broker_.Start()) << "cannot start mosquitto on port " << broker_.port();
    char tmpl[] = "/tmp/argus-ha-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    publisher_ = MakePublisher();
  }
  void TearDown() override {
    if (publisher_) publisher_->Stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<MqttPublisher> MakePublisher() {
    MqttPublisherOptions o;
    o.mqtt.port = broker_.port();
    o.mqtt.client_id = "argus-ha-test";
    auto p = std::make_unique<MqttPublisher>(o);
    EXPECT_TRUE(p->Start().ok());
    return p;
  }

  // Retained messages under `filter` as a new subscriber gets them, once
  // everything published so far reached the broker.
  std::map<std::string, std::string> Retained(const std::string& filter, size_t expected) {
    EXPECT_TRUE(publisher_->Flush(10));
    return testing::RetainedNow(broker_.port(), filter, expected);
  }

  std::string StatePath() const { return dir_ + "/home_assistant.json"; }

  MosquittoBroker broker_;
  std::string dir_;
  std::unique_ptr<MqttPublisher> publisher_;
};

TEST_F(HaDiscoveryTest, AnnouncesCamerasAndRemovesThoseThatLeaveTheConfig) {
  HaDiscovery ha(*publisher_, "homeassistant", StatePath());
  ha.Sync({{"hall", {"lobby"}}, {"vault", {}}});
  auto seen = Retained("homeassistant/#", 7);
  EXPECT_EQ(seen.size(), 7u);  // hall: online, alert, 1 zone, image; vault: online, alert, image
  ASSERT_TRUE(seen.count("homeassistant/sensor/argus_hall/zone_lobby_people/config"));
  ASSERT_TRUE(seen.count("homeassistant/binary_sensor/argus_vault/online/config"));
  EXPECT_EQ(
      json::parse(seen["homeassistant/binary_sensor/argus_vault/online/config"])["state_topic"],
      "argus/cameras/vault/status");

  // vault leaves the config, hall loses its zone.
  ha.Sync({{"hall", {}}});
  seen = Retained("homeassistant/#", 3);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen.count("homeassistant/binary_sensor/argus_vault/online/config"));
  EXPECT_FALSE(seen.count("homeassistant/sensor/argus_hall/zone_lobby_people/config"));
  EXPECT_TRUE(seen.count("homeassistant/image/argus_hall/snapshot/config"));

  // After a restart (a new publisher and HaDiscovery, same state file), a camera
  // that is gone from the config is still removed.
  publisher_->Stop();
  publisher_ = MakePublisher();
  HaDiscovery after_restart(*publisher_, "homeassistant", StatePath());
  after_restart.Sync({{"garden", {}}});
  seen = Retained("homeassistant/#", 3);
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen.count("homeassistant/binary_sensor/argus_hall/online/config"));
  EXPECT_TRUE(seen.count("homeassistant/binary_sensor/argus_garden/online/config"));
}

TEST_F(HaDiscoveryTest, OpenAlertCountAndSnapshotAreRetainedState) {
  HaDiscovery ha(*publisher_, "ha", "");
  ha.Sync({{"hall", {}}});
  EXPECT_EQ(Retained("argus/cameras/hall/alerts", 1)["argus/cameras/hall/alerts"], R"({"open":0})");
  events::Alert a;
  a.id = 7;
  a.camera = "hall";
  ha.OnAlert(a);
  a.id = 8;
  ha.OnAlert(a);
  a.state = events::AlertState::kAcknowledged;
  ha.OnAlert(a);  // still not resolved: still open for HA
  EXPECT_EQ(Retained("argus/cameras/hall/alerts", 1)["argus/cameras/hall/alerts"], R"({"open":2})");
  a.state = events::AlertState::kResolved;
  ha.OnAlert(a);
  EXPECT_EQ(Retained("argus/cameras/hall/alerts", 1)["argus/cameras/hall/alerts"], R"({"open":1})");

  const std::string jpeg = dir_ + "/snap.jpg";
  const char raw[] = "\xFF\xD8\xFF\xE0 fake jpeg \x00\x01\xFF\xD9";  // binary, with a NUL
  const std::string bytes(raw, sizeof(raw) - 1);
  std::ofstream(jpeg, std::ios::binary) << bytes;
  ha.PublishSnapshot("hall", jpeg);
  EXPECT_EQ(Retained("argus/cameras/hall/snapshot", 1)["argus/cameras/hall/snapshot"], bytes);
}

}  // namespace
}  // namespace argus::notify
