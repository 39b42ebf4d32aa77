#include "cluster/config_gate.h"

#include <gtest/gtest.h>

#include "store/test_util.h"

namespace argus::cluster {
namespace {

using std::chrono::seconds;
using store::testing::kT0;

constexpr double kTimeoutS = 10;

store::NodeRecord Node(const std::string& id, const std::string& hash, core::WallTime beat) {
  return {id, "", "0.1.0", kT0, beat, 0, hash, hash};
}

GateInput Input(const std::string& hash, std::optional<store::SiteConfigRecord> site,
                std::vector<store::NodeRecord> nodes, const std::string& seen = "") {
  return {"b", kT0 + seconds(60), kTimeoutS, hash, std::move(site), std::move(nodes), seen};
}

const store::SiteConfigRecord kSiteH1{"h1", "v1", "a", kT0};

TEST(ConfigGate, FirstNodeClaimsAndTheSameConfigHolds) {
  EXPECT_EQ(DecideGate(Input("h1", std::nullopt, {})), GateAction::kClaim);
  // A restart with the site's config never waits for anything.
  EXPECT_EQ(DecideGate(Input("h1", kSiteH1, {Node("a", "h1", kT0 + seconds(59))})),
            GateAction::kHold);
  EXPECT_EQ(DecideGate(Input("h1", kSiteH1, {})), GateAction::kHold);
}

TEST(ConfigGate, AnotherConfigIsRefusedWhileALiveNodeRunsTheSites) {
  const auto a = Node("a", "h1", kT0 + seconds(59));
  EXPECT_EQ(DecideGate(Input("h2", kSiteH1, {a})), GateAction::kRefuse);
  // Its own old row does not count as a node running the site's config.
  EXPECT_EQ(DecideGate(Input("h2", kSiteH1, {Node("b", "h1", kT0 + seconds(59))})),
            GateAction::kClaim);
}

TEST(ConfigGate, NoLiveNodeRunsTheSitesConfigSoThisOneBecomesIt) {
  // The whole site restarted on a new file: the first node back takes over the site.
  EXPECT_EQ(DecideGate(Input("h2", kSiteH1, {Node("a", "h1", kT0 + seconds(40))})),
            GateAction::kClaim);
  // Not while the site's config is younger than a node timeout: its declaring node may not
  // have written its row yet.
  store::SiteConfigRecord fresh = kSiteH1;
  fresh.set_at = kT0 + seconds(55);
  EXPECT_EQ(DecideGate(Input("h2", fresh, {})), GateAction::kRefuse);
}

TEST(ConfigGate, ASiteChangeMakesTheNodeRereadItsFile) {
  const auto a = Node("a", "h2", kT0 + seconds(59));
  store::SiteConfigRecord h2{"h2", "v2", "a (api: ana)", kT0 + seconds(59)};
  EXPECT_EQ(DecideGate(Input("h1", h2, {a}, "h1")), GateAction::kReread);
  // Once re-read (and still another config), it stays refused: no reread loop.
  EXPECT_EQ(DecideGate(Input("h1", h2, {a}, "h2")), GateAction::kRefuse);
  // Re-read and now the same: holds.
  EXPECT_EQ(DecideGate(Input("h2", h2, {a}, "h1")), GateAction::kHold);
}

TEST(ConfigGate, DescribeNamesBothVersionsAndTheHashesWhenNamesAgree) {
  EXPECT_EQ(DescribeConfig("h1", "v1", kSiteH1), "matches");
  EXPECT_EQ(DescribeConfig("h2", "v2", kSiteH1), "differs: node has v2, site has v1");
  EXPECT_EQ(DescribeConfig("h2", "v1", kSiteH1), "differs: node has v1 (h2), site has v1 (h1)");
  EXPECT_EQ(DescribeConfig("h1", "v1", std::nullopt), "unknown");
  EXPECT_EQ(DescribeConfig("", "", kSiteH1), "unknown: the node does not say (an older argus)");
}

}  // namespace
}  // namespace argus::cluster
