#include "app/alert_service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "app/evidence_service.h"
#include "notify/testing/mosquitto_broker.h"
#include "notify/testing/webhook_receiver.h"
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
  // A second node on the same store: its own connection, delivery and alert service.
  struct Node {
    std::unique_ptr<store::Store> db;
    std::unique_ptr<Delivery> delivery;
    std::unique_ptr<AlertService> alerts;  // last: goes first
  };
  Node OtherNode() {
    Node n;
    auto conn = store::SqliteStore::Open(dir_.File("argus.db"));
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return n;
    n.db = std::move(conn).value();
    n.delivery = std::make_unique<Delivery>(clock_);
    auto s = AlertService::Create(cfg_, *n.db, *n.delivery, clock_, dir_.File("evidence"), errors_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) n.alerts = std::move(s).value();
    return n;
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

// A webhook receiver that keeps what it was sent.
class Inbox {
 public:
  Inbox()
      : server_([this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard lock(mu_);
          bodies_.push_back(nlohmann::json::parse(req.body));
          res.status = 204;
        }) {}
  std::string url() const { return server_.url(); }
  // What came within `wait_s` (returns as soon as `n` came).
  std::vector<nlohmann::json> Received(size_t n, double wait_s = 10) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
    while (std::chrono::steady_clock::now() < end) {
      {
        std::lock_guard lock(mu_);
        if (bodies_.size() >= n) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  std::mutex mu_;
  std::vector<nlohmann::json> bodies_;
  notify::testing::WebhookServer server_;
};

// The issue: escalation "level 2 supervisor" changed a badge and nothing else. Each tier
// now names its routes, and a real broker and real webhook receivers get what each tier
// is owed when it is due, and nothing before or after.
TEST_F(AlertServiceTest, EachEscalationTierReachesItsOwnRoutesWhenDue) {
  using notify::testing::MosquittoBroker;
  if (!MosquittoBroker::Available()) GTEST_SKIP() << "mosquitto missing (Debian's mosquitto)";
  MosquittoBroker broker;
  ASSERT_TRUE(broker.Start());
  notify::testing::RecordingSubscriber guards(broker.port(), "museum/escalation/#");
  ASSERT_TRUE(guards.WaitSubscribed());
  Inbox operators, supervisor, manager;
  cfg_.mqtt.enabled = true;
  cfg_.mqtt.port = broker.port();
  cfg_.mqtt.client_id = "argus-escalation-test";
  cfg_.alerts.escalation = {
      {"operator", 0, {operators.url()}, {"museum/escalation/operator"}},
      {"supervisor", 60, {supervisor.url()}, {"museum/escalation/supervisor"}},
      {"duty manager", 180, {manager.url()}, {}}};
  ASSERT_TRUE(delivery_.Start(cfg_, {}).ok());
  service_ = Make();
  service_->OnEvent(MakeEvent("i1", "hall", "intrusion", events::Severity::kAlert), kT0,
                    [](const events::Alert&, int) {});
  const int64_t id = service_->Active().at(0).id;

  service_->Escalate();  // the operator tier is due at once
  auto ops = operators.Received(1);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0]["target"], "operator");
  EXPECT_EQ(ops[0]["tier"], 0);
  EXPECT_EQ(ops[0]["alert"]["id"], id);
  auto mqtt = guards.WaitFor(1);
  ASSERT_EQ(mqtt.size(), 1u);
  EXPECT_EQ(mqtt[0].topic, "museum/escalation/operator");
  EXPECT_EQ(mqtt[0].qos, 1);

  clock_.Advance(std::chrono::seconds(59));
  service_->Escalate();
  EXPECT_TRUE(supervisor.Received(1, 0.5).empty()) << "the supervisor before 60 s";

  clock_.Advance(std::chrono::seconds(2));  // 61 s unacknowledged
  service_->Escalate();
  auto sup = supervisor.Received(1);
  ASSERT_EQ(sup.size(), 1u);
  EXPECT_EQ(sup[0]["change"], "escalated");
  EXPECT_EQ(sup[0]["target"], "supervisor");
  EXPECT_EQ(sup[0]["after_s"], 60.0);
  EXPECT_EQ(sup[0]["alert"]["escalation_level"], 2);
  mqtt = guards.WaitFor(2);
  ASSERT_EQ(mqtt.size(), 2u);
  EXPECT_EQ(mqtt[1].topic, "museum/escalation/supervisor");
  EXPECT_EQ(nlohmann::json::parse(mqtt[1].payload)["target"], "supervisor");
  EXPECT_EQ(operators.Received(2, 0.2).size(), 1u) << "the operators were told once";

  // Acknowledged: the duty manager is not bothered.
  ASSERT_TRUE(service_->Acknowledge(id, "sam", "on it", "127.0.0.1").ok());
  clock_.Advance(std::chrono::seconds(200));
  service_->Escalate();
  EXPECT_TRUE(manager.Received(1, 0.5).empty());
  delivery_.Stop(2);
}

// Two nodes on one store (their own connections and services): ids from the store, a
// camera's alerts adopted by the node that takes it over, actions on another node's alerts.
TEST_F(AlertServiceTest, NodesSharingAStoreShareIdsAdoptAlertsAndSeeEachOthersActions) {
  const Node other = OtherNode();
  ASSERT_TRUE(other.alerts);
  AlertService& b = *other.alerts;
  auto open = [](AlertService& s, const std::string& incident, const std::string& camera) {
    int64_t id = 0;
    s.OnEvent(MakeEvent(incident, camera, "intrusion", events::Severity::kAlert), kT0,
              [&](const events::Alert& a, int incident) {
                if (incident == 0) id = a.id;  // opened, not merged
              });
    return id;
  };
  // Ids from the store: never the same on two nodes.
  const int64_t hall = open(*service_, "hall/r/1@1", "hall");
  const int64_t vault = open(b, "vault/r/1@1", "vault");
  ASSERT_GT(hall, 0);
  ASSERT_GT(vault, 0);
  EXPECT_NE(hall, vault);

  // b takes "hall" over (its node died): the camera's next incident joins the open alert.
  ASSERT_TRUE(b.Adopt("hall").ok());
  EXPECT_EQ(open(b, "hall/r/1@2", "hall"), 0) << "a second alert for one camera's incidents";
  auto stored = db_->GetAlert(hall);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->incident_ids, (std::vector<std::string>{"hall/r/1@1", "hall/r/1@2"}));

  // An operator on the first node acknowledges b's vault alert: the store has it at once,
  // and b, once synced, opens a new alert for the next incident instead of merging.
  auto acked = service_->Acknowledge(vault, "olga", "on it", "10.0.0.7");
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->state, events::AlertState::kAcknowledged);
  EXPECT_EQ(db_->GetAlert(vault)->ack->who, "olga");
  EXPECT_EQ(service_->Acknowledge(vault, "olga", "", "").status().code(),
            core::StatusCode::kInvalidArgument);
  b.SyncFromStore();
  const int64_t next = open(b, "vault/r/2@1", "vault");
  EXPECT_GT(next, 0);
  EXPECT_NE(next, vault);
  ASSERT_TRUE(b.Resolve(vault, "olga", "done", "").ok()) << "b holds the synced state";
  b.Disown("hall");
  EXPECT_EQ(b.Active().size(), 1u);  // only vault's new alert
  EXPECT_EQ(errors_, 0u);
}

