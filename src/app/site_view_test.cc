#include "app/site_view.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <map>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

using std::chrono::seconds;
using store::testing::kT0;

constexpr double kLeaseS = 10;

class SiteViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void Register(const std::string& id, const std::string& address, core::WallTime heartbeat) {
    ASSERT_TRUE(db_->UpsertNode({id, address, "0.1.0", kT0, heartbeat, 1}).ok());
  }
  void Lease(const std::string& camera, const std::string& node) {
    ASSERT_TRUE(db_->AcquireLease(camera, node, 0, clock_.Now(), clock_.Now() + seconds(10)).ok());
  }

  store::testing::TempDir dir_;
  core::FakeClock clock_{kT0};
  std::unique_ptr<store::Store> db_;
};

TEST_F(SiteViewTest, ShowsEveryCameraWithItsNodeAndWhereToFetchItsPictures) {
  Register("a", "", kT0);
  Register("b", "http://10.0.0.2:8080", kT0);
  Lease("cam_a", "a");
  Lease("cam_b", "b");
  SiteView view(*db_, clock_, "a", kLeaseS, {"cam_a", "cam_b", "cam_c"});
  api::CameraStatus mine;
  mine.name = "cam_a";
  mine.status = "online";

  const std::vector<api::CameraStatus> cams = view.Cameras({mine});
  ASSERT_EQ(cams.size(), 3u);
  EXPECT_EQ(cams[0].name, "cam_a");
  EXPECT_EQ(cams[0].status, "online");
  EXPECT_EQ(cams[0].node, "a");
  EXPECT_EQ(cams[1].name, "cam_b");
  EXPECT_EQ(cams[1].status, "remote");
  EXPECT_EQ(cams[1].node, "b");
  EXPECT_EQ(cams[2].name, "cam_c");
  EXPECT_EQ(cams[2].status, "offline");
  EXPECT_EQ(cams[2].node, "");

  EXPECT_FALSE(view.RemoteHome("cam_a")) << "this node's own camera";
  EXPECT_FALSE(view.RemoteHome("cam_c")) << "no one runs it";
  const auto home = view.RemoteHome("cam_b");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->node, "b");
  EXPECT_EQ(home->address, "http://10.0.0.2:8080");

  auto nodes = view.Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ((*nodes)["nodes"].size(), 2u);
  const nlohmann::json& b = (*nodes)["nodes"][1];
  EXPECT_EQ(b["id"], "b");
  EXPECT_EQ(b["address"], "http://10.0.0.2:8080");
  EXPECT_EQ(b["cameras"], nlohmann::json::array({"cam_b"}));
  EXPECT_EQ(b["alive"], true);
  EXPECT_EQ(b["self"], false);
  EXPECT_EQ((*nodes)["nodes"][0]["self"], true);
}

TEST_F(SiteViewTest, ANodeSilentForItsLeaseIsDeadAndItsCamerasOffline) {
  Register("a", "", kT0 + seconds(30));
  Register("b", "http://b:8080", kT0);
  Lease("cam_b", "b");
  SiteView view(*db_, clock_, "a", kLeaseS, {"cam_b"});
  clock_.Advance(seconds(11));  // b's heartbeat is older than lease_s; its lease ran out
  Register("a", "", clock_.Now());

  const std::vector<api::CameraStatus> cams = view.Cameras({});
  ASSERT_EQ(cams.size(), 1u);
  EXPECT_EQ(cams[0].status, "offline");
  EXPECT_FALSE(view.RemoteHome("cam_b"));
  auto nodes = view.Nodes();
  ASSERT_TRUE(nodes.ok());
  EXPECT_EQ((*nodes)["nodes"][1]["alive"], false);
  EXPECT_GT((*nodes)["nodes"][1]["heartbeat_age_s"].get<double>(), kLeaseS);
}

TEST_F(SiteViewTest, ReadsTheStoreAtMostOncePerRefresh) {
  Register("a", "", kT0);
  SiteView view(*db_, clock_, "a", kLeaseS, {"cam_b"});
  EXPECT_EQ(view.Cameras({})[0].status, "offline");
  Register("b", "http://b:8080", kT0);
  Lease("cam_b", "b");
  EXPECT_EQ(view.Cameras({})[0].status, "offline") << "read within the refresh interval";
  clock_.Advance(std::chrono::milliseconds(1100));
  EXPECT_EQ(view.Cameras({})[0].status, "remote");
}

