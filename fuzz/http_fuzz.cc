// libFuzzer target: the request paths we own in the HTTP API (route parameters, query
// parameters, JSON bodies), through the real HttpServer on a loopback port over a real
// SQLite store. Input: byte 0 picks a route; up to the first newline follows the route
// (path rest and query string); the rest is the body. Every answer must be a complete
// HTTP response below 500: a 5xx or no answer aborts (a finding).
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "api/test_util.h"

namespace {

using argus::api::testing::FakeBackend;

struct Route {
  const char* method;
  const char* path;
};
// Streams (/api/live, MJPEG) are left out: they answer only when the client leaves.
// Token revocation too: it could revoke the fuzzer's own token.
const Route kRoutes[] = {
    {"GET", "/healthz"},          {"POST", "/api/login"},        {"GET", "/api/me"},
    {"GET", "/metrics"},          {"GET", "/api/cameras"},       {"GET", "/api/events"},
    {"GET", "/api/alerts"},       {"GET", "/api/alerts/"},       {"POST", "/api/alerts/"},
    {"GET", "/api/zones/counts"}, {"GET", "/api/zones/history"}, {"GET", "/api/site"},
    {"GET", "/api/system"},       {"POST", "/api/sensors"},      {"GET", "/api/users"},
    {"POST", "/api/users"},       {"POST", "/api/users/"},       {"GET", "/api/tokens"},
    {"POST", "/api/tokens"},      {"GET", "/api/audit"},         {"GET", "/"},
};

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<FakeBackend> backend;
  std::unique_ptr<argus::auth::Authenticator> authn;
  argus::api::LiveHub live;
  argus::api::FrameHub frames;
  argus::core::FakeClock clock{argus::api::testing::kT0};
  std::unique_ptr<argus::api::HttpServer> server;
  std::string token;

  Fixture() {
    spdlog::set_level(spdlog::level::err);  // millions of requests: only real trouble
    dir = std::filesystem::temp_directory_path() / ("argus_http_fuzz_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto s = argus::store::SqliteStore::Open((dir / "argus.db").string());
    if (!s.ok()) Die(s.status().ToString());
    backend = std::make_unique<FakeBackend>(std::move(*s));
    for (int64_t id = 1; id <= 3; ++id) {
      (void)backend->store().UpsertAlert(
          argus::api::testing::MakeAlert(id, "a", argus::events::AlertState::kOpen));
    }
    argus::auth::AuthOptions ao;
    ao.cost = argus::auth::PasswordCost::Minimal();
    authn = std::make_unique<argus::auth::Authenticator>(backend->store(), clock, ao);
    auto t = authn->CreateToken("fuzz", argus::auth::Role::kAdmin, "fuzz", "");
    if (!t.ok()) Die(t.status().ToString());
    token = t->second;
    argus::api::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    server = std::make_unique<argus::api::HttpServer>(o, *backend, *authn, live, frames, clock);
    argus::core::Status st = server->Start();
    if (!st.ok()) Die(st.ToString());
  }
  ~Fixture() {
    server->Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  [[noreturn]] static void Die(const std::string& why) {
    std::fprintf(stderr, "http fuzz setup: %s\n", why.c_str());
    std::abort();
  }
};

// Sends `request` and returns everything the server answered before closing.
std::string Exchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, size_t(n));
  }
  close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;  // one server for the whole run, stopped at exit
  if (size == 0) return 0;
  const Route& route = kRoutes[data[0] % (sizeof(kRoutes) / sizeof(kRoutes[0]))];
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t nl = rest.find('\n');
  const std::string tail = rest.substr(0, nl);
  const std::string body = nl == std::string::npos ? "" : rest.substr(nl + 1);
  const std::string request = std::string(route.method) + " " + route.path + tail +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              fixture.token +
                              "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                              "Content-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  const std::string answer = Exchange(fixture.server->port(), request);
  // httplib answers "HTTP/1.1 <code> ..." or closes without a word on a request line it
  // cannot read; either is fine, a 5xx is not.
  if (answer.size() >= 12 && answer.compare(0, 9, "HTTP/1.1 ") == 0 && answer[9] == '5') {
    std::fprintf(stderr, "5xx for %s %s%s\n%s\n", route.method, route.path, tail.c_str(),
                 answer.substr(0, 300).c_str());
    std::abort();
  }
  return 0;
}
