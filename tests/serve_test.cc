// `argus serve` end to end: the real daemon binary with real peers (RTSP cameras
// looping vtest.avi, a mosquitto broker, HTTP over sockets), started, killed and
// restarted by the tests as an operator or a failure would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/testing/metrics_lint.h"
#include "notify/testing/mosquitto_broker.h"
#include "tests/serve_support.h"

namespace argus::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Under ASan on a shared machine a daemon start, a reconnect or a first alert can
// take tens of seconds; the limits are generous and only bound a failure.
constexpr double kStartS = 90;
constexpr double kEventS = 90;
constexpr double kStopS = 60;

// A camera block: whole-frame zone "all" with an intrusion rule when `severity`
// is not empty.
std::string CameraYaml(const std::string& name, const std::string& source, double detect_fps,
                       const std::string& severity, double rule_cooldown_s = 10) {
  std::string y = "  - name: " + name + "\n    source: " + source +
                  "\n    detect_fps: " + std::to_string(detect_fps) + "\n";
  if (!severity.empty()) {
    y += "    zones:\n      - {name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}\n"
         "    rules:\n      - {name: anyone, kind: intrusion, zone: all, severity: " +
         severity + ", cooldown_s: " + std::to_string(rule_cooldown_s) + "}\n";
  }
  return y;
}

// The sections every test shares; evidence is kept short so clips finish soon.
std::string Preamble(double alert_cooldown_s = 60) {
  return "detector: {kind: builtin}\n"
         "server: {workers: 2}\n"
         "alerts: {cooldown_s: " +
         std::to_string(alert_cooldown_s) +
         "}\n"
         "evidence: {pre_roll_s: 1, post_roll_s: 2, min_free_mb: 1}\n";
}

void WriteText(const fs::path& p, const std::string& text) {
  // Written aside and renamed: a SIGHUP never sees half a file.
  const fs::path tmp = p.string() + ".tmp";
  std::ofstream(tmp) << text;
  fs::rename(tmp, p);
}

// The states of `camera` on the live feed, in order.
std::vector<std::string> States(SseReader& live, const std::string& camera) {
  std::vector<std::string> out;
  for (const json& m : live.Messages("camera")) {
    if (m.value("camera", "") == camera) out.push_back(m.value("state", ""));
  }
  return out;
}

// Whether `wanted` occurs in `seq` in this order (not necessarily adjacent).
bool HasSubsequence(const std::vector<std::string>& seq, const std::vector<std::string>& wanted) {
  size_t i = 0;
  for (const std::string& s : seq) {
    if (i < wanted.size() && s == wanted[i]) ++i;
  }
  return i == wanted.size();
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " -> ") + x;
  return s;
}

std::vector<json> Alerts(int port, const std::string& query = "") {
  const HttpAnswer a = HttpGet(port, "/api/alerts?limit=1000" + query);
  std::vector<json> out;
  if (a.status != 200) return out;
  const json page = a.json();  // named: a temporary's element would dangle in the loop
  if (page.is_discarded() || !page.contains("alerts")) return out;
  for (const json& j : page["alerts"]) out.push_back(j);
  return out;
}

std::optional<json> AlertWithZone(int port, const std::string& zone) {
  for (const json& a : Alerts(port)) {
    if (a.value("zone", "") == zone) return a;
  }
  return std::nullopt;
}

// The payloads on argus/alerts whose alert matches `pred`.
std::vector<json> MqttAlerts(const std::vector<notify::testing::ReceivedMessage>& msgs,
                             const std::function<bool(const json&)>& pred) {
  std::vector<json> out;
  for (const auto& m : msgs) {
    if (m.topic != "argus/alerts") continue;
    json j = json::parse(m.payload, nullptr, false);
    if (!j.is_discarded() && j.contains("alert") && pred(j)) out.push_back(j);
  }
  return out;
}

std::string SensorJson(const std::string& sensor, const std::string& state = "open") {
  return json{{"sensor", sensor}, {"type", "contact"}, {"state", state}}.dump();
}

