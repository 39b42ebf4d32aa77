// Random and mutated requests against every route: the server must answer each
// with a JSON 4xx (or a success), never a 5xx, never crash, and stay up.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "api/test_util.h"

namespace argus::api {
namespace {

using json = nlohmann::json;
using testing::MakeAlert;
using testing::ServerTest;

const char* const kGetRoutes[] = {
    "/healthz",
    "/metrics",
    "/api/cameras",
    "/api/events",
    "/api/alerts",
    "/api/alerts/1",
    "/api/alerts/2/snapshot",
    "/api/alerts/2/clip",
    "/api/zones/counts",
    "/api/alerts/x/clip",
    "/api/alerts/%00",
    "/api/cameras/%2e%2e/mjpeg",
};
const char* const kPostRoutes[] = {
    "/api/alerts/1/acknowledge", "/api/alerts/1/resolve",
    "/api/alerts/2/acknowledge", "/api/sensors",
    "/api/alerts/zz/resolve",    "/api/alerts/99/acknowledge",
};
const char* const kParams[] = {"from",  "to",    "camera", "type", "severity", "before",
                               "limit", "state", "types",  "fps",  "x"};
const char* const kValues[] = {"",
                               "0",
                               "-1",
                               "1",
                               "1000",
                               "1001",
                               "99999999999999999999",
                               "2026-01-01T00:00:00Z",
                               "2026-02-30",
                               "nan",
                               "1e308",
                               "alert",
                               "open",
                               "%ff%fe",
                               "%",
                               "%zz",
                               "a,b,,",
                               "\"",
                               "'",
                               "\\",
                               "resolved",
                               "critical",
                               "1767225600.5"};
const char* const kSeeds[] = {
    R"({"who":"ana","note":"x"})",
    R"({"sensor":"s1","type":"contact","state":"open","t":1767225600})",
    R"({"sensor":"s2","type":"glass_break","state":"triggered"})",
    R"({"who":["a"],"note":{"k":null}})",
    R"([{"who":"ana"}])",
};

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string Mutate(std::mt19937& rng, std::string s) {
  const int edits = 1 + static_cast<int>(rng() % 6);
  static const char kTokens[][12] = {"{",       "}",    "[",    "]",       "\"",
                                     ":",       ",",    "null", "1e999",   "-0",
                                     "\\u0000", "\xff", "true", "\"who\"", "\"t\""};
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:  // delete a span
        if (!s.empty()) s.erase(at == s.size() ? at - 1 : at, 1 + rng() % 8);
        break;
      case 1:  // insert a token
        s.insert(at, kTokens[rng() % (sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      case 2:  // flip a byte
        if (!s.empty()) s[at == s.size() ? at - 1 : at] ^= static_cast<char>(1 << (rng() % 8));
        break;
      default:  // duplicate a span
        s.insert(at, s.substr(rng() % (s.size() + 1), rng() % 16));
    }
  }
  return s;
}

std::string PercentEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string RandomQuery(std::mt19937& rng) {
  std::string q;
  const int n = static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    q += i ? "&" : "?";
    q += kParams[rng() % (sizeof(kParams) / sizeof(kParams[0]))];
    if (rng() % 8) q += "=";
    q += rng() % 6 ? kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))]
                   : PercentEncode(RandomBytes(rng, rng() % 12));
  }
  return q;
}

class FuzzTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    for (int64_t id = 1; id <= 3; ++id) {
      ASSERT_TRUE(
          backend_->store().UpsertAlert(MakeAlert(id, "a", events::AlertState::kOpen)).ok());
    }
    ASSERT_TRUE(
        backend_->store()
            .InsertEvent(store::testing::MakeEvent("e", "a", "intrusion", events::Severity::kAlert),
                         testing::kT0)
            .ok());
    std::ofstream(dir_.File("clip.mp4")) << std::string(5000, 'c');
    backend_->SetEvidence(2, Backend::Evidence::kClip, dir_.File("clip.mp4"));
    CameraStatus cam;
    cam.name = "a";
    backend_->SetCameras({cam});
    frames_.Set("a", std::make_shared<const std::string>("jpeg"));
    StartServer();
  }

  // Every answer to a well-framed request is < 500 and, for the API, JSON.
  void Check(const httplib::Result& r, const std::string& what) {
    ASSERT_TRUE(r) << what << ": " << httplib::to_string(r.error());
    EXPECT_LT(r->status, 500) << what << " -> " << r->body;
    if (r->status >= 400) {
      json j = json::parse(r->body, nullptr, false);
      EXPECT_TRUE(j.is_object() && j.contains("error")) << what << " -> " << r->body;
    }
  }
};

TEST_F(FuzzTest, RandomRequestsToEveryRoute) {
  std::mt19937 rng(20260101);
  auto c = Client();
  c->set_keep_alive(true);
  int sent = 0;
  for (int i = 0; i < 1500; ++i, ++sent) {
    const std::string path =
        std::string(kGetRoutes[rng() % (sizeof(kGetRoutes) / sizeof(kGetRoutes[0]))]) +
        RandomQuery(rng);
    httplib::Headers h;
    if (rng() % 10 == 0) h.emplace("Range", Mutate(rng, "bytes=0-99"));
    auto r = c->Get(path, h);
    Check(r, "GET " + path);
    if (::testing::Test::HasFailure()) return;
  }
  for (int i = 0; i < 1500; ++i, ++sent) {
    const std::string path =
        std::string(kPostRoutes[rng() % (sizeof(kPostRoutes) / sizeof(kPostRoutes[0]))]) +
        (rng() % 4 ? "" : RandomQuery(rng));
    std::string body;
    switch (rng() % 4) {
      case 0:
        body = RandomBytes(rng, rng() % 200);
        break;
      case 1:
        body = std::string(rng() % 3000, '[');  // deep nesting
        break;
      default:
        body = Mutate(rng, kSeeds[rng() % (sizeof(kSeeds) / sizeof(kSeeds[0]))]);
    }
    const char* type = rng() % 8 ? "application/json" : "text/plain";
    auto r = c->Post(path, body, type);
    Check(r, "POST " + path + " " + body.substr(0, 60));
    if (::testing::Test::HasFailure()) return;
  }
  // Streams with random queries: take the headers, then hang up.
  for (int i = 0; i < 60; ++i, ++sent) {
    const std::string path =
        std::string(i % 2 ? "/api/live" : "/api/cameras/a/mjpeg") + RandomQuery(rng);
    int status = 0;
    auto s = Client();
    s->Get(
        path,
        [&](const httplib::Response& res) {
          status = res.status;
          return false;
        },
        [](const char*, size_t) { return false; });
    EXPECT_TRUE(status == 200 || status == 400) << path << " -> " << status;
    // The server notices the hang-up and frees the stream (long before a heartbeat).
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          auto m = Client()->Get("/metrics");
          return m && m->body.find("argus_http_live_clients 0\n") != std::string::npos &&
                 m->body.find("argus_http_mjpeg_clients 0\n") != std::string::npos;
        },
        std::chrono::seconds(10)))
        << path;
  }
  EXPECT_GE(sent, 3000);
  auto r = Client()->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(FuzzTest, GarbageOnTheWireDoesNotHurt) {
  std::mt19937 rng(7);
  const std::string valid =
      "POST /api/sensors HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nContent-Length: 2\r\n\r\n{}";
  for (int i = 0; i < 300; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    const std::string msg = i % 3 == 0 ? RandomBytes(rng, rng() % 600) : Mutate(rng, valid);
    send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);  // so the server sees the end instead of waiting
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    std::string got;
    for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) got.append(buf, size_t(n));
    close(fd);
    EXPECT_EQ(got.find("HTTP/1.1 5"), std::string::npos) << msg << "\n->\n" << got;
  }
  auto r = Client()->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace argus::api
