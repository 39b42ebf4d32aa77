// NodeWatch on a real PostgreSQL started by the test (store::testing::PgServer), two
// surviving nodes watching with a fake clock: one alert per loss of a node, raised once
// for the site, resolved once when the node comes back.
#include "app/node_watch.h"

#include <gtest/gtest.h>


#include "store/pg_store.h"
#include "store/test_util.h"
#include "store/testing/pg_database_test.h"

namespace argus::app {
namespace {

using std::chrono::seconds;
using store::testing::kT0;

constexpr double kLeaseS = 10;

class NodeWatchTest : public store::testing::PgDatabaseTest {
 protected:
  void SetUp() override {
    PgDatabaseTest::SetUp();
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }
  void Beat(const std::string& node, core::WallTime at) {
    ASSERT_TRUE(store_->UpsertNode({node, "", "0.1.0", kT0, at, 1}).ok());
  }
  std::unique_ptr<NodeWatch> Watch(const std::string& self) {
    return std::make_unique<NodeWatch>(
        *store_, *store_, clock_, self, kLeaseS, 1,
        [this, self](const std::string& change, const events::Alert& a) {
          published_.push_back(self + " " + change + " " + std::to_string(a.id));
        });
  }
  std::vector<events::Alert> NodeAlerts() {
    auto all = store_->ListAlerts({});
    EXPECT_TRUE(all.ok());
    std::vector<events::Alert> out;
    for (const events::Alert& a : *all) {
      if (a.type == kNodeOfflineType) out.push_back(a);
    }
    return out;
  }

  core::FakeClock clock_{kT0};
  std::unique_ptr<store::PgStore> store_;
  std::vector<std::string> published_;
};

TEST_F(NodeWatchTest, ALostNodeIsOneAlertForTheSiteResolvedWhenItComesBack) {
  for (const char* n : {"a", "b", "c"}) Beat(n, kT0);
  ASSERT_TRUE(store_->AcquireLease("cam_b1", "b", 0, kT0, kT0 + seconds(10)).ok());
  ASSERT_TRUE(store_->AcquireLease("cam_b2", "b", 0, kT0, kT0 + seconds(10)).ok());
  auto a = Watch("a");
  auto c = Watch("c");
  a->Tick();
  c->Tick();
  EXPECT_TRUE(NodeAlerts().empty());

  // b goes silent; a and c keep beating.
  clock_.Advance(seconds(12));
  Beat("a", clock_.Now());
  Beat("c", clock_.Now());
  a->Tick();
  c->Tick();
  a->Tick();
  std::vector<events::Alert> alerts = NodeAlerts();
  ASSERT_EQ(alerts.size(), 1u) << "one alert for the site, not one per surviving node";
  const events::Alert lost = alerts[0];
  EXPECT_EQ(lost.camera, "");
  EXPECT_EQ(lost.rule, "node:b");
  EXPECT_EQ(lost.zone, "cam_b1,cam_b2") << "the cameras b ran";
  EXPECT_EQ(lost.state, events::AlertState::kOpen);
  EXPECT_EQ(published_, (std::vector<std::string>{"a opened " + std::to_string(lost.id)}));

  // b is back: the alert is resolved, once.
  clock_.Advance(seconds(5));
  for (const char* n : {"a", "b", "c"}) Beat(n, clock_.Now());
  c->Tick();
  a->Tick();
  alerts = NodeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, events::AlertState::kResolved);
  ASSERT_TRUE(alerts[0].resolution);
  EXPECT_EQ(alerts[0].resolution->who, "argus");
  EXPECT_EQ(alerts[0].resolution->note, "node b is back");
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[1], "c resolved " + std::to_string(lost.id));

  // Lost again later: a new alert (a new loss), raised by the node that notices first.
  clock_.Advance(seconds(12));
  Beat("a", clock_.Now());
  Beat("c", clock_.Now());
  c->Tick();
  a->Tick();
  alerts = NodeAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(published_.size(), 3u);
  // A watch started now (a node restarted) learns the loss without raising it again.
  auto a2 = Watch("a");
  a2->Tick();
  EXPECT_EQ(NodeAlerts().size(), 2u);
  // b was stopped on purpose (its row removed): resolved too.
  ASSERT_TRUE(store_->DeleteNode("b").ok());
  a2->Tick();
  c->Tick();
  alerts = NodeAlerts();
  ASSERT_EQ(alerts.size(), 2u);
  for (const events::Alert& x : alerts) EXPECT_EQ(x.state, events::AlertState::kResolved);
  EXPECT_EQ(published_.size(), 4u);
}

}  // namespace
}  // namespace argus::app
