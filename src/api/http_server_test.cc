#include "api/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "api/json_format.h"
#include "api/test_util.h"
#include "core/json_bounds.h"

namespace argus::api {
namespace {

using json = nlohmann::json;
using store::testing::MakeEvent;
using testing::MakeAlert;
using testing::ServerTest;
using testing::WaitFor;
using namespace std::chrono_literals;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed) % 251);
  return s;
}

// A raw TCP connection, for clients that misbehave (never read) on purpose.
int RawConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(ServerTest, HealthzAndUnknownRouteAreJson) {
  StartServer();
  auto c = Client();
  auto r = c->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["status"], "ok");
  EXPECT_EQ(Json(r)["time"], "2026-01-01T00:00:00.000Z");  // from the injected clock

  r = c->Get("/api/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_TRUE(Json(r)["error"].is_string());
}

TEST_F(ServerTest, StartReportsBadOptionsAndBusyPorts) {
  StartServer();
  ServerOptions o = options_;
  o.port = server_->port();
  HttpServer busy(o, *backend_, *authn_, live_, frames_, clock_);
  core::Status st = busy.Start();
  EXPECT_EQ(st.code(), core::StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find(std::to_string(o.port)), std::string::npos) << st.message();

  o = options_;
  o.host = "no such host.invalid";
  EXPECT_EQ(HttpServer(o, *backend_, *authn_, live_, frames_, clock_).Start().code(),
            core::StatusCode::kInvalidArgument);
  o = options_;
  o.static_dir = dir_.File("missing");
  EXPECT_EQ(HttpServer(o, *backend_, *authn_, live_, frames_, clock_).Start().code(),
            core::StatusCode::kInvalidArgument);
  o = options_;
  o.port = 70000;
  EXPECT_EQ(HttpServer(o, *backend_, *authn_, live_, frames_, clock_).Start().code(),
            core::StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, CamerasAndMetrics) {
  CameraStatus a;
  a.name = "hall";
  a.status = "online";
  a.fps = 12.5;
  a.frames = 1000;
  a.analysed = 400;
  a.dropped = 7;
  a.detector_ms = 8.25;
  a.queue_depth = 2;
  a.reconnects = 1;
  a.last_frame_at = testing::kT0;
  CameraStatus b;
  b.name = "odd \"name\"\\x\ny";
  b.status = "reconnecting";
  b.error = "connection refused";
  backend_->SetCameras({a, b});
  StartServer();
  auto c = Client();
  // One connection: the server counts a response after sending it, before it reads
  // the next request on the same connection.
  c->set_keep_alive(true);

  auto r = c->Get("/api/cameras");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json cams = Json(r)["cameras"];
  ASSERT_EQ(cams.size(), 2u);
  EXPECT_EQ(cams[0]["name"], "hall");
  EXPECT_EQ(cams[0]["fps"], 12.5);
  EXPECT_EQ(cams[0]["dropped"], 7);
  EXPECT_EQ(cams[0]["last_frame_at"], "2026-01-01T00:00:00.000Z");
  EXPECT_TRUE(cams[1]["last_frame_at"].is_null());
  EXPECT_EQ(cams[1]["error"], "connection refused");

  r = c->Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r->body;
  for (const char* needle : {
           "# TYPE argus_camera_up gauge\n", "argus_camera_up{camera=\"hall\"} 1\n",
           "argus_camera_up{camera=\"odd \\\"name\\\"\\\\x\\ny\"} 0\n",
           "argus_camera_fps{camera=\"hall\"} 12.5\n", "# TYPE argus_camera_frames_total counter\n",
           "argus_camera_frames_total{camera=\"hall\"} 1000\n",
           "argus_camera_analysed_frames_total{camera=\"hall\"} 400\n",
           "argus_camera_dropped_frames_total{camera=\"hall\"} 7\n",
           "argus_camera_detector_latency_seconds{camera=\"hall\"} 0.00825\n",
           "argus_camera_queued_frames{camera=\"hall\"} 2\n",
           "argus_camera_reconnects_total{camera=\"hall\"} 1\n",
           "# TYPE argus_http_requests_total counter\n",
           "argus_http_requests_total{code=\"200\"} 1\n",  // the /api/cameras call
           "argus_mqtt_queue_depth 3\n",                   // Backend::ExtraMetrics()
       }) {
    EXPECT_NE(m.find(needle), std::string::npos) << needle << "\n---\n" << m;
  }
  // Every sample line belongs to a family announced by a TYPE line before it.
  std::set<std::string> typed;
  size_t pos = 0;
  while (pos < m.size()) {
    size_t nl = m.find('\n', pos);
    ASSERT_NE(nl, std::string::npos) << "metrics must end with a newline";
    std::string line = m.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (line[0] != '#') {
      std::string name = line.substr(0, line.find_first_of("{ "));
      EXPECT_TRUE(typed.count(name)) << line;
    }
  }
}

class EventsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    // 30 events: cameras a/b alternate, types intrusion/loitering every third,
    // severities cycle; received one minute apart from kT0.
    for (int i = 0; i < 30; ++i) {
      auto sev = static_cast<events::Severity>(i % 4);
      auto e = MakeEvent("e" + std::to_string(i), i % 2 ? "b" : "a",
                         i % 3 ? "intrusion" : "loitering", sev);
      ASSERT_TRUE(backend_->store().InsertEvent(e, testing::kT0 + std::chrono::minutes(i)).ok());
    }
    StartServer();
  }

  // Follows next_before to the end; returns the event ids.
  std::vector<std::string> AllPages(const std::string& query, int* pages) {
    auto c = Client();
    std::vector<std::string> ids;
    std::string before;
    *pages = 0;
    for (int guard = 0; guard < 100; ++guard) {
      auto r = c->Get("/api/events?" + query + before);
      EXPECT_TRUE(r);
      if (!r) break;
      EXPECT_EQ(r->status, 200) << r->body;
      json j = Json(r);
      ++*pages;
      for (const json& e : j["events"]) ids.push_back(e["id"]);
      if (j["next_before"].is_null()) break;
      before = "&before=" + std::to_string(j["next_before"].get<int64_t>());
    }
    return ids;
  }
};

