#include "app/site_fanout.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

using store::testing::kT0;
using store::testing::MakeEvent;

class SiteFanoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    sub_ = live_.Subscribe();
    fanout_ = std::make_unique<SiteFanout>(*db_, live_, "a", "");  // no channel: Receive by hand
  }
  // The messages published on this node's live hub since the last call.
  std::vector<api::LiveMessage> Published() {
    std::vector<api::LiveMessage> out;
    sub_->Wait(std::chrono::milliseconds(0), &out);
    return out;
  }
  static std::string EventNews(const events::Event& e, const std::string& node = "b") {
    return nlohmann::json{{"k", "event"},     {"camera", e.camera}, {"id", e.id},
                          {"phase", "start"}, {"frame", e.frame},   {"node", node}}
        .dump();
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> db_;
  api::LiveHub live_;
  std::unique_ptr<api::LiveHub::Subscription> sub_;
  std::unique_ptr<SiteFanout> fanout_;
};

TEST_F(SiteFanoutTest, AnotherNodesEventsAreReadFromTheStoreAndShownOnceEach) {
  const events::Event old =
      MakeEvent("cam_b/r/1@1", "cam_b", "intrusion", events::Severity::kAlert);
  events::Event e1 = MakeEvent("cam_b/r/2@1", "cam_b", "intrusion", events::Severity::kAlert);
  e1.frame = 10;
  events::Event e2 = e1;
  e2.id = "cam_b/r/3@1";
  e2.frame = 11;
  ASSERT_TRUE(db_->InsertEvents({old, e1, e2}, kT0).ok());

  // The first news of cam_b names e1: shown from e1 on (old was before this node listened).
  fanout_->Receive(EventNews(e1));
  std::vector<api::LiveMessage> got = Published();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event, "event");
  EXPECT_EQ(nlohmann::json::parse(*got[0].data)["id"], "cam_b/r/2@1");
  EXPECT_EQ(nlohmann::json::parse(*got[1].data)["id"], "cam_b/r/3@1");
  // e2's own news comes later: shown already.
  fanout_->Receive(EventNews(e2));
  EXPECT_TRUE(Published().empty());
  events::Event e3 = e2;
  e3.id = "cam_b/r/4@1";
  ASSERT_TRUE(db_->InsertEvents({e3}, kT0).ok());
  fanout_->Receive(EventNews(e3));
  got = Published();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(*got[0].data)["id"], "cam_b/r/4@1");
  // Its own news (a node hearing itself), garbage and unknown kinds: nothing.
  fanout_->Receive(EventNews(e3, "a"));
  fanout_->Receive("not json");
  fanout_->Receive(R"({"k":"mystery","node":"b"})");
  EXPECT_TRUE(Published().empty());
}

TEST_F(SiteFanoutTest, AnotherNodesAcknowledgementIsShownOnceEvenWhenThisNodeNoticesItToo) {
  events::Alert a;
  a.id = 7;
  a.camera = "cam_a";
  a.rule = "r";
  a.type = "intrusion";
  a.opened_at = a.last_event_at = kT0;
  ASSERT_TRUE(db_->UpsertAlert(a).ok());
  ASSERT_TRUE(db_->Acknowledge(7, {"ana", kT0, "seen"}, "").ok());

  fanout_->Receive(R"({"k":"alert","id":7,"change":"acknowledged","node":"b"})");
  std::vector<api::LiveMessage> got = Published();
  ASSERT_EQ(got.size(), 1u);
  const nlohmann::json j = nlohmann::json::parse(*got[0].data);
  EXPECT_EQ(j["change"], "acknowledged");
  EXPECT_EQ(j["node"], "b");
  EXPECT_EQ(j["alert"]["id"], 7);
  EXPECT_EQ(j["alert"]["state"], "acknowledged") << "read from the store";
  // This node's alert service notices the acknowledgement in the store: not shown again.
  EXPECT_FALSE(fanout_->Alert("acknowledged", 7));
  fanout_->Receive(R"({"k":"alert","id":7,"change":"acknowledged","node":"c"})");
  EXPECT_TRUE(Published().empty());
  // Other changes are this node's own news every time.
  EXPECT_TRUE(fanout_->Alert("escalated", 7));
  EXPECT_TRUE(fanout_->Alert("resolved", 7));
  // An alert the store does not have: nothing shown.
  fanout_->Receive(R"({"k":"alert","id":99,"change":"opened","node":"b"})");
  EXPECT_TRUE(Published().empty());
}

}  // namespace
}  // namespace argus::app