// Which node held which lease epoch, as the PostgreSQL store's lease history says.
class FakeRecords : public store::SiteStore {
 public:
  std::map<std::pair<std::string, int64_t>, std::string> holders;
  core::Result<std::string> LeaseHolderAt(const std::string& camera, int64_t epoch) override {
    auto it = holders.find({camera, epoch});
    if (it == holders.end()) return core::NotFound("no holder");
    return it->second;
  }
  core::Result<Raised> RaiseSiteAlert(const events::Alert&) override {
    return core::Internal("not used");
  }
};

TEST_F(SiteViewTest, EvidenceIsAtTheNodeThatHeldTheLeaseOfItsIncident) {
  Register("a", "", kT0);
  Register("b", "http://10.0.0.2:8080", kT0);
  Register("d", "http://10.0.0.4:8080", kT0 - seconds(60));  // silent for a minute
  FakeRecords records;
  records.holders = {{{"cam", 3}, "b"}, {{"cam", 4}, "a"}, {{"cam", 5}, "c"}, {{"cam", 6}, "d"}};
  events::Alert alert;
  alert.id = 9;
  alert.camera = "cam";
  alert.rule = "r";
  alert.type = "intrusion";
  alert.opened_at = alert.last_event_at = kT0;
  alert.incident_ids = {"cam/r/1@3", "cam/r/2@4", "cam/r/3@5", "cam/r/4@6", "cam/r/5"};
  ASSERT_TRUE(db_->UpsertAlert(alert).ok());
  SiteView view(*db_, clock_, "a", kLeaseS, {"cam"}, &records);

  const auto b = view.EvidenceHome(9, 0);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->node, "b");
  EXPECT_EQ(b->address, "http://10.0.0.2:8080");
  EXPECT_TRUE(b->alive);
  EXPECT_FALSE(view.EvidenceHome(9, 1)) << "recorded here";
  const auto c = view.EvidenceHome(9, 2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->node, "c");
  EXPECT_FALSE(c->alive) << "c is not in the registry (stopped)";
  const auto d = view.EvidenceHome(9, 3);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->alive) << "d's heartbeat is older than its lease";
  EXPECT_FALSE(view.EvidenceHome(9, 4)) << "an incident found before any lease";
  EXPECT_FALSE(view.EvidenceHome(9, 5)) << "no such incident";
  EXPECT_FALSE(view.EvidenceHome(10, 0)) << "no such alert";
  SiteView one_node(*db_, clock_, "a", kLeaseS, {"cam"});
  EXPECT_FALSE(one_node.EvidenceHome(9, 0)) << "no lease history: every file is here";
}

TEST_F(SiteViewTest, AStoreDownIsLoggedOnceAMinuteNotOnEveryRequest) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  struct Restore {
    std::shared_ptr<spdlog::logger> l;
    ~Restore() { spdlog::set_default_logger(l); }
  } restore{previous};
  auto warnings = [&] {
    int n = 0;
    for (const std::string& l : sink->last_formatted()) {
      n += l.find("the other nodes' cameras are unknown") != std::string::npos;
    }
    return n;
  };
  SiteView view(*db_, clock_, "a", kLeaseS, {"cam_a", "cam_b"});
  std::string err;
  ASSERT_EQ(store::testing::RawExec(dir_.File("argus.db"), "DROP TABLE camera_leases", &err), 0)
      << err;
  api::CameraStatus mine;
  mine.name = "cam_a";
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::milliseconds(1100));  // past the cache: read again
    const std::vector<api::CameraStatus> cams = view.Cameras({mine});
    ASSERT_EQ(cams.size(), 1u) << "this node's own cameras still shown";
  }
  EXPECT_EQ(warnings(), 1);
  clock_.Advance(seconds(60));
  view.Cameras({mine});
  EXPECT_EQ(warnings(), 2);
}

}  // namespace
}  // namespace argus::app