TEST_F(EventsTest, PagesNewestFirst) {
  int pages = 0;
  auto ids = AllPages("limit=7", &pages);
  ASSERT_EQ(ids.size(), 30u);
  EXPECT_EQ(pages, 5);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(ids[i], "e" + std::to_string(29 - i));

  auto r = Client()->Get("/api/events?limit=1");
  ASSERT_TRUE(r);
  json e = Json(r)["events"][0];
  EXPECT_EQ(e["id"], "e29");
  EXPECT_EQ(e["camera"], "b");
  EXPECT_EQ(e["phase"], "start");
  EXPECT_EQ(e["received_at"], "2026-01-01T00:29:00.000Z");
  EXPECT_EQ(e["bbox"], json({10, 20, 30, 40}));
  EXPECT_EQ(e["details"]["dwell_s"], 3.25);
  EXPECT_GT(e["seq"].get<int64_t>(), 0);
}

TEST_F(EventsTest, Filters) {
  int pages = 0;
  auto ids = AllPages("camera=a&type=loitering&limit=2", &pages);
  // camera a: even i; loitering: i % 3 == 0 -> 0, 6, 12, 18, 24.
  EXPECT_EQ(ids, (std::vector<std::string>{"e24", "e18", "e12", "e6", "e0"}));
  ids = AllPages("severity=critical", &pages);  // i % 4 == 3
  EXPECT_EQ(ids.size(), 7u);
  ids = AllPages("severity=alert", &pages);  // alert and critical
  EXPECT_EQ(ids.size(), 14u);
  // [00:10, 00:13) in ISO and [00:13, 00:15) in unix seconds.
  ids = AllPages("from=2026-01-01T00:10:00Z&to=2026-01-01T00:13:00Z", &pages);
  EXPECT_EQ(ids, (std::vector<std::string>{"e12", "e11", "e10"}));
  ids = AllPages("from=1767226380&to=1767226500", &pages);
  EXPECT_EQ(ids, (std::vector<std::string>{"e14", "e13"}));
  ids = AllPages("from=2026-01-01T01:10:00%2B01:00&to=2026-01-01T00:11:00.000Z", &pages);
  EXPECT_EQ(ids, (std::vector<std::string>{"e10"}));
  ids = AllPages("camera=nobody", &pages);
  EXPECT_TRUE(ids.empty());
}

TEST_F(EventsTest, BadParametersAre400WithAMessage) {
  auto c = Client();
  for (const char* q : {"limit=0", "limit=1001", "limit=abc", "limit=-1", "limit=5x", "before=-3",
                        "before=99999999999999999999", "from=yesterday", "to=2026-13-01T00:00:00Z",
                        "from=2026-02-30", "severity=bogus", "from=1767226500&to=1767226380",
                        "from=nan", "to=1e400"}) {
    auto r = c->Get(std::string("/api/events?") + q);
    ASSERT_TRUE(r) << q;
    EXPECT_EQ(r->status, 400) << q;
    json j = Json(r);
    ASSERT_TRUE(j.is_object()) << q << ": " << r->body;
    EXPECT_TRUE(j["error"].is_string()) << q;
  }
  auto r = c->Get("/api/events?limit=0");
  EXPECT_NE(Json(r)["error"].get<std::string>().find("limit"), std::string::npos);
}

class AlertsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    using events::AlertState;
    for (int64_t id = 1; id <= 12; ++id) {
      ASSERT_TRUE(
          backend_->store().UpsertAlert(MakeAlert(id, id % 2 ? "a" : "b", AlertState::kOpen)).ok());
    }
    StartServer();
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       const char* type = "application/json",
                       auth::Role role = auth::Role::kAdmin) {
    return Client(role)->Post(path, body, type);
  }
};