// kill -9 between storing an incident and its alert: the camera's next owner (or the next
// start) puts the incident into an alert, once, as it would have been, and ended.
TEST_F(AlertServiceTest, AnIncidentStoredWithoutItsAlertIsRecoveredOnceByTheNextOwner) {
  auto intrusion = [](const std::string& id) {
    return MakeEvent(id, "hall", "intrusion", events::Severity::kAlert);
  };
  // Node a: the first incident fully handled, the second stored when a died.
  ASSERT_TRUE(db_->InsertEvents({intrusion("hall/r/1@1")}, clock_.Now()).ok());
  int64_t opened = 0;
  service_->OnEvent(intrusion("hall/r/1@1"), kT0,
                    [&](const events::Alert& a, int) { opened = a.id; });
  ASSERT_GT(opened, 0);
  ASSERT_TRUE(db_->InsertEvents({intrusion("hall/r/2@1")}, clock_.Now()).ok());
  // Older than the window: long settled one way or the other, not looked at.
  ASSERT_TRUE(
      db_->InsertEvents({MakeEvent("yard/r/1@1", "yard", "intrusion", events::Severity::kAlert)},
                        clock_.Now() - std::chrono::seconds(static_cast<int>(kRecoverWindowS) + 1))
          .ok());

  // Node b takes the camera over.
  const Node other = OtherNode();
  ASSERT_TRUE(other.alerts);
  AlertService& b = *other.alerts;
  ASSERT_TRUE(b.Adopt("hall").ok());
  auto stored = db_->GetAlert(opened);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->incident_ids, (std::vector<std::string>{"hall/r/1@1", "hall/r/2@1"}));
  EXPECT_EQ(stored->active_incidents, 0) << "the incidents of a process gone run no more";
  EXPECT_EQ(*b.RecoverIncidents("hall"), 0) << "recovered twice";
  EXPECT_EQ(*b.RecoverIncidents(""), 0) << "yard's is outside the window";

  // One node, restarted after a kill: a camera with no open alert gets a new one.
  ASSERT_TRUE(
      db_->InsertEvents({MakeEvent("vault/r/1", "vault", "intrusion", events::Severity::kAlert)},
                        clock_.Now())
          .ok());
  EXPECT_EQ(*b.RecoverIncidents(""), 1);
  auto vault = db_->ListAlerts({.camera = "vault"});
  ASSERT_TRUE(vault.ok());
  ASSERT_EQ(vault->size(), 1u);
  EXPECT_EQ(vault->front().incident_ids, std::vector<std::string>{"vault/r/1"});
  EXPECT_EQ(vault->front().active_incidents, 0);
  EXPECT_EQ(errors_, 0u);
}

