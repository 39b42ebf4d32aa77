// A DaemonTest with a PostgreSQL server of its own (initdb'd by the test, stopped at
// its end) and an empty database "argus" on it: for `argus serve` nodes sharing a store.
// Skips when PostgreSQL is not installed. Also what the tests of several nodes share: the
// site's config, the nodes by name, SQL on the store, and an operator's session cookie.
#pragma once

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/testing/pg_server.h"
#include "tests/serve_support.h"

namespace argus::testing {

// One camera of a site: where its video comes from and its preferred node (may be empty).
struct SiteCamera {
  std::string name, source, node;
};

// A site's config on the PostgreSQL at `conninfo`, with short leases for the tests: each
// camera has an intrusion rule over the whole frame (in vtest.avi someone is always there,
// so every camera soon has an open alert), detection at 2 fps, no evidence files.
inline std::string SiteYaml(const std::string& conninfo, const std::vector<SiteCamera>& cameras,
                            double lease_s, double renew_s, const std::string& extra = "") {
  std::string y =
      "detector: {kind: builtin}\n"
      "server: {workers: 1, secure_cookies: false, postgres: \"" +
      conninfo + "\"}\n" + "cluster: {lease_s: " + std::to_string(lease_s) +
      ", renew_s: " + std::to_string(renew_s) +
      "}\n"
      "evidence: {enabled: false}\n" +
      extra + "cameras:\n";
  for (const SiteCamera& c : cameras) {
    y += "  - name: " + c.name + "\n    source: " + c.source + "\n    detect_fps: 2\n";
    if (!c.node.empty()) y += "    node: " + c.node + "\n";
    y += "    zones:\n      - {name: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}\n"
         "    rules:\n      - {name: anyone, kind: intrusion, zone: all, severity: warning}\n";
  }
  return y;
}

// The session cookie ("argus_session=...") of `user` logged in on the node at `port`; ""
// when refused, with the answer in `*why`.
inline std::string LoginCookie(int port, const std::string& user, const std::string& password,
                               std::string* why = nullptr) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30);  // Argon2 under ASan on a busy machine
  auto r = c.Post("/api/login", nlohmann::json{{"user", user}, {"password", password}}.dump(),
                  "application/json");
  if (!r || r->status != 200) {
    if (why) *why = r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error());
    return "";
  }
  const std::string cookie = r->get_header_value("Set-Cookie");
  return cookie.substr(0, cookie.find(';'));
}

// A request as the dashboard's script on the node at `port` makes it: with the session
// cookie and, for a POST, a JSON body and the page's Origin (the CSRF check wants both).
inline HttpAnswer CookieGet(int port, const std::string& cookie, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30);
  return ToAnswer(c.Get(path, {{"Cookie", cookie}}));
}
inline HttpAnswer CookiePost(int port, const std::string& cookie, const std::string& path,
                             const std::string& body) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30);
  const std::string page = "http://127.0.0.1:" + std::to_string(port);
  return ToAnswer(c.Post(path, {{"Cookie", cookie}, {"Origin", page}}, body, "application/json"));
}

class PgDaemonTest : public DaemonTest {
 protected:
  using DaemonTest::DaemonTest;
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped()) return;
    auto server = store::testing::PgServer::Start();
    if (!server.ok() && server.status().code() == core::StatusCode::kNotFound) {
      GTEST_SKIP() << "PostgreSQL is not installed: " << server.status().ToString();
    }
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    pg_ = std::move(*server);
    ASSERT_TRUE(pg_->CreateDatabase("argus").ok());
  }
  // The nodes stop before their directories go (a live node writes into its data_dir).
  void TearDown() override {
    nodes_.clear();
    DaemonTest::TearDown();
  }

  // `extra`: more top-level YAML lines for every node (e.g. an mqtt: section).
  void WriteSite(const std::vector<SiteCamera>& cameras, double lease_s, double renew_s,
                 const std::string& extra = "") {
    std::ofstream(config_) << SiteYaml(pg_->ConnInfo("argus"), cameras, lease_s, renew_s, extra);
  }
  // Node `name` of the site (config_), not started, with its own directory and data_dir
  // under dir_/<name>, and `extra` arguments after --node-id.
  ServeDaemon& AddNode(const std::string& name, std::vector<std::string> extra = {}) {
    std::filesystem::create_directories(dir_ / name);
    auto d = std::make_unique<ServeDaemon>(config_, dir_ / name / "data", dir_ / name);
    extra.insert(extra.begin(), {"--node-id", name});
    d->SetExtraArgs(std::move(extra));
    return *(nodes_[name] = std::move(d));
  }

  std::string Sql(const std::string& sql) {
    auto v = pg_->Query("argus", sql);
    EXPECT_TRUE(v.ok()) << sql << ": " << v.status().ToString();
    return v.ok() ? *v : "";
  }
  int64_t SqlInt(const std::string& sql) {
    const std::string v = Sql(sql);
    return v.empty() ? -1 : std::stoll(v);
  }
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::string AllLogs() {
    std::string out;
    for (auto& [name, d] : nodes_) out += "\n=== node " + name + Logs(*d);
    return out;
  }

  std::unique_ptr<store::testing::PgServer> pg_;
  std::map<std::string, std::unique_ptr<ServeDaemon>> nodes_;  // by node id
};

}  // namespace argus::testing