TEST_F(AlertsTest, ListGetAndPage) {
  auto c = Client();
  auto r = c->Get("/api/alerts/5");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json a = Json(r);
  EXPECT_EQ(a["id"], 5);
  EXPECT_EQ(a["camera"], "a");
  EXPECT_EQ(a["state"], "open");
  EXPECT_EQ(a["severity"], "alert");
  EXPECT_EQ(a["opened_at"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(a["incident_ids"], json({"inc-5"}));
  EXPECT_TRUE(a["ack"].is_null());

  std::vector<int64_t> ids;
  std::string q = "/api/alerts?limit=5";
  int pages = 0;
  while (true) {
    r = c->Get(q);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    json j = Json(r);
    ++pages;
    for (const json& x : j["alerts"]) ids.push_back(x["id"]);
    if (j["next_before"].is_null()) break;
    q = "/api/alerts?limit=5&before=" + std::to_string(j["next_before"].get<int64_t>());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(ids[i], 12 - i);

  // Exactly one page: no next.
  r = c->Get("/api/alerts?limit=12");
  EXPECT_TRUE(Json(r)["next_before"].is_null());
  r = c->Get("/api/alerts?camera=b&limit=100");
  EXPECT_EQ(Json(r)["alerts"].size(), 6u);

  r = c->Get("/api/alerts/999");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(Json(r)["error"].is_string());
  for (const char* bad : {"/api/alerts/abc", "/api/alerts/0", "/api/alerts/-1", "/api/alerts/1e3",
                          "/api/alerts/99999999999999999999"}) {
    r = c->Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
  }
  for (const char* bad :
       {"/api/alerts?state=closed", "/api/alerts?limit=x", "/api/alerts?before=-1"}) {
    r = c->Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
  }
}

TEST_F(AlertsTest, AcknowledgeThenResolveWithStateErrors) {
  auto r = Post("/api/alerts/3/resolve", R"({})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;  // open alerts must be acknowledged first

  // Who acts is the authenticated caller, whatever the body claims.
  r = Post("/api/alerts/3/acknowledge", R"({"who":"mallory","note":"guard sent"})",
           "application/json", auth::Role::kOperator);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json a = Json(r);
  EXPECT_EQ(a["state"], "acknowledged");
  EXPECT_EQ(a["ack"]["who"], "token:test-operator");
  EXPECT_EQ(a["ack"]["note"], "guard sent");
  r = Client()->Get("/api/alerts?state=acknowledged");
  ASSERT_EQ(Json(r)["alerts"].size(), 1u);
  EXPECT_EQ(Json(r)["alerts"][0]["id"], 3);

  r = Post("/api/alerts/3/acknowledge", R"({})");
  EXPECT_EQ(r->status, 409);
  r = Post("/api/alerts/3/resolve", R"({"note":null})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Json(r)["state"], "resolved");
  EXPECT_EQ(Json(r)["resolution"]["who"], "token:test-admin");
  r = Post("/api/alerts/3/resolve", R"({})");
  EXPECT_EQ(r->status, 409);
  auto audit = backend_->store().ListAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 5u);  // 3 tokens created by the fixture, then ack and resolve
  EXPECT_EQ((*audit)[0].from, "127.0.0.1");
  EXPECT_EQ((*audit)[1].who, "token:test-operator");

  r = Post("/api/alerts/999/acknowledge", R"({})");
  EXPECT_EQ(r->status, 404);
}

TEST_F(AlertsTest, BadActionBodies) {
  struct Case {
    std::string body;
    const char* type;
    int code;
  };
  const std::vector<Case> cases = {
      {"", "application/json", 400},
      {"{", "application/json", 400},
      {"[1,2]", "application/json", 400},
      {"\"ana\"", "application/json", 400},
      {R"({"note":7})", "application/json", 400},
      {R"({"note":")" + std::string(kMaxNoteLength + 1, 'n') + "\"}", "application/json", 400},
      {R"({})", "text/plain", 415},
      {"note=x", "application/x-www-form-urlencoded", 415},
      {R"({"note":")" + std::string(100 * 1024, 'x') + "\"}", "application/json", 413},
      {R"({"note":"n","x":)" + std::string(core::kMaxJsonDepth, '[') +
           std::string(core::kMaxJsonDepth, ']') + "}",
       "application/json", 400},
  };
  for (const Case& c : cases) {
    auto r = Post("/api/alerts/1/acknowledge", c.body, c.type);
    ASSERT_TRUE(r) << c.body.substr(0, 40);
    EXPECT_EQ(r->status, c.code) << c.body.substr(0, 40) << " -> " << r->body;
    EXPECT_TRUE(Json(r).is_object() && Json(r)["error"].is_string()) << r->body;
  }
  // The error names what was wrong.
  EXPECT_NE(Json(Post("/api/alerts/1/acknowledge", cases.back().body, "application/json"))["error"]
                .get<std::string>()
                .find("nested deeper than 16 levels"),
            std::string::npos);
  EXPECT_NE(Json(Post("/api/alerts/1/acknowledge", cases[5].body, "application/json"))["error"]
                .get<std::string>()
                .find("\"note\""),
            std::string::npos);
  auto a = backend_->store().GetAlert(1);
  EXPECT_EQ(a->state, events::AlertState::kOpen);  // nothing above changed it
  // A JSON body with charset, and a +json type, are fine.
  auto r = Post("/api/alerts/1/acknowledge", R"({})", "application/json; charset=utf-8");
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AlertsTest, EvidenceWithRanges) {
  const std::string clip = Pattern(10000, 1);
  const std::string jpeg = Pattern(777, 2);
  WriteFile(dir_.File("clip.mp4"), clip);
  WriteFile(dir_.File("snap.jpg"), jpeg);
  backend_->SetEvidence(2, Backend::Evidence::kClip, dir_.File("clip.mp4"));
  backend_->SetEvidence(2, Backend::Evidence::kSnapshot, dir_.File("snap.jpg"));
  backend_->SetEvidence(4, Backend::Evidence::kClip, dir_.File("gone.mp4"));
  auto c = Client();

  auto r = c->Get("/api/alerts/2/snapshot");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(r->body, jpeg);

  r = c->Get("/api/alerts/2/clip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "video/mp4");
  EXPECT_EQ(r->get_header_value("Accept-Ranges"), "bytes");
  EXPECT_EQ(r->body, clip);

  // Each incident merged into the alert has its own evidence (?incident=N, 0 the first).
  const std::string later = Pattern(321, 3);
  WriteFile(dir_.File("snap3.jpg"), later);
  backend_->SetEvidence(2, Backend::Evidence::kSnapshot, dir_.File("snap3.jpg"), 3);
  r = c->Get("/api/alerts/2/snapshot?incident=3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, later);
  EXPECT_EQ(c->Get("/api/alerts/2/snapshot?incident=0")->body, jpeg);
  EXPECT_EQ(c->Get("/api/alerts/2/snapshot?incident=1")->status, 404);
  for (const char* bad : {"x", "-1", "2x", ""}) {
    EXPECT_EQ(c->Get(std::string("/api/alerts/2/snapshot?incident=") + bad)->status, 400) << bad;
  }

  struct Case {
    const char* range;
    size_t offset, length;
  };
  for (const Case& k : {Case{"bytes=100-199", 100, 100}, Case{"bytes=9000-", 9000, 1000},
                        Case{"bytes=-50", 9950, 50}, Case{"bytes=9990-20000", 9990, 10},
                        Case{"bytes=0-0", 0, 1}, Case{"bytes=-20000", 0, 10000}}) {
    r = c->Get("/api/alerts/2/clip", {{"Range", k.range}});
    ASSERT_TRUE(r) << k.range;
    EXPECT_EQ(r->status, 206) << k.range;
    EXPECT_EQ(r->body, clip.substr(k.offset, k.length)) << k.range;
    EXPECT_EQ(r->get_header_value("Content-Range"), "bytes " + std::to_string(k.offset) + "-" +
                                                        std::to_string(k.offset + k.length - 1) +
                                                        "/10000")
        << k.range;
  }
  r = c->Get("/api/alerts/2/clip", {{"Range", "bytes=10000-"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->get_header_value("Content-Range"), "bytes */10000");
  EXPECT_TRUE(Json(r)["error"].is_string());

  // A Range header on a JSON route is ignored rather than cutting the document.
  r = c->Get("/api/alerts/2", {{"Range", "bytes=0-3"}});
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json(r)["id"], 2);

  for (const char* path : {"/api/alerts/3/clip", "/api/alerts/3/snapshot", "/api/alerts/4/clip",
                           "/api/alerts/999/clip"}) {
    r = c->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_TRUE(Json(r)["error"].is_string()) << path;
  }
}

TEST_F(ServerTest, LearnedPictureIsSvgForEveryRoleAndSaysWhyWhenThereIsNone) {
  CameraStatus hall;
  hall.name = "hall";
  CameraStatus yard;
  yard.name = "yard";
  backend_->SetCameras({hall, yard});
  backend_->SetLearned("hall", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
  StartServer();
  auto r = Client(auth::Role::kViewer)->Get("/api/cameras/hall/learned.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_EQ(r->body, "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
  r = Client()->Get("/api/cameras/yard/learned.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Json(r)["error"], "camera 'yard' learned nothing");
  r = Client()->Get("/api/cameras/nowhere/learned.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Json(r)["error"], "no camera 'nowhere'");
  r = AnonymousClient()->Get("/api/cameras/hall/learned.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ServerTest, ZoneCountsAndSensors) {
  backend_->SetZoneCounts({{"hall", {{"vitrine", 2}, {"door", 0}}}});
  StartServer();
  auto c = Client();
  auto r = c->Get("/api/zones/counts");
  ASSERT_TRUE(r);
  EXPECT_EQ(Json(r)["hall"]["vitrine"], 2);

  r = c->Post("/api/sensors", R"({"sensor":"north-window-2","type":"contact","state":"open"})",
              "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  r = c->Post("/api/sensors", R"({"sensor":"vib-1","type":"vibration","state":"triggered",
              "t":1767225700.5})",
              "application/json");
  EXPECT_EQ(r->status, 202) << r->body;
  auto got = backend_->sensors();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].topic, "http");
  EXPECT_EQ(got[0].sensor, "north-window-2");
  EXPECT_EQ(got[0].state, notify::SensorState::kOpen);
  EXPECT_DOUBLE_EQ(got[0].t, 1767225600.0);  // arrival time from the injected clock
  EXPECT_FALSE(got[0].t_from_sensor);
  EXPECT_DOUBLE_EQ(got[1].t, 1767225700.5);

  r = c->Post("/api/sensors", R"({"sensor":"x","type":"contact","state":"triggered"})",
              "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("does not apply"), std::string::npos);
  r = c->Post("/api/sensors", "not json", "application/json");
  EXPECT_EQ(r->status, 400);
  r = c->Post("/api/sensors", R"({"sensor":"x","type":"contact","state":"open"})", "text/csv");
  EXPECT_EQ(r->status, 415);
  backend_->SetSensorStatus(core::Unavailable("event loop is shutting down"));
  r = c->Post("/api/sensors", R"({"sensor":"x","type":"contact","state":"open"})",
              "application/json");
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(backend_->sensors().size(), 2u);
}

// Collects an SSE stream on a thread until told to stop.
class SseReader {
 public:
  SseReader(int port, const std::string& token, const std::string& path,
            httplib::Headers headers = {}) {
    headers.emplace("Authorization", "Bearer " + token);
    thread_ = std::thread([this, port, path, headers] {
      httplib::Client c("127.0.0.1", port);
      c.set_default_headers(headers);
      c.set_read_timeout(30);
      auto r = c.Get(
          path,
          [&](const httplib::Response& res) {
            std::lock_guard<std::mutex> lock(mu_);
            status_ = res.status;
            type_ = res.get_header_value("Content-Type");
            return true;
          },
          [&](const char* data, size_t n) {
            std::lock_guard<std::mutex> lock(mu_);
            text_.append(data, n);
            return !stop_;
          });
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      if (r) status_ = r->status;
    });
  }
  ~SseReader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    thread_.join();
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  int status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }
  bool done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  std::string type() {
    std::lock_guard<std::mutex> lock(mu_);
    return type_;
  }

 private:
  std::mutex mu_;
  std::string text_, type_;
  int status_ = 0;
  bool stop_ = false, done_ = false;
  std::thread thread_;
};

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

TEST_F(ServerTest, LiveDeliversPublishedMessagesInOrder) {
  options_.heartbeat_s = 0.2;
  StartServer();
  SseReader all(server_->port(), tokens_[auth::Role::kAdmin], "/api/live");
  SseReader alerts(server_->port(), tokens_[auth::Role::kAdmin], "/api/live?types=alert,camera");
  ASSERT_TRUE(WaitFor([&] { return live_.subscribers() == 2; }));
  for (int i = 0; i < 60; ++i) {
    const char* name = i % 3 == 0 ? "event" : i % 3 == 1 ? "alert" : "camera";
    live_.Publish(name, json{{"n", i}}.dump());
  }
  live_.Publish("alert", "{\n\"multi\": \"line\"\n}");
  ASSERT_TRUE(WaitFor([&] { return all.text().find("\"multi\"") != std::string::npos; }))
      << all.text();
  ASSERT_TRUE(WaitFor([&] { return alerts.text().find("\"multi\"") != std::string::npos; }));
  EXPECT_EQ(all.type(), "text/event-stream");

  std::string t = all.text();
  size_t pos = 0;
  for (int i = 0; i < 60; ++i) {
    const char* name = i % 3 == 0 ? "event" : i % 3 == 1 ? "alert" : "camera";
    std::string msg = "id: " + live_.MessageId(i + 1) + "\nevent: " + name +
                      "\ndata: {\"n\":" + std::to_string(i) + "}\n\n";
    size_t at = t.find(msg, pos);
    ASSERT_NE(at, std::string::npos) << "message " << i << " missing or out of order";
    pos = at + msg.size();
  }
  EXPECT_NE(t.find("event: alert\ndata: {\ndata: \"multi\": \"line\"\ndata: }\n\n"),
            std::string::npos);
  std::string f = alerts.text();
  EXPECT_EQ(Count(f, "event: event\n"), 0u);
  EXPECT_EQ(Count(f, "event: alert\n"), 21u);
  EXPECT_EQ(Count(f, "event: camera\n"), 20u);
  // A fresh stream starts with a hello saying there is nothing to resume.
  EXPECT_EQ(t.find("event: hello\ndata: {\"heartbeat_s\":0.2,\"resumed\":false}\n\n"),
            t.find("\n\n") + 2)
      << t;
  // Heartbeats (events, so that a page sees them) keep an idle stream alive.
  ASSERT_TRUE(WaitFor([&] { return Count(all.text(), "event: heartbeat\ndata: {}\n\n") >= 2; }));

  auto r = Client()->Get("/api/live?types=alert,bogus");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, SlowLiveClientNeverBlocksPublishAndIsToldItLostMessages) {
  StartServer();
  int fd = RawConnect(server_->port());
  ASSERT_GE(fd, 0);
  int small = 64 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  const std::string req = "GET /api/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          tokens_[auth::Role::kViewer] + "\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  ASSERT_TRUE(WaitFor([&] { return live_.subscribers() == 1; }));
  // Far more than the socket buffers and the subscriber queue hold; the client
  // reads nothing meanwhile.
  const std::string payload = "{\"pad\":\"" + std::string(1000, 'x') + "\"}";
  const auto start = std::chrono::steady_clock::now();
  double worst_ms = 0;
  for (int i = 0; i < 5000; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    live_.Publish("event", payload);
    worst_ms = std::max(
        worst_ms,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(total_s, 3.0);
  EXPECT_LT(worst_ms, 500.0);
  EXPECT_GT(live_.dropped_total(), 0u);

  // Now read: the stream goes on and says that messages were lost.
  std::string got;
  char buf[65536];
  timeval tv{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  live_.Publish("event", "{\"last\":true}");
  while (got.find("{\"last\":true}") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_NE(got.find(": dropped "), std::string::npos);
  EXPECT_NE(got.find("{\"last\":true}"), std::string::npos);
}

// A client that lost its connection resumes with Last-Event-ID (header or query
// parameter): it gets exactly the messages it missed, of its types, then live
// ones. An id the ring no longer covers, or one of an earlier daemon, gets
// resumed:false and nothing replayed (the client reloads its lists).
TEST_F(ServerTest, LiveResumesAfterLastEventIdOrSaysToReload) {
  options_.heartbeat_s = 0.2;  // a reader notices it should stop at the next message
  StartServer();
  const std::string token = tokens_[auth::Role::kViewer];
  for (int i = 1; i <= 10; ++i) {
    live_.Publish(i % 2 ? "alert" : "event", json{{"n", i}}.dump());
  }
  auto has = [](const std::string& t, int n) {
    return t.find("data: {\"n\":" + std::to_string(n) + "}\n") != std::string::npos;
  };
  {
    // Saw message 4; missed 5..10, of which the alerts are 5, 7, 9.
    SseReader r(server_->port(), token, "/api/live?types=alert",
                {{"Last-Event-ID", live_.MessageId(4)}});
    ASSERT_TRUE(WaitFor([&] { return has(r.text(), 9); })) << r.text();
    live_.Publish("alert", json{{"n", 11}}.dump());
    ASSERT_TRUE(WaitFor([&] { return has(r.text(), 11); })) << r.text();
    const std::string t = r.text();
    EXPECT_NE(t.find("\"resumed\":true"), std::string::npos) << t;
    for (int n : {1, 2, 3, 4, 6, 8, 10}) EXPECT_FALSE(has(t, n)) << n << "\n" << t;
    EXPECT_LT(t.find("id: " + live_.MessageId(5) + "\n"), t.find("id: " + live_.MessageId(7)));
    EXPECT_LT(t.find("id: " + live_.MessageId(9) + "\n"), t.find("id: " + live_.MessageId(11)));
  }
  {
    // Up to date: resumed, nothing replayed.
    SseReader r(server_->port(), token, "/api/live?last_event_id=" + live_.MessageId(11));
    ASSERT_TRUE(WaitFor([&] { return r.text().find("event: hello") != std::string::npos; }));
    EXPECT_NE(r.text().find("\"resumed\":true"), std::string::npos) << r.text();
    EXPECT_EQ(r.text().find("id: "), std::string::npos) << r.text();
  }
  // Ids that cannot be resumed: another daemon's epoch, the future, garbage.
  const std::string other_epoch = std::to_string(live_.epoch() + 2) + "-4";
  for (const std::string& id :
       {other_epoch, live_.MessageId(99), std::string("4"), std::string("x-y")}) {
    SseReader r(server_->port(), token, "/api/live?last_event_id=" + id);
    ASSERT_TRUE(WaitFor([&] { return r.text().find("event: hello") != std::string::npos; }));
    EXPECT_NE(r.text().find("\"resumed\":false"), std::string::npos) << id << r.text();
    EXPECT_EQ(r.text().find("id: "), std::string::npos) << id << r.text();
  }
}

// Reads a multipart MJPEG stream and returns the parts' bodies once `want` arrived.
std::vector<std::string> ReadMjpeg(int port, const std::string& token, const std::string& path,
                                   size_t want, std::string* content_type,
                                   std::atomic<bool>* started = nullptr) {
  httplib::Client c("127.0.0.1", port);
  c.set_default_headers({{"Authorization", "Bearer " + token}});
  c.set_read_timeout(30);
  std::string buf;
  std::vector<std::string> parts;
  c.Get(
      path,
      [&](const httplib::Response& res) {
        *content_type = res.get_header_value("Content-Type");
        if (started) *started = true;
        return res.status == 200;
      },
      [&](const char* data, size_t n) {
        buf.append(data, n);
        while (true) {
          size_t head = buf.find("--argusframe\r\n");
          size_t end = buf.find("\r\n\r\n", head);
          if (head != 0 || end == std::string::npos) break;
          std::string headers = buf.substr(0, end);
          size_t cl = headers.find("Content-Length: ");
          EXPECT_NE(headers.find("Content-Type: image/jpeg"), std::string::npos);
          if (cl == std::string::npos) return false;
          size_t len = std::stoul(headers.substr(cl + 16));
          if (buf.size() < end + 4 + len + 2) break;
          parts.push_back(buf.substr(end + 4, len));
          EXPECT_EQ(buf.substr(end + 4 + len, 2), "\r\n");
          buf.erase(0, end + 4 + len + 2);
        }
        return parts.size() < want;
      });
  return parts;
}

TEST_F(ServerTest, MjpegStreamsLatestFrames) {
  CameraStatus cam;
  cam.name = "hall";
  cam.status = "online";
  backend_->SetCameras({cam});
  StartServer();
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; !stop; ++i) {
      frames_.Set("hall", std::make_shared<const std::string>(Pattern(5000 + i % 7, i)));
      std::this_thread::sleep_for(10ms);
    }
  });
  std::string type;
  auto parts =
      ReadMjpeg(server_->port(), tokens_[auth::Role::kAdmin], "/api/cameras/hall/mjpeg", 4, &type);
  stop = true;
  producer.join();
  EXPECT_EQ(type, "multipart/x-mixed-replace; boundary=argusframe");
  ASSERT_EQ(parts.size(), 4u);
  for (const std::string& p : parts) {
    bool match = false;
    for (int i = 0; i < 7 && !match; ++i) match = p.size() == 5000u + i;
    EXPECT_TRUE(match) << p.size();
  }
  EXPECT_NE(parts[0], parts[1]);

  auto c = Client();
  auto r = c->Get("/api/cameras/nowhere/mjpeg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = c->Get("/api/cameras/hall/mjpeg?fps=0");
  EXPECT_EQ(r->status, 400);
  r = c->Get("/api/cameras/hall/mjpeg?fps=fast");
  EXPECT_EQ(r->status, 400);
}

// A camera wall tile: the latest picture, one JPEG per request, the very bytes the
// hub holds (no encoding per request); blurred for viewers; 503 until there is one.
TEST_F(ServerTest, FrameServesTheLatestPictureOfTheRightVariant) {
  CameraStatus cam;
  cam.name = "hall";
  cam.status = "connecting";
  backend_->SetCameras({cam});
  StartServer();
  auto c = Client();
  auto r = c->Get("/api/cameras/hall/frame");  // no picture yet
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  r = c->Get("/api/cameras/nowhere/frame");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  frames_.Set("hall", std::make_shared<const std::string>("clear-1"));
  frames_.Set("hall", std::make_shared<const std::string>("clear-2"));
  frames_.Set("hall", std::make_shared<const std::string>("blurred-1"), FrameVariant::kBlurred);
  r = c->Get("/api/cameras/hall/frame");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(r->get_header_value("X-Frame-Seq"), "2");
  EXPECT_EQ(r->body, "clear-2");
  EXPECT_NE(r->get_header_value("Cache-Control").find("no-store"), std::string::npos);
  r = Client(auth::Role::kViewer)->Get("/api/cameras/hall/frame");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "blurred-1");
  EXPECT_TRUE(frames_.Wanted("hall", FrameVariant::kBlurred));
  EXPECT_EQ(AnonymousClient()->Get("/api/cameras/hall/frame")->status, 401);
}

// Several nodes: the live pictures of a camera another node runs are fetched there (the
// same request, query and all); a node without an address is named in a clear 503.
TEST_F(ServerTest, PicturesOfACameraOnAnotherNodeRedirectThere) {
  backend_->SetRemote("east", {"b", "http://10.0.0.2:8080/"});
  backend_->SetRemote("west", {"c", ""});
  StartServer();
  auto c = Client();
  auto r = c->Get("/api/cameras/east/mjpeg?fps=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"), "http://10.0.0.2:8080/api/cameras/east/mjpeg?fps=2");
  EXPECT_EQ(nlohmann::json::parse(r->body)["node"], "b");
  r = c->Get("/api/cameras/east/frame");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"), "http://10.0.0.2:8080/api/cameras/east/frame");
  r = c->Get("/api/cameras/west/frame");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("node 'c'"), std::string::npos) << r->body;
  EXPECT_EQ(AnonymousClient()->Get("/api/cameras/east/frame")->status, 401);
}

// Several nodes: evidence this node does not have, recorded by another node, is fetched
// there (307, query and all); an offline node or one without an address is named in a 503.
// Evidence this node has is served here whoever else might have it.
TEST_F(ServerTest, EvidenceOfAnotherNodesAlertRedirectsToTheNodeThatRecordedIt) {
  backend_->SetEvidenceHome(5, 0, {"b", "http://10.0.0.2:8080"});
  backend_->SetEvidenceHome(5, 1, {"c", "http://10.0.0.3:8080", /*alive=*/false});
  backend_->SetEvidenceHome(6, 0, {"d", ""});
  WriteFile(dir_.File("snap6.jpg"), "jpeg of incident 1");
  backend_->SetEvidence(6, Backend::Evidence::kSnapshot, dir_.File("snap6.jpg"), 1);
  backend_->SetEvidenceHome(6, 1, {"b", "http://10.0.0.2:8080"});
  StartServer();
  auto c = Client();
  auto r = c->Get("/api/alerts/5/snapshot");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"), "http://10.0.0.2:8080/api/alerts/5/snapshot");
  EXPECT_EQ(nlohmann::json::parse(r->body)["node"], "b");
  r = c->Get("/api/alerts/5/clip?incident=0&download=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"),
            "http://10.0.0.2:8080/api/alerts/5/clip?incident=0&download=1");
  r = c->Get("/api/alerts/5/snapshot?incident=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("node 'c', which is offline"), std::string::npos) << r->body;
  r = c->Get("/api/alerts/6/clip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("node 'd', which has no cluster.address"), std::string::npos) << r->body;
  r = c->Get("/api/alerts/6/snapshot?incident=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "jpeg of incident 1");
  r = c->Get("/api/alerts/7/snapshot");  // no one has it
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

// ?size=tile: the wall's small picture of the right variant; until the daemon made one,
// the full picture at once (no wait per tile), and the tile is marked as wanted.
TEST_F(ServerTest, FrameSizeTileServesTheTileOrTheFullPictureAtOnce) {
  StartServer();
  frames_.Set("hall", std::make_shared<const std::string>("clear"));
  auto c = Client();
  auto r = c->Get("/api/cameras/hall/frame?size=tile");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "clear");
  EXPECT_TRUE(frames_.Wanted("hall", FrameVariant::kClearTile));
  EXPECT_FALSE(frames_.Wanted("hall", FrameVariant::kBlurredTile));
  frames_.Set("hall", std::make_shared<const std::string>("clear-tile"), FrameVariant::kClearTile);
  frames_.Set("hall", std::make_shared<const std::string>("blurred-tile"),
              FrameVariant::kBlurredTile);
  EXPECT_EQ(c->Get("/api/cameras/hall/frame?size=tile")->body, "clear-tile");
  EXPECT_EQ(Client(auth::Role::kViewer)->Get("/api/cameras/hall/frame?size=tile")->body,
            "blurred-tile");
  EXPECT_EQ(c->Get("/api/cameras/hall/frame?size=huge")->status, 400);
}

TEST_F(ServerTest, MjpegHonoursTheFrameRateCap) {
  StartServer();
  frames_.Set("yard", std::make_shared<const std::string>("first"));
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    for (int i = 0; !stop; ++i) {
      frames_.Set("yard", std::make_shared<const std::string>(std::to_string(i)));
      std::this_thread::sleep_for(2ms);
    }
  });
  std::string type;
  const auto start = std::chrono::steady_clock::now();
  auto parts = ReadMjpeg(server_->port(), tokens_[auth::Role::kAdmin],
                         "/api/cameras/yard/mjpeg?fps=5", 6, &type);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  producer.join();
  ASSERT_EQ(parts.size(), 6u);
  // 6 frames at <= 5 fps take at least 5 intervals.
  EXPECT_GE(elapsed, 0.95);
}

TEST_F(ServerTest, StreamLimitKeepsTheApiAvailable) {
  options_.max_streams = 1;
  options_.heartbeat_s = 0.2;
  StartServer();
  SseReader first(server_->port(), tokens_[auth::Role::kAdmin], "/api/live");
  ASSERT_TRUE(WaitFor([&] { return live_.subscribers() == 1; }));
  auto r = Client()->Get("/api/live");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  r = Client()->Get("/healthz");
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, StopClosesOpenStreamsPromptly) {
  CameraStatus cam;
  cam.name = "hall";
  backend_->SetCameras({cam});
  StartServer();
  SseReader live1(server_->port(), tokens_[auth::Role::kAdmin], "/api/live");
  SseReader live2(server_->port(), tokens_[auth::Role::kAdmin], "/api/live?types=alert");
  std::atomic<bool> mjpeg_started{false};
  std::thread mjpeg([&] {
    std::string type;
    ReadMjpeg(server_->port(), tokens_[auth::Role::kAdmin], "/api/cameras/hall/mjpeg", 1000, &type,
              &mjpeg_started);
  });
  auto idle = Client();  // a keep-alive connection left idle
  idle->set_keep_alive(true);
  ASSERT_EQ(idle->Get("/healthz")->status, 200);
  ASSERT_TRUE(WaitFor([&] { return live_.subscribers() == 2; }));
  frames_.Set("hall", std::make_shared<const std::string>("jpeg"));
  ASSERT_TRUE(WaitFor([&] { return mjpeg_started.load(); }));
  ASSERT_TRUE(WaitFor([&] { return !live1.text().empty(); }));

  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(s, 3.0);  // ~1 s (the keep-alive timeout); generous for a loaded machine
  mjpeg.join();
  EXPECT_TRUE(WaitFor([&] { return live1.done() && live2.done(); }));
  EXPECT_EQ(live_.subscribers(), 0u);
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, ServesStaticDirectory) {
  std::filesystem::create_directories(dir_.File("web"));
  WriteFile(dir_.File("web/index.html"), "<html>argus</html>");
  WriteFile(dir_.File("web/app.js"), "console.log(1)");
  options_.static_dir = dir_.File("web");
  StartServer();
  auto c = Client();
  auto r = c->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<html>argus</html>");
  r = c->Get("/app.js");
  EXPECT_EQ(r->body, "console.log(1)");
  r = c->Get("/missing.css");
  EXPECT_EQ(r->status, 404);
  r = c->Get("/../argus.db");
  EXPECT_NE(r->status, 200);
  r = c->Get("/healthz");
  EXPECT_EQ(Json(r)["status"], "ok");
}

// Sends a header line every 100 ms until the server closes; returns the seconds it took
// and what the server answered (if anything).
std::pair<double, std::string> TrickleUntilClosed(int fd, double give_up_s) {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::string answer;
  const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  send(fd, start.data(), start.size(), MSG_NOSIGNAL);
  while (elapsed() < give_up_s) {
    // Read first: after the server's close a send fails and the answer would be lost.
    char buf[512];
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) break;
    if (n > 0) answer.append(buf, static_cast<size_t>(n));
    const std::string line = "X-Slow: 1\r\n";
    if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) < 0) break;
    std::this_thread::sleep_for(100ms);
  }
  return {elapsed(), answer};
}

// Issue 16.1: bytes that keep coming never tripped the read timeout.
TEST_F(ServerTest, ARequestStillArrivingAtItsDeadlineIsCut) {
  options_.request_deadline_s = 1;
  StartServer();
  const int fd = RawConnect(server_->port());
  ASSERT_GE(fd, 0);
  const auto [took, answer] = TrickleUntilClosed(fd, 10);
  close(fd);
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 4) << "still open after the deadline";
  EXPECT_EQ(Json(Client()->Get("/healthz"))["status"], "ok");
}

TEST_F(ServerTest, OneAddressCannotHoldEveryThread) {
  options_.threads = 4;
  options_.max_reading_per_address = 2;
  options_.request_deadline_s = 30;
  StartServer();
  std::vector<int> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(RawConnect(server_->port()));
    const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    send(slow.back(), start.data(), start.size(), MSG_NOSIGNAL);
  }
  std::this_thread::sleep_for(300ms);  // both are being read by now
  const int third = RawConnect(server_->port());
  const auto [took, answer] = TrickleUntilClosed(third, 10);
  close(third);
  EXPECT_LT(took, 2);
  EXPECT_NE(answer.find("503"), std::string::npos) << answer;
  for (int fd : slow) close(fd);
  // Complete requests from the same address are served once the slow ones are gone
  // (their threads notice the close at their next read).
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = Client()->Get("/healthz");
    status = r ? r->status : 0;
  }
  EXPECT_EQ(status, 200);
}

// "%00" decodes to a NUL: the file opened is app.js, the type came from ".html".
// The e2e dashboard's cut module loads: a browser sends its parallel requests at once and
// they counted as "arriving" until answered, so slow handlers made a browser look like a
// slowloris. Whole requests whose handlers are busy must all be served.
TEST_F(ServerTest, ParallelWholeRequestsWithSlowHandlersAreNotCountedAsArriving) {
  options_.threads = 8;
  options_.max_reading_per_address = 2;
  backend_->SetZoneCountsDelay(600ms);
  StartServer();
  constexpr int kParallel = 6;
  std::vector<int> fds;
  const std::string req = "GET /api/zones/counts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          tokens_[auth::Role::kAdmin] + "\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < kParallel; ++i) {
    fds.push_back(RawConnect(server_->port()));
    ASSERT_GE(fds.back(), 0);
    ASSERT_EQ(send(fds.back(), req.data(), req.size(), MSG_NOSIGNAL), ssize_t(req.size()));
  }
  int ok = 0;
  for (int fd : fds) {
    timeval tv{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string answer;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, size_t(n));
    close(fd);
    if (answer.rfind("HTTP/1.1 200", 0) == 0) ++ok;
    EXPECT_EQ(answer.find("503"), std::string::npos) << answer.substr(0, 200);
  }
  EXPECT_EQ(ok, kParallel);
}