// A graceful hand-over whose drain ran out of time: the camera's last incident reaches
// the giving node after it disowned the camera. It must not open a second alert there
// beside the one the next node adopts; the next node recovers it into that one.
TEST_F(AlertServiceTest, AnIncidentAfterAHandOverGoesIntoTheAlertTheNextOwnerAdopts) {
  auto intrusion = [](const std::string& id) {
    return MakeEvent(id, "hall", "intrusion", events::Severity::kAlert);
  };
  int64_t opened = 0;
  service_->OnEvent(intrusion("hall/r/1@1"), kT0,
                    [&](const events::Alert& a, int) { opened = a.id; });
  ASSERT_GT(opened, 0);
  service_->Disown("hall");
  // Stored by the event loop under the lease the giving node still holds, then handled.
  ASSERT_TRUE(db_->InsertEvents({intrusion("hall/r/2@1")}, clock_.Now()).ok());
  int evidence = 0;
  service_->OnEvent(intrusion("hall/r/2@1"), kT0, [&](const events::Alert&, int) { ++evidence; });
  EXPECT_EQ(evidence, 0);
  auto hall = db_->ListAlerts({.camera = "hall"});
  ASSERT_TRUE(hall.ok());
  ASSERT_EQ(hall->size(), 1u) << "a second alert opened by the node that gave the camera up";

  const Node other = OtherNode();
  ASSERT_TRUE(other.alerts);
  ASSERT_TRUE(other.alerts->Adopt("hall").ok());
  auto stored = db_->GetAlert(opened);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->incident_ids, (std::vector<std::string>{"hall/r/1@1", "hall/r/2@1"}));

  // Given back later, the camera's events are handled here again.
  ASSERT_TRUE(service_->Adopt("hall").ok());
  service_->OnEvent(intrusion("hall/r/3@3"), kT0, [](const events::Alert&, int) {});
  EXPECT_EQ(db_->GetAlert(opened)->incident_ids.size(), 3u);
  EXPECT_EQ(errors_, 0u);
}

}  // namespace
}  // namespace argus::app