// SIGTERM and the contract of a graceful stop: exit 0 and "stopped".
void StopGracefully(ServeDaemon& d) {
  d.process().Signal(SIGTERM);
  const std::optional<int> st = d.process().WaitExit(kStopS);
  ASSERT_TRUE(st.has_value()) << "no exit within " << kStopS << " s of SIGTERM" << Logs(d);
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << "wait status " << *st << Logs(d);
  EXPECT_NE(d.Stdout().find("stopped"), std::string::npos) << Logs(d);
  // Sanitizer builds: UBSan reports do not change the exit code.
  EXPECT_EQ(d.Stderr().find("runtime error:"), std::string::npos) << Logs(d);
}

class Serve : public DaemonTest {
 protected:
  Serve() : DaemonTest("serve_") {}
};

// 1. A camera that dies (SIGKILL of its RTSP server) and comes back on the same
//    port: offline -> reconnecting -> online on the live feed, its frames flow
//    again, and the other camera never stops meanwhile.
TEST_F(Serve, RtspCameraOutageIsSurvivedAndReported) {
  RtspCamera north_cam(dir_, "north"), south_cam(dir_, "south");
  const int north_port = north_cam.Start();
  if (north_port < 0) GTEST_SKIP() << "RTSP test server unavailable (GStreamer plugins missing)";
  ASSERT_GT(north_port, 0) << "RTSP test server did not start";
  const int south_port = south_cam.Start();
  ASSERT_GT(south_port, 0) << "RTSP test server did not start";
  auto url = [](int port) { return "rtsp://127.0.0.1:" + std::to_string(port) + "/test"; };
  WriteText(config_, Preamble() + "cameras:\n" + CameraYaml("north", url(north_port), 5, "") +
                         CameraYaml("south", url(south_port), 5, ""));
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  const int port = daemon.port();
  SseReader live(port, "/api/live?types=camera");
  ASSERT_TRUE(WaitUntil([&] { return live.connected(); }, 30));
  ASSERT_TRUE(
      WaitUntil([&] { return Frames(port, "north") > 10 && Frames(port, "south") > 10; }, kStartS))
      << "cameras did not stream" << Logs(daemon);
  EXPECT_EQ(Cameras(port)["south"]["status"], "online");

  // North's frame counter is sampled throughout the outage of south.
  std::vector<std::pair<double, uint64_t>> north;  // (seconds since the kill, frames)
  const auto killed_at = SteadyClock::now();
  auto sample = [&] { north.emplace_back(SecondsSince(killed_at), Frames(port, "north")); };
  south_cam.Kill();
  const uint64_t south_at_kill = Frames(port, "south");
  ASSERT_TRUE(WaitUntil(
      [&] {
        sample();
        return HasSubsequence(States(live, "south"), {"offline", "reconnecting"});
      },
      kEventS))
      << "south: " << Joined(States(live, "south")) << Logs(daemon);
  EXPECT_EQ(Cameras(port)["south"]["status"], "reconnecting");
  const uint64_t south_while_down = Frames(port, "south");
  EXPECT_LE(south_while_down, south_at_kill + 30) << "south kept decoding without a server";

  ASSERT_TRUE(south_cam.Restart(south_port)) << "cannot restart the camera on " << south_port;
  ASSERT_TRUE(WaitUntil(
      [&] {
        sample();
        return HasSubsequence(States(live, "south"), {"offline", "reconnecting", "online"});
      },
      kEventS))
      << "south: " << Joined(States(live, "south")) << Logs(daemon);
  ASSERT_TRUE(WaitUntil(
      [&] {
        sample();
        return Frames(port, "south") > south_while_down + 10;
      },
      kEventS))
      << "south's frames did not grow after the restart" << Logs(daemon);
  EXPECT_EQ(Cameras(port)["south"]["status"], "online");
  // North was never reported down, and its pictures arrived whole.
  for (const std::string& s : States(live, "north")) EXPECT_EQ(s, "online");
  EXPECT_EQ(Cameras(port)["north"]["damaged_frames"], 0);

  // North's counter never went back and grew in every 10 s stretch of the outage.
  ASSERT_GE(north.size(), 2u);
  for (size_t i = 1; i < north.size(); ++i) {
    ASSERT_GE(north[i].second, north[i - 1].second) << "at " << north[i].first << " s";
    for (size_t j = i; j < north.size(); ++j) {
      if (north[j].first - north[i].first >= 10) {
        EXPECT_GT(north[j].second, north[i].second)
            << "north stalled between " << north[i].first << " s and " << north[j].first << " s";
        break;
      }
    }
  }
  EXPECT_GT(north.back().second, north.front().second);
  StopGracefully(daemon);
}

