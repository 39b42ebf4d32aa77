// One config for a site's nodes (issue 17 part 5), with a real PostgreSQL initdb'd by the
// test and two real `argus serve` nodes sharing one config file: a node started on
// another version of the file takes no camera and /api/nodes, /healthz and /metrics say
// why; a reload on one node (POST /api/config/reload) makes that file the site's config,
// and every node re-reads the file and runs it; a file with a mistake is refused with
// its file and line, and the running config stays.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/pg_daemon_test.h"

namespace argus::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kStartS = 90;   // ASan on a shared machine starts slowly
constexpr double kFollowS = 20;  // a node follows the site's config within seconds

// The site's config, named `version`, with cameras looping vtest.avi.
std::string Site(const std::string& conninfo, const std::string& version, int cameras) {
  std::string y =
      "detector: {kind: builtin}\n"
      "server: {workers: 1, secure_cookies: false, postgres: \"" +
      conninfo +
      "\"}\n"
      "cluster: {lease_s: 5, renew_s: 1, config_version: " +
      version +
      "}\n"
      "evidence: {enabled: false}\n"
      "cameras:\n";
  for (int i = 1; i <= cameras; ++i) {
    y += "  - {name: cam_" + std::to_string(i) + ", source: " + std::string(kVtest) +
         ", detect_fps: 2}\n";
  }
  return y;
}

class SiteConfig : public PgDaemonTest {
 protected:
  SiteConfig() : PgDaemonTest("site_config_") {}
  void TearDown() override {
    a_.reset();
    b_.reset();
    DaemonTest::TearDown();
  }
  void Write(const std::string& version, int cameras) {
    std::ofstream(config_) << Site(pg_->ConnInfo("argus"), version, cameras);
  }
  std::unique_ptr<ServeDaemon> Node(const std::string& id) {
    fs::create_directories(dir_ / id);
    auto d = std::make_unique<ServeDaemon>(config_, dir_ / id / "data", dir_ / id);
    d->SetExtraArgs({"--node-id", id});
    return d;
  }
  // id -> its /api/nodes entry, as node `port` shows the site.
  std::map<std::string, json> Nodes(int port) {
    std::map<std::string, json> out;
    const HttpAnswer a = HttpGet(port, "/api/nodes");
    last_nodes_ = std::to_string(a.status) + " " + a.body;
    if (a.status != 200) return out;
    const json j = a.json();  // kept: the loop must not walk a destroyed temporary
    for (const json& n : j["nodes"]) out[n["id"]] = n;
    return out;
  }
  std::string Config(int port, const std::string& node) {
    auto nodes = Nodes(port);
    return nodes.contains(node)
               ? nodes[node].value("config_version", "") + " " + nodes[node].value("config", "")
               : "";
  }
  int64_t Leases(const std::string& node) {
    auto v = pg_->Query("argus", "SELECT count(*) FROM camera_leases WHERE node = '" + node +
                                     "' AND expires_ms > extract(epoch from now()) * 1000");
    return v.ok() ? std::stoll(*v) : -1;
  }
  std::string AllLogs() {
    return "\n/api/nodes: " + last_nodes_ + "\n=== a" + Logs(*a_) + "\n=== b" + Logs(*b_);
  }

  std::unique_ptr<ServeDaemon> a_, b_;
  std::string last_nodes_;  // the last /api/nodes answer: status and body
};

TEST_F(SiteConfig, ANodeOnAnotherVersionTakesNoCameraUntilAReloadMakesItTheSites) {
  Write("v1", 2);
  a_ = Node("a");
  ASSERT_TRUE(a_->Start(kStartS)) << Logs(*a_);
  ASSERT_TRUE(WaitUntil([&] { return Leases("a") == 2; }, kStartS)) << Logs(*a_);

  // The file changes, but no one reloads: b starts on v2 while the site runs v1.
  Write("v2", 2);
  b_ = Node("b");
  ASSERT_TRUE(b_->Start(kStartS)) << Logs(*b_);
  const std::string differs = "v2 differs: node has v2, site has v1";
  EXPECT_TRUE(WaitUntil([&] { return Config(a_->port(), "b") == differs; }, kFollowS))
      << Config(a_->port(), "b") << AllLogs();
  EXPECT_EQ(Config(b_->port(), "a"), "v1 matches") << last_nodes_;
  // Rounds go by (renew_s 1): a, with two cameras to b's none, would hand one over to a
  // node of the site's config by now; b is not one.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_EQ(Leases("b"), 0) << AllLogs();
  EXPECT_EQ(Leases("a"), 2);
  const HttpAnswer health = HttpGet(b_->port(), "/healthz");
  EXPECT_NE(health.body.find("config differs: node has v2, site has v1"), std::string::npos)
      << health.body;
  EXPECT_NE(HttpGet(b_->port(), "/metrics").body.find("argus_config_matches_site 0"),
            std::string::npos);
  EXPECT_NE(b_->Stderr().find("this node takes no camera"), std::string::npos) << AllLogs();

  // A reload on a declares the file (v2) the site's: b matches now and gets its share.
  HttpAnswer r = HttpPost(a_->port(), "/api/config/reload", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["old_version"], "v1");
  EXPECT_EQ(r.json()["new_version"], "v2");
  EXPECT_EQ(r.json()["changed"]["sections"], json::array({"cluster"}));
  EXPECT_TRUE(WaitUntil([&] { return Leases("b") == 1 && Leases("a") == 1; }, kFollowS))
      << AllLogs();
  EXPECT_EQ(Config(a_->port(), "b"), "v2 matches") << last_nodes_;

  // A third camera and v3 in the file, reloaded on a: b re-reads the file and runs it too.
  Write("v3", 3);
  r = HttpPost(a_->port(), "/api/config/reload", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["changed"]["cameras_added"], json::array({"cam_3"}));
  EXPECT_TRUE(WaitUntil(
      [&] { return Config(a_->port(), "b") == "v3 matches" && Leases("a") + Leases("b") == 3; },
      kFollowS))
      << AllLogs();
  EXPECT_TRUE(WaitUntil([&] { return Config(b_->port(), "a") == "v3 matches"; }, kFollowS))
      << last_nodes_;
  EXPECT_EQ(Cameras(b_->port()).size(), 3u) << "b's site view has the new camera";

  // A file with a mistake: refused with its file and line, v3 keeps running everywhere.
  std::string broken = Site(pg_->ConnInfo("argus"), "v4", 3);
  broken.replace(broken.find("detect_fps: 2"), 13, "detect_fps: -2");
  std::ofstream(config_) << broken;
  r = HttpPost(a_->port(), "/api/config/reload", "{}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.json().value("error", "").find(config_.string() + ":"), std::string::npos) << r.body;
  EXPECT_NE(r.json().value("error", "").find("detect_fps"), std::string::npos) << r.body;
  EXPECT_EQ(Config(b_->port(), "a"), "v3 matches") << last_nodes_;
  // Every reload is in the audit log: who, from where, the versions and the result.
  const std::string audit = HttpGet(a_->port(), "/api/audit").body;
  EXPECT_NE(audit.find("reload config (api): v1 -> v2"), std::string::npos) << audit;
  EXPECT_NE(audit.find("reload config (api): refused, still running v3"), std::string::npos);
  EXPECT_NE(audit.find("reload config (site): v2 -> v3"), std::string::npos) << "b followed";
}

}  // namespace
}  // namespace argus::testing