TEST_F(ServerTest, NulInTheStaticPathIsRefusedNotServedAsHtml) {
  std::filesystem::create_directories(dir_.File("web"));
  WriteFile(dir_.File("web/app.js"), "<script>alert(1)</script>");
  options_.static_dir = dir_.File("web");
  StartServer();
  auto c = Client();
  for (const char* path : {"/app.js%00.html", "/app.js%0a.html", "/api/alerts%00"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(r->body.find("<script>"), std::string::npos) << path;
  }
  EXPECT_EQ(c->Get("/app.js")->status, 200);
}

// A user who logged in with a one-time password (the first admin) may only see
// who they are, log out and change that password; tokens are not concerned.
TEST_F(ServerTest, OneTimePasswordAllowsOnlyChangingIt) {
  ASSERT_TRUE(
      authn_->AddUser("admin", "first start 0ne-time", auth::Role::kAdmin, "test", "").ok());
  backend_->SetMustChange("admin");
  StartServer();
  const std::string origin = "http://127.0.0.1:" + std::to_string(server_->port());
  auto login = AnonymousClient()->Post(
      "/api/login", json{{"user", "admin"}, {"password", "first start 0ne-time"}}.dump(),
      "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_EQ(Json(login)["must_change_password"], true);
  const std::string set = login->get_header_value("Set-Cookie");
  const httplib::Headers cookie = {{"Cookie", set.substr(0, set.find(';'))}, {"Origin", origin}};

  auto me = AnonymousClient()->Get("/api/me", cookie);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(Json(me)["must_change_password"], true);
  for (const char* path : {"/api/alerts", "/api/users", "/api/live", "/api/cameras"}) {
    auto r = AnonymousClient()->Get(path, cookie);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_NE(Json(r)["error"].get<std::string>().find("one-time password"), std::string::npos);
  }
  auto other = AnonymousClient()->Post("/api/users/someone", cookie, R"({"role":"viewer"})",
                                       "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  // An API token of the same role is not held back.
  auto token = Client()->Get("/api/alerts");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 200);

  auto change = AnonymousClient()->Post(
      "/api/users/admin", cookie, R"({"password":"my own password 2026"})", "application/json");
  ASSERT_TRUE(change);
  EXPECT_EQ(change->status, 200) << change->body;
}

}  // namespace
}  // namespace argus::api