// 2. MQTT: alerts and retained camera status go out, sensor messages raise
//    alerts with evidence, and a dead broker neither stops the daemon nor loses
//    the alerts raised meanwhile.
TEST_F(Serve, MqttAlertsSensorsEvidenceAndBrokerOutage) {
  if (!notify::testing::MosquittoBroker::Available()) {
    GTEST_SKIP() << notify::testing::kMosquittoBinary << " is missing (Debian's mosquitto)";
  }
  notify::testing::MosquittoBroker broker;
  ASSERT_TRUE(broker.Start()) << "mosquitto did not start";
  WriteText(config_, Preamble() + "mqtt: {host: 127.0.0.1, port: " + std::to_string(broker.port()) +
                         ", client_id: argus-e2e}\n"
                         "sensors:\n"
                         "  - {name: door, type: contact, cameras: [lobby], severity: alert}\n"
                         "  - {name: gate, type: contact, cameras: [lobby], severity: alert}\n"
                         "  - {name: shed, type: contact}\n"
                         "cameras:\n" +
                         CameraYaml("lobby", kVtest, 5, "alert"));
  // A persistent session: the broker keeps what is published while this
  // subscriber reconnects after the broker restart.
  notify::testing::RecordingSubscriber sub(broker.port(), "argus/#", "argus-e2e-observer");
  ASSERT_TRUE(sub.WaitSubscribed(10));
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  const int port = daemon.port();

  auto wait_alert = [&](const std::function<bool(const json&)>& pred) -> std::optional<json> {
    std::optional<json> found;
    WaitUntil(
        [&] {
          auto got = MqttAlerts(sub.WaitFor(0, 0), pred);
          if (!got.empty()) found = got.front();
          return found.has_value();
        },
        kEventS);
    return found;
  };

  // People walk through the whole-frame zone: an intrusion alert is opened.
  auto intrusion = wait_alert(
      [](const json& j) { return j["change"] == "opened" && j["alert"]["type"] == "intrusion"; });
  ASSERT_TRUE(intrusion.has_value()) << "no intrusion alert on argus/alerts" << Logs(daemon);
  EXPECT_EQ((*intrusion)["alert"]["camera"], "lobby");
  EXPECT_EQ((*intrusion)["alert"]["severity"], "alert");
  EXPECT_GT((*intrusion)["alert"]["id"].get<int64_t>(), 0);
  EXPECT_TRUE((*intrusion)["frame_at"].is_string()) << intrusion->dump();

  // The camera's status is retained: a late subscriber gets it at once.
  {
    notify::testing::RecordingSubscriber late(broker.port(), "argus/cameras/lobby/status");
    auto msgs = late.WaitFor(1, 30);
    ASSERT_FALSE(msgs.empty()) << "no retained status";
    EXPECT_TRUE(msgs.front().retain);
    EXPECT_EQ(json::parse(msgs.front().payload)["state"], "online") << msgs.front().payload;
  }

  // A sensor watched by the camera, over MQTT (docs/mqtt.md).
  ASSERT_EQ(sub.Publish("argus/sensors/x", SensorJson("door")), MOSQ_ERR_SUCCESS);
  auto trip = wait_alert(
      [](const json& j) { return j["change"] == "opened" && j["alert"]["zone"] == "door"; });
  ASSERT_TRUE(trip.has_value()) << "no sensor alert on argus/alerts" << Logs(daemon);
  EXPECT_EQ((*trip)["alert"]["type"], "sensor_trip");
  EXPECT_EQ((*trip)["alert"]["camera"], "lobby");
  const int64_t trip_id = (*trip)["alert"]["id"];
  const std::string evidence = "/api/alerts/" + std::to_string(trip_id);
  HttpAnswer snap;
  ASSERT_TRUE(WaitUntil(
      [&] {
        snap = HttpGet(port, evidence + "/snapshot");
        return snap.status == 200;
      },
      30))
      << snap.status << " " << snap.body << Logs(daemon);
  EXPECT_EQ(snap.content_type, "image/jpeg");
  ASSERT_GT(snap.body.size(), 1000u);
  EXPECT_EQ(snap.body.substr(0, 2), "\xFF\xD8") << "not a JPEG";
  // The clip is finished after the post-roll (2 s).
  HttpAnswer clip;
  ASSERT_TRUE(WaitUntil(
      [&] {
        clip = HttpGet(port, evidence + "/clip");
        return clip.status == 200 && !clip.body.empty();
      },
      60))
      << clip.status << " " << clip.body << Logs(daemon);
  EXPECT_EQ(clip.content_type, "video/mp4");
  EXPECT_NE(clip.body.find("ftyp"), std::string::npos) << "not an MP4";

  // A sensor no camera watches.
  ASSERT_EQ(sub.Publish("argus/sensors/y", SensorJson("shed")), MOSQ_ERR_SUCCESS);
  auto unobserved = wait_alert(
      [](const json& j) { return j["change"] == "opened" && j["alert"]["zone"] == "shed"; });
  ASSERT_TRUE(unobserved.has_value()) << "no alert for the unobserved sensor" << Logs(daemon);
  EXPECT_EQ((*unobserved)["alert"]["type"], "unobserved_sensor_trip");
  EXPECT_EQ((*unobserved)["alert"]["severity"], "critical");

  // The broker dies: the daemon goes on, and queues what it must say.
  broker.Kill();
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  const uint64_t frames = Frames(port, "lobby");
  EXPECT_TRUE(WaitUntil([&] { return Frames(port, "lobby") > frames + 20; }, kEventS))
      << "analysis stopped with the broker" << Logs(daemon);
  const HttpAnswer posted = HttpPost(port, "/api/sensors", SensorJson("gate"));
  ASSERT_EQ(posted.status, 202) << posted.body;
  std::optional<json> gate;
  ASSERT_TRUE(WaitUntil([&] { return (gate = AlertWithZone(port, "gate")).has_value(); }, 30))
      << Logs(daemon);
  EXPECT_TRUE(MqttAlerts(sub.WaitFor(0, 0), [](const json& j) {
                return j["alert"]["zone"] == "gate";
              }).empty());
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);

  ASSERT_TRUE(broker.Restart()) << "mosquitto did not restart on port " << broker.port();
  auto late_gate = wait_alert(
      [](const json& j) { return j["change"] == "opened" && j["alert"]["zone"] == "gate"; });
  ASSERT_TRUE(late_gate.has_value())
      << "the alert raised while the broker was down was lost" << Logs(daemon);
  EXPECT_EQ((*late_gate)["alert"]["id"], (*gate)["id"]);
  StopGracefully(daemon);
}

