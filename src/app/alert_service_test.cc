#include "app/alert_service.h"

#include <gtest/gtest.h>

#include "app/evidence_service.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

using store::testing::kT0;
using store::testing::MakeEvent;

class AlertServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    service_ = Make();
  }
  std::unique_ptr<AlertService> Make() {
    auto s = AlertService::Create(cfg_, *db_, delivery_, clock_, dir_.File("evidence"), errors_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // The "change" of every alert message on the live feed so far.
  std::vector<std::string> LiveChanges() {
    std::vector<api::LiveMessage> got;
    sub_->Wait(std::chrono::milliseconds(0), &got);
    std::vector<std::string> out;
    for (const auto& m : got) out.push_back(nlohmann::json::parse(*m.data)["change"]);
    return out;
  }

  store::testing::TempDir dir_;
  config::Config cfg_;
  core::FakeClock clock_{kT0};
  Delivery delivery_{clock_};
  std::unique_ptr<api::LiveHub::Subscription> sub_ = delivery_.live().Subscribe({"alert"});
  std::atomic<uint64_t> errors_{0};
  std::unique_ptr<store::Store> db_;
  std::unique_ptr<AlertService> service_;
};

TEST_F(AlertServiceTest, AnOpenedAlertIsStoredThenGetsItsEvidenceThenIsDelivered) {
  events::Event e = MakeEvent("i1", "hall", "intrusion", events::Severity::kWarning);
  int opened = 0;
  service_->OnEvent(e, kT0, [&](const events::Alert& a, int) {
    ++opened;
    // Durable before anything spends disk on it.
    EXPECT_TRUE(db_->GetAlert(a.id).ok());
    EXPECT_TRUE(LiveChanges().empty()) << "delivered before its evidence started";
  });
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(service_->opened(), 1u);
  EXPECT_EQ(LiveChanges(), std::vector<std::string>{"opened"});
  // Another event of the same incident changes the alert without opening one.
  e.phase = events::Phase::kEnd;
  service_->OnEvent(e, kT0, [&](const events::Alert&, int) { ++opened; });
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(errors_, 0u);
}

TEST_F(AlertServiceTest, EveryIncidentMergedIntoAnAlertGetsItsOwnEvidence) {
  std::vector<std::pair<int64_t, int>> recorded;
  auto record = [&](const events::Alert& a, int incident) { recorded.push_back({a.id, incident}); };
  for (int i = 0; i < kMaxIncidentsWithEvidence + 3; ++i) {
    service_->OnEvent(
        MakeEvent("i" + std::to_string(i), "hall", "intrusion", events::Severity::kAlert), kT0,
        record);
  }
  ASSERT_EQ(service_->Active().size(), 1u) << "one alert";
  const int64_t id = service_->Active()[0].id;
  ASSERT_EQ(recorded.size(), static_cast<size_t>(kMaxIncidentsWithEvidence)) << "bounded";
  for (int i = 0; i < kMaxIncidentsWithEvidence; ++i) {
    EXPECT_EQ(recorded[i], std::make_pair(id, i));
  }
  // Another phase of an incident already in the alert records nothing.
  events::Event again = MakeEvent("i1", "hall", "intrusion", events::Severity::kAlert);
  again.phase = events::Phase::kUpdate;
  service_->OnEvent(again, kT0, record);
  EXPECT_EQ(recorded.size(), static_cast<size_t>(kMaxIncidentsWithEvidence));
}

TEST_F(AlertServiceTest, ActionsFollowTheStatesAndSurviveARestart) {
  service_->OnEvent(MakeEvent("i1", "hall", "intrusion", events::Severity::kAlert), kT0,
                    [](const events::Alert&, int) {});
  const int64_t id = service_->Active().at(0).id;
  EXPECT_EQ(service_->Resolve(id, "olga", "", "").status().code(),
            core::StatusCode::kInvalidArgument);  // not acknowledged yet
  ASSERT_TRUE(service_->Acknowledge(id, "olga", "seen", "127.0.0.1").ok());
  EXPECT_EQ(db_->GetAlert(id)->state, events::AlertState::kAcknowledged);

  // A new process: the acknowledged alert is still active, and can be resolved.
  service_ = Make();
  ASSERT_EQ(service_->Active().size(), 1u);
  ASSERT_TRUE(service_->Resolve(id, "olga", "done", "127.0.0.1").ok());
  EXPECT_TRUE(service_->Active().empty());
  // A resolved alert is known to the store only: a state conflict, not "not found".
  const auto again = service_->Acknowledge(id, "olga", "", "");
  EXPECT_EQ(again.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(again.status().message().find("resolved"), std::string::npos);
  EXPECT_EQ(service_->Acknowledge(id + 1, "olga", "", "").status().code(),
            core::StatusCode::kNotFound);
  EXPECT_EQ(LiveChanges(), (std::vector<std::string>{"opened", "acknowledged", "resolved"}));
}

}  // namespace
}  // namespace argus::app
