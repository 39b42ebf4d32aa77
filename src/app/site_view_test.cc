#include "app/site_view.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace argus::app
