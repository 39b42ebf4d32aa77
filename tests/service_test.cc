// `argus serve` as a service: the sd_notify protocol seen from systemd's side
// (a fake NOTIFY_SOCKET), and Home Assistant discovery seen from Home
// Assistant's side (a subscriber on a real mosquitto), with the real binary.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "app/testing/fake_notify_socket.h"
#include "notify/testing/mosquitto_broker.h"
#include "tests/serve_support.h"

namespace argus::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using notify::testing::RetainedNow;

constexpr double kStartS = 90;  // ASan builds on a shared machine start slowly
constexpr double kStopS = 60;

std::string Camera(const std::string& name) {
  return "  - name: " + name + "\n    source: " + kVtest +
         "\n    detect_fps: 2\n"
         "    zones:\n      - {name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}\n"
         "    rules:\n      - {name: anyone, kind: intrusion, zone: all, severity: warning}\n";
}

void WriteConfig(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".tmp";  // renamed: a SIGHUP never sees half a file
  std::ofstream(tmp) << text;
  fs::rename(tmp, p);
}

class Service : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kVtest)) GTEST_SKIP() << kVtest << " is missing: install opencv-doc";
    dir_ = TempDir(std::string("service_") +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  void Stop(ServeDaemon& d) {
    d.process().Signal(SIGTERM);
    const std::optional<int> st = d.process().WaitExit(kStopS);
    ASSERT_TRUE(st.has_value()) << d.Stderr();
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << d.Stderr();
  }
  fs::path dir_;
};

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "[" + x + "] ";
  return s;
}

TEST_F(Service, TellsSystemdReadyWatchdogReloadingAndStopping) {
  app::testing::FakeNotifySocket systemd;
  ASSERT_TRUE(systemd.ok());
  setenv("WATCHDOG_USEC", "2000000", 1);  // WatchdogSec=2: a ping at least every 0.5 s
  WriteConfig(dir_ / "site.yaml", "cameras:\n" + Camera("hall"));
  ServeDaemon d(dir_ / "site.yaml", dir_ / "data", dir_);
  ASSERT_TRUE(d.Start(kStartS)) << d.Stderr();

  auto got = systemd.ReceiveUntil("READY=1", 30);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "READY=1\nSTATUS=serving on port " + std::to_string(d.port()))
      << Joined(got);

  // The event loop pings while it runs: 3 s bring several (0.5 s apart).
  int pings = 0;
  const auto until = SteadyClock::now() + std::chrono::seconds(3);
  while (SteadyClock::now() < until) {
    if (auto m = systemd.Receive(0.5); m && *m == "WATCHDOG=1") ++pings;
  }
  EXPECT_GE(pings, 3);
  EXPECT_LE(pings, 12);  // rate-limited, not one per loop turn

  d.process().Signal(SIGHUP);
  got = systemd.ReceiveUntil("READY=1", 30);
  std::vector<std::string> states;
  for (const auto& m : got) {
    if (m != "WATCHDOG=1") states.push_back(m.substr(0, m.find('\n')));
  }
  EXPECT_EQ(states, (std::vector<std::string>{"RELOADING=1", "READY=1"})) << Joined(got);

  d.process().Signal(SIGTERM);
  got = systemd.ReceiveUntil("STOPPING=1", 30);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "STOPPING=1\nSTATUS=shutting down") << Joined(got);
  const std::optional<int> st = d.process().WaitExit(kStopS);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << d.Stderr();
}

TEST_F(Service, HomeAssistantDiscoversCamerasAndForgetsRemovedOnes) {
  notify::testing::MosquittoBroker broker;
  if (!notify::testing::MosquittoBroker::Available()) GTEST_SKIP() << "mosquitto not installed";
  ASSERT_TRUE(broker.Start());
  const std::string mqtt = "mqtt: {host: 127.0.0.1, port: " + std::to_string(broker.port()) +
                           ", home_assistant: true}\n"
                           "evidence: {pre_roll_s: 1, post_roll_s: 1, min_free_mb: 1}\n";
  WriteConfig(dir_ / "site.yaml", mqtt + "cameras:\n" + Camera("hall") + Camera("vault"));
  ServeDaemon d(dir_ / "site.yaml", dir_ / "data", dir_);
  ASSERT_TRUE(d.Start(kStartS)) << d.Stderr();

  // Home Assistant (re)starting now: both devices, 4 entities each.
  auto seen = RetainedNow(broker.port(), "homeassistant/#", 8);
  EXPECT_EQ(seen.size(), 8u);
  for (const std::string cam : {"hall", "vault"}) {
    const std::string online = "homeassistant/binary_sensor/argus_" + cam + "/online/config";
    ASSERT_TRUE(seen.count(online)) << cam;
    const json j = json::parse(seen[online]);
    EXPECT_EQ(j["state_topic"], "argus/cameras/" + cam + "/status");
    EXPECT_TRUE(seen.count("homeassistant/sensor/argus_" + cam + "/zone_all_people/config"));
  }
  // The state topics those entities read: people walk in the demo video, so
  // the whole-frame zone raises an alert with a snapshot.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = RetainedNow(broker.port(), "argus/cameras/hall/#", 3);
        auto a = s.find("argus/cameras/hall/alerts");
        auto snap = s.find("argus/cameras/hall/snapshot");
        return a != s.end() && json::parse(a->second, nullptr, false).value("open", 0) >= 1 &&
               snap != s.end() && snap->second.rfind("\xFF\xD8", 0) == 0;  // a JPEG
      },
      90))
      << d.Stderr();
  const json status = json::parse(
      RetainedNow(broker.port(), "argus/cameras/hall/status", 1)["argus/cameras/hall/status"]);
  EXPECT_EQ(status["state"], "online");

  // vault leaves the config: its entities are removed, hall's stay.
  WriteConfig(dir_ / "site.yaml", mqtt + "cameras:\n" + Camera("hall"));
  d.process().Signal(SIGHUP);
  ASSERT_TRUE(
      WaitUntil([&] { return RetainedNow(broker.port(), "homeassistant/#", 4).size() == 4; }, 30));
  seen = RetainedNow(broker.port(), "homeassistant/#", 4);
  EXPECT_FALSE(seen.count("homeassistant/binary_sensor/argus_vault/online/config"));
  EXPECT_TRUE(seen.count("homeassistant/binary_sensor/argus_hall/online/config"));
  Stop(d);
}

}  // namespace
}  // namespace argus::testing