// 3. kill -9 while the daemon writes: the database is intact, the acknowledged
//    alert is still acknowledged by the same person, and ids never repeat.
TEST_F(Serve, KillNineLeavesAConsistentStore) {
  WriteText(config_, Preamble(/*alert_cooldown_s=*/0) + "cameras:\n" +
                         CameraYaml("busy", kVtest, 5, "alert", 0));
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  int port = daemon.port();

  // Unwatched sensors each open an alert of their own: many writes at once.
  std::atomic<bool> stop_posting{false};
  std::atomic<int> posted{0};
  std::thread poster([&] {
    for (int i = 0; !stop_posting; ++i) {
      if (HttpPost(port, "/api/sensors", SensorJson("s" + std::to_string(i))).status == 202) {
        ++posted;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join{stop_posting, poster};

  std::vector<json> alerts;
  ASSERT_TRUE(WaitUntil(
      [&] {
        alerts = Alerts(port);
        return alerts.size() >= 5;
      },
      kEventS))
      << Logs(daemon);
  const int64_t acked = alerts.back()["id"];  // the oldest listed
  const HttpAnswer ack = HttpPost(port, "/api/alerts/" + std::to_string(acked) + "/acknowledge",
                                  R"({"who":"guard-7","note":"seen on camera, patrol sent"})");
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.json()["state"], "acknowledged");

  // Let writes go on a moment, then pull the plug in the middle of them.
  const int before = posted;
  ASSERT_TRUE(WaitUntil([&] { return posted >= before + 20; }, 60));
  daemon.process().Kill(SIGKILL);
  stop_posting = true;
  poster.join();

  int64_t max_id = 0;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((data_ / "argus.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
              SQLITE_OK);
    auto one = [&](const char* sql) {
      sqlite3_stmt* st = nullptr;
      std::string v;
      if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
      sqlite3_finalize(st);
      return v;
    };
    EXPECT_EQ(one("PRAGMA integrity_check"), "ok");
    max_id = std::stoll(one("SELECT COALESCE(MAX(id), 0) FROM alerts"));
    EXPECT_EQ(one(("SELECT state FROM alerts WHERE id = " + std::to_string(acked)).c_str()),
              "acknowledged");
    sqlite3_close(db);
  }
  ASSERT_GE(max_id, acked);

  ServeDaemon again(config_, data_, dir_ / "restart");
  fs::create_directories(dir_ / "restart");
  ASSERT_TRUE(again.Start(kStartS)) << Logs(again);
  port = again.port();
  const HttpAnswer a = HttpGet(port, "/api/alerts/" + std::to_string(acked));
  ASSERT_EQ(a.status, 200) << a.body;
  const json j = a.json();
  EXPECT_EQ(j["state"], "acknowledged");
  EXPECT_EQ(j["ack"]["who"], "token:serve-test") << j.dump();  // the caller, not the body
  EXPECT_EQ(j["ack"]["note"], "seen on camera, patrol sent") << j.dump();

  ASSERT_EQ(HttpPost(port, "/api/sensors", SensorJson("after-restart")).status, 202);
  std::optional<json> fresh;
  ASSERT_TRUE(
      WaitUntil([&] { return (fresh = AlertWithZone(port, "after-restart")).has_value(); }, 30))
      << Logs(again);
  EXPECT_GT((*fresh)["id"].get<int64_t>(), max_id);
  // Every alert the new process opened has a new id; the old ones are intact.
  std::set<int64_t> ids;
  for (const json& x : Alerts(port)) {
    EXPECT_TRUE(ids.insert(x["id"].get<int64_t>()).second) << "duplicate id " << x["id"];
  }
  StopGracefully(again);
}

// 4. SIGHUP: the changed camera restarts, the other keeps running untouched; a
//    broken config is refused and everything keeps running.
TEST_F(Serve, SighupReloadsOnlyChangedCameras) {
  const std::string cams_v1 =
      CameraYaml("east", kVtest, 5, "warning") + CameraYaml("west", kVtest, 5, "warning");
  const std::string cams_v2 =
      CameraYaml("east", kVtest, 5, "warning") + CameraYaml("west", kVtest, 5, "critical");
  WriteText(config_, Preamble() + "cameras:\n" + cams_v1);
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  const int port = daemon.port();
  SseReader live(port, "/api/live?types=camera");
  ASSERT_TRUE(WaitUntil([&] { return live.connected(); }, 30));
  // Files play at their own rate (10 fps): 50 frames leave seconds to see a reset.
  ASSERT_TRUE(
      WaitUntil([&] { return Frames(port, "east") > 50 && Frames(port, "west") > 50; }, kStartS))
      << Logs(daemon);

  WriteText(config_, Preamble() + "cameras:\n" + cams_v2);
  const uint64_t east_before = Frames(port, "east");
  const uint64_t west_before = Frames(port, "west");
  daemon.process().Signal(SIGHUP);
  bool west_reset = false;
  uint64_t east_last = east_before;
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto cams = Cameras(port);
        if (cams.count("west") && cams["west"]["frames"].get<uint64_t>() < west_before) {
          west_reset = true;
        }
        if (cams.count("east")) {
          const uint64_t e = cams["east"]["frames"];
          EXPECT_GE(e, east_last) << "east's counter went back: it was restarted";
          east_last = e;
        }
        return west_reset && HasSubsequence(States(live, "west"), {"stopped", "online"});
      },
      kEventS))
      << "west: " << Joined(States(live, "west")) << ", frames " << west_before << " -> "
      << Frames(port, "west") << Logs(daemon);
  EXPECT_TRUE(WaitUntil([&] { return Frames(port, "east") > east_last + 10; }, kEventS));
  for (const std::string& s : States(live, "east")) EXPECT_EQ(s, "online") << "east restarted";
  EXPECT_NE(daemon.Stderr().find("reload: stopping camera west"), std::string::npos);
  EXPECT_EQ(daemon.Stderr().find("reload: stopping camera east"), std::string::npos);

  // A config with an error (a rule on a zone that does not exist) is refused.
  WriteText(config_, Preamble() + "cameras:\n" + cams_v1 +
                         "      - {name: broken, kind: intrusion, zone: nowhere}\n");
  const size_t states_before = live.Messages("camera").size();
  const uint64_t east_mid = Frames(port, "east"), west_mid = Frames(port, "west");
  daemon.process().Signal(SIGHUP);
  ASSERT_TRUE(WaitUntil([&] { return daemon.Stderr().find("reload refused") != std::string::npos; },
                        kEventS))
      << Logs(daemon);
  EXPECT_TRUE(WaitUntil(
      [&] { return Frames(port, "east") > east_mid + 20 && Frames(port, "west") > west_mid + 20; },
      kEventS))
      << Logs(daemon);
  EXPECT_EQ(live.Messages("camera").size(), states_before)
      << "a camera changed state after a refused reload: " << live.text();
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200);
  StopGracefully(daemon);
}

