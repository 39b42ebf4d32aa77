#include "cluster/lease_plan.h"

#include <gtest/gtest.h>

#include "store/test_util.h"

namespace argus::cluster {
namespace {

using std::chrono::seconds;
using store::testing::kT0;
using Names = std::vector<std::string>;

constexpr double kTimeoutS = 10;

store::NodeRecord Node(const std::string& id, int heartbeat_age_s = 0) {
  return {id, "", "1", kT0, kT0 - seconds(heartbeat_age_s), 0};
}
store::LeaseRecord Lease(const std::string& camera, const std::string& node, int expires_in_s) {
  return {camera, node, 1, kT0 + seconds(expires_in_s)};
}
std::vector<CameraWant> Cameras(int n) {
  std::vector<CameraWant> out;
  for (int i = 0; i < n; ++i) out.push_back({"cam" + std::to_string(i), ""});
  return out;
}

LeasePlan Plan(const std::string& self, std::vector<store::NodeRecord> nodes,
               std::vector<store::LeaseRecord> leases, std::vector<CameraWant> cameras) {
  return PlanLeases(
      {self, kT0, kTimeoutS, std::move(nodes), std::move(leases), std::move(cameras)});
}

TEST(LeasePlan, ASingleNodeTakesEveryCamera) {
  const LeasePlan p = Plan("a", {}, {}, Cameras(3));
  EXPECT_EQ(p.acquire, (Names{"cam0", "cam1", "cam2"}));
  EXPECT_TRUE(p.renew.empty());
  EXPECT_TRUE(p.release.empty());
}

TEST(LeasePlan, FreeCamerasAreSpreadAndEveryNodeAgreesWhoTakesWhich) {
  const std::vector<store::NodeRecord> nodes = {Node("a"), Node("b"), Node("c")};
  Names all;
  for (const char* self : {"a", "b", "c"}) {
    const LeasePlan p = Plan(self, nodes, {}, Cameras(7));
    EXPECT_GE(p.acquire.size(), 2u) << self;
    EXPECT_LE(p.acquire.size(), 3u) << self;
    all.insert(all.end(), p.acquire.begin(), p.acquire.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (Names{"cam0", "cam1", "cam2", "cam3", "cam4", "cam5", "cam6"}))
      << "each camera assigned to exactly one node";
}

TEST(LeasePlan, HeldLeasesStayUntilTheyExpireEvenWhenTheHolderStoppedBeating) {
  // b's heartbeat is stale (dead) but its lease on cam0 runs 3 s more: not taken yet.
  std::vector<store::NodeRecord> nodes = {Node("a"), Node("b", 30)};
  LeasePlan p = Plan("a", nodes, {Lease("cam0", "b", 3)}, Cameras(1));
  EXPECT_TRUE(p.acquire.empty());
  // Expired: taken.
  p = Plan("a", nodes, {Lease("cam0", "b", 0)}, Cameras(1));
  EXPECT_EQ(p.acquire, Names{"cam0"});
}

TEST(LeasePlan, OwnLeasesAreRenewedEvenWhenLapsed) {
  const LeasePlan p =
      Plan("a", {Node("a")}, {Lease("cam0", "a", 5), Lease("cam1", "a", -2)}, Cameras(2));
  EXPECT_EQ(p.renew, (Names{"cam0", "cam1"}));
  EXPECT_TRUE(p.acquire.empty());
}

TEST(LeasePlan, APreferredNodeGetsItsCameraWhenAliveAndOthersHandItOver) {
  std::vector<CameraWant> cams = {{"cam0", "b"}, {"cam1", ""}};
  // Free: to b when b is alive, whatever the load.
  LeasePlan p = Plan("b", {Node("a"), Node("b")}, {Lease("cam1", "b", 5)}, cams);
  EXPECT_EQ(p.acquire, Names{"cam0"});
  // Held by a while b is alive: a gives it up (b takes it when it is free).
  p = Plan("a", {Node("a"), Node("b")}, {Lease("cam0", "a", 5)}, cams);
  EXPECT_EQ(p.release, Names{"cam0"});
  // b dead: a keeps it.
  p = Plan("a", {Node("a"), Node("b", 60)}, {Lease("cam0", "a", 5)}, cams);
  EXPECT_EQ(p.renew, Names{"cam0"});
  EXPECT_TRUE(p.release.empty());
}

TEST(LeasePlan, AnOverloadedNodeHandsOneCameraPerRoundToANewcomer) {
  std::vector<store::LeaseRecord> leases;
  for (int i = 0; i < 6; ++i) leases.push_back(Lease("cam" + std::to_string(i), "a", 5));
  LeasePlan p = Plan("a", {Node("a"), Node("b")}, leases, Cameras(6));
  EXPECT_EQ(p.release, Names{"cam5"});
  EXPECT_EQ(p.renew.size(), 5u);
  // Balanced within one: nothing moves.
  leases[3].node = leases[4].node = leases[5].node = "b";
  p = Plan("a", {Node("a"), Node("b")}, leases, Cameras(6));
  EXPECT_TRUE(p.release.empty());
  leases[3].node = "a";  // 4 against 2: two apart, one moves
  p = Plan("a", {Node("a"), Node("b")}, leases, Cameras(6));
  EXPECT_EQ(p.release.size(), 1u);
}

}  // namespace
}  // namespace argus::cluster
