// LeaseKeeper over a real store (SQLite here; the same statements run on PostgreSQL in
// store_contract_test) with a fake clock: take-over after a node dies, hand-over to a
// newcomer, a paused node losing its cameras by its own clock, and a clean stop.
#include "cluster/lease_keeper.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::cluster {
namespace {

using std::chrono::seconds;
using Names = std::set<std::string>;

constexpr double kLeaseS = 6;

class Node {
 public:
  Node(store::Store& db, core::FakeClock& clock, const std::string& id, int cameras)
      : keeper_(db, clock, {id, "http://" + id, "1", kLeaseS, 2}, Wants(cameras),
                [this](const Names& owned, const Names& taken) {
                  owned_ = owned;
                  taken_.insert(taken.begin(), taken.end());
                }) {}
  static std::vector<CameraWant> Wants(int n) {
    std::vector<CameraWant> out;
    for (int i = 0; i < n; ++i) out.push_back({"cam" + std::to_string(i), ""});
    return out;
  }
  LeaseKeeper& keeper() { return keeper_; }
  const Names& owned() const { return owned_; }
  const Names& taken() const { return taken_; }
  int64_t epoch(const std::string& camera) const { return *keeper_.fence()->Epoch(camera); }

 private:
  LeaseKeeper keeper_;
  Names owned_, taken_;
};

class LeaseKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    db_ = std::move(*s);
  }
  void Round(std::initializer_list<Node*> nodes) {
    for (Node* n : nodes) ASSERT_TRUE(n->keeper().RunOnce().ok());
  }
  store::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> db_;
  core::FakeClock clock_{store::testing::kT0};
};

TEST_F(LeaseKeeperTest, EveryCameraHasExactlyOneNodeThroughJoinDeathAndPause) {
  Node a(*db_, clock_, "a", 4);
  Round({&a});
  EXPECT_EQ(a.owned(), (Names{"cam0", "cam1", "cam2", "cam3"}));
  EXPECT_EQ(a.epoch("cam0"), 1);

  // b joins: a hands over one camera per round until they are even.
  Node b(*db_, clock_, "b", 4);
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(seconds(2));
    Round({&b, &a});
  }
  EXPECT_EQ(a.owned().size(), 2u);
  EXPECT_EQ(b.owned().size(), 2u);
  for (const std::string& cam : b.owned()) {
    EXPECT_FALSE(a.owned().contains(cam));
    EXPECT_EQ(b.epoch(cam), 2) << "a new holder, a new epoch";
    EXPECT_EQ(a.epoch(cam), 0) << "a is fenced out of what it gave";
  }

  // a stops (killed or paused): b takes its cameras once their leases expire, not before.
  const Names a_had = a.owned();
  clock_.Advance(seconds(2));
  Round({&b});
  EXPECT_EQ(b.owned().size(), 2u) << "a's leases still run";
  clock_.Advance(seconds(static_cast<int>(kLeaseS)));
  Round({&b});
  EXPECT_EQ(b.owned().size(), 4u);
  EXPECT_EQ(b.taken(), (Names{"cam0", "cam1", "cam2", "cam3"}));
  for (const std::string& cam : a_had) EXPECT_EQ(b.epoch(cam), 2);

  // a resumes: its leases lapsed by its own clock, and the store refuses its renewals.
  Round({&a});
  EXPECT_TRUE(a.owned().empty());
  for (const std::string& cam : a_had) EXPECT_EQ(a.epoch(cam), 0);
  // It rejoins as a follower and gets its share back by hand-over, one camera per round.
  Round({&b, &a});
  EXPECT_EQ(b.owned().size(), 3u);
  EXPECT_EQ(a.owned(), Names{"cam3"});
  EXPECT_EQ(a.epoch("cam3"), 3);
}

TEST_F(LeaseKeeperTest, ACameraTheStoreGaveToAnotherNodeIsLostAtOnce) {
  Node a(*db_, clock_, "a", 1);
  Round({&a});
  ASSERT_EQ(a.owned(), Names{"cam0"});
  // Another node whose clock runs ahead took it (its view: a's lease had expired).
  auto b =
      db_->AcquireLease("cam0", "b", 0, clock_.Now() + seconds(60), clock_.Now() + seconds(66));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  clock_.Advance(seconds(2));  // a's own clock: its lease runs 4 s more
  Round({&a});
  EXPECT_TRUE(a.owned().empty());
  EXPECT_EQ(a.epoch("cam0"), 0);
}

TEST_F(LeaseKeeperTest, ACleanStopHandsEveryCameraOverAtOnce) {
  Node a(*db_, clock_, "a", 3);
  Node b(*db_, clock_, "b", 3);
  Round({&a, &b});
  EXPECT_EQ(a.owned().size(), 3u);
  EXPECT_TRUE(b.owned().empty());
  a.keeper().Stop(/*release=*/true);
  EXPECT_EQ(a.epoch("cam0"), 0);
  Round({&b});  // no waiting for expiry
  EXPECT_EQ(b.owned().size(), 3u);
  auto nodes = db_->ListNodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ(nodes->front().id, "b");
}

TEST_F(LeaseKeeperTest, AStoreThatStopsAnsweringLosesTheCamerasWhenTheLeaseRunsOut) {
  Node a(*db_, clock_, "a", 2);
  Round({&a});
  ASSERT_EQ(a.owned().size(), 2u);
  // The store goes away (dropped tables stand in for an unreachable server: every call
  // fails): the cameras keep running until the leases would have expired.
  std::string err;
  ASSERT_EQ(store::testing::RawExec(dir_.File("argus.db"), "DROP TABLE camera_leases", &err), 0)
      << err;
  clock_.Advance(seconds(2));
  EXPECT_FALSE(a.keeper().RunOnce().ok());
  EXPECT_EQ(a.owned().size(), 2u);
  clock_.Advance(seconds(static_cast<int>(kLeaseS)));
  EXPECT_FALSE(a.keeper().RunOnce().ok());
  EXPECT_TRUE(a.owned().empty());
  EXPECT_EQ(a.epoch("cam0"), 0);
}

}  // namespace
}  // namespace argus::cluster