// 5. SIGTERM: exit 0 within a few seconds, "stopped", and every incident that
//    started has its end in the store (open incidents are closed on shutdown).
TEST_F(Serve, SigtermClosesOpenIncidents) {
  WriteText(config_, Preamble() + "cameras:\n" + CameraYaml("hall", kVtest, 5, "alert"));
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  const int port = daemon.port();
  // Wait until an incident is running (started, not ended), per the API.
  std::string open_id;
  ASSERT_TRUE(WaitUntil(
      [&] {
        const HttpAnswer a = HttpGet(port, "/api/events?type=intrusion&limit=1000");
        if (a.status != 200) return false;
        std::set<std::string> started, ended;
        const json page = a.json();
        for (const json& e : page["events"]) {
          (e["phase"] == "end" ? ended : started).insert(e["id"].get<std::string>());
        }
        for (const std::string& id : started) {
          if (!ended.count(id)) open_id = id;
        }
        return !open_id.empty();
      },
      kEventS))
      << Logs(daemon);

  const auto t0 = SteadyClock::now();
  StopGracefully(daemon);
  EXPECT_LT(SecondsSince(t0), 15) << "slow shutdown" << Logs(daemon);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((data_ / "argus.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  std::vector<std::string> unended;
  int starts = 0;
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT s.event_id, (SELECT COUNT(*) FROM events e WHERE "
                               "e.event_id = s.event_id AND e.phase = 'end') "
                               "FROM events s WHERE s.phase = 'start'",
                               -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    ++starts;
    if (sqlite3_column_int(st, 1) == 0) {
      unended.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_GT(starts, 0);
  EXPECT_TRUE(unended.empty()) << unended.size() << " incidents never ended, e.g. "
                               << unended.front();
  EXPECT_EQ(std::count(unended.begin(), unended.end(), open_id), 0)
      << open_id << " was running at SIGTERM and has no end";
}

// 6. The API over the real daemon: malformed requests get a 4xx with a JSON
//    error; /metrics has per-camera lines.
TEST_F(Serve, ApiRejectsMalformedRequestsAndExportsMetrics) {
  WriteText(config_, Preamble() + "cameras:\n" + CameraYaml("gallery", kVtest, 5, "") +
                         CameraYaml("vault", kVtest, 5, ""));
  ServeDaemon daemon(config_, data_, dir_);
  ASSERT_TRUE(daemon.Start(kStartS)) << Logs(daemon);
  const int port = daemon.port();
  ASSERT_TRUE(
      WaitUntil([&] { return Frames(port, "gallery") > 0 && Frames(port, "vault") > 0; }, kStartS));

  auto expect_error = [&](const HttpAnswer& a, int code, const std::string& what) {
    EXPECT_EQ(a.status, code) << what << ": " << a.body;
    EXPECT_EQ(a.content_type, "application/json") << what;
    const json j = a.json();
    EXPECT_TRUE(!j.is_discarded() && j.contains("error") && j["error"].is_string() &&
                !j["error"].get<std::string>().empty())
        << what << ": " << a.body;
  };
  expect_error(HttpGet(port, "/api/alerts/abc"), 400, "non-numeric id");
  expect_error(HttpGet(port, "/api/alerts/0"), 400, "zero id");
  expect_error(HttpGet(port, "/api/alerts/99999999"), 404, "unknown id");
  expect_error(HttpGet(port, "/api/alerts/abc/snapshot"), 400, "evidence of a bad id");
  expect_error(HttpPost(port, "/api/alerts/1/acknowledge", "{\"who\": "), 400, "bad JSON");
  expect_error(HttpPost(port, "/api/alerts/1/acknowledge", "[1]"), 400, "not an object");
  expect_error(HttpPost(port, "/api/alerts/99999999/acknowledge", R"({"who":"x"})"), 404,
               "acknowledge an unknown alert");
  expect_error(HttpPost(port, "/api/sensors", SensorJson("door"), "text/plain"), 415,
               "wrong content type");
  expect_error(HttpPost(port, "/api/sensors", "not json"), 400, "sensor: bad JSON");
  expect_error(HttpPost(port, "/api/sensors", R"({"sensor":"door","type":"contact","state":"x"})"),
               400, "sensor: unknown state");
  expect_error(HttpGet(port, "/api/events?limit=0"), 400, "limit out of range");
  expect_error(HttpGet(port, "/api/alerts?state=lost"), 400, "unknown state");
  expect_error(HttpGet(port, "/api/live?types=camera,bogus"), 400, "unknown live type");
  expect_error(HttpGet(port, "/api/cameras/nowhere/mjpeg"), 404, "unknown camera");
  expect_error(HttpGet(port, "/api/no/such/route"), 404, "unknown route");

  const HttpAnswer m = HttpGet(port, "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u) << m.content_type;
  for (const std::string cam : {"gallery", "vault"}) {
    for (const std::string metric : {"argus_camera_up", "argus_camera_frames_total",
                                     "argus_camera_analysed_frames_total", "argus_camera_fps"}) {
      EXPECT_NE(m.body.find(metric + "{camera=\"" + cam + "\"}"), std::string::npos)
          << metric << " of " << cam << " missing:\n"
          << m.body;
    }
  }
  EXPECT_NE(m.body.find("argus_camera_up{camera=\"gallery\"} 1"), std::string::npos) << m.body;
  // Each batch of events stored is timed (issue 17.6: store write latency under load).
  EXPECT_NE(m.body.find("# TYPE argus_store_write_seconds histogram"), std::string::npos) << m.body;
  // The requests above are counted by status code.
  EXPECT_NE(m.body.find("argus_http_requests_total{code=\"400\"}"), std::string::npos) << m.body;
  // Every family, the daemon's own included, follows Prometheus' naming conventions.
  for (const std::string& problem : api::testing::MetricConventionProblems(m.body)) {
    ADD_FAILURE() << problem;
  }
  StopGracefully(daemon);
}

}  // namespace
}  // namespace argus::testing
