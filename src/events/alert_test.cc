#include "events/alert.h"

#include <gtest/gtest.h>

#include <chrono>

namespace argus::events {
namespace {

using std::chrono::seconds;

// 2026-01-01T00:00:00Z, so wall times are not the epoch.
const core::WallTime kStart{seconds(1767225600)};

Event Ev(const std::string& id, Phase phase, Severity sev = Severity::kAlert,
         const std::string& zone = "vitrine") {
  Event e;
  e.id = id;
  e.type = "intrusion";
  e.phase = phase;
  e.camera = "cam1";
  e.rule = "no_touch";
  e.severity = sev;
  e.zone = zone;
  return e;
}

class AlertManagerTest : public ::testing::Test {
 protected:
  AlertPolicy Policy() {
    AlertPolicy p;
    p.cooldown_s = 30;
    p.escalation = EscalationPolicy::Default();  // 0 s, 60 s, 180 s
    return p;
  }
  core::FakeClock clock_{kStart};
  AlertManager mgr_{Policy(), &clock_};
};

TEST_F(AlertManagerTest, OneIncidentIsOneAlertThatStaysOpenAfterEnd) {
  const AlertChange a = mgr_.OnEvent(Ev("cam1/no_touch/1", Phase::kStart, Severity::kWarning));
  EXPECT_EQ(a.kind, AlertChange::Kind::kOpened);
  EXPECT_EQ(a.alert.id, 1);
  EXPECT_EQ(a.alert.opened_at, kStart);
  clock_.Advance(seconds(2));
  const AlertChange u = mgr_.OnEvent(Ev("cam1/no_touch/1", Phase::kUpdate, Severity::kCritical));
  EXPECT_EQ(u.kind, AlertChange::Kind::kUpdated);
  EXPECT_EQ(u.alert.id, 1);
  EXPECT_EQ(u.alert.severity, Severity::kCritical);
  const AlertChange e = mgr_.OnEvent(Ev("cam1/no_touch/1", Phase::kEnd, Severity::kWarning));
  EXPECT_EQ(e.kind, AlertChange::Kind::kUpdated);
  EXPECT_EQ(e.alert.severity, Severity::kCritical) << "severity is the max over the incident";
  EXPECT_EQ(e.alert.state, AlertState::kOpen);
  EXPECT_EQ(e.alert.active_incidents, 0);
  EXPECT_EQ(e.alert.event_count, 3);
  EXPECT_EQ(e.alert.last_event_at, kStart + seconds(2));
  ASSERT_EQ(mgr_.Active().size(), 1u);
}

TEST_F(AlertManagerTest, NewIncidentWithinCooldownMergesIntoOpenAlert) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  mgr_.OnEvent(Ev("i1", Phase::kEnd));
  clock_.Advance(seconds(30));  // exactly the cool-down
  const AlertChange m = mgr_.OnEvent(Ev("i2", Phase::kStart, Severity::kCritical));
  EXPECT_EQ(m.kind, AlertChange::Kind::kMerged);
  EXPECT_EQ(m.alert.id, 1);
  EXPECT_EQ(m.alert.incident_ids, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(m.alert.severity, Severity::kCritical);
  // Its updates keep going to the same alert.
  EXPECT_EQ(mgr_.OnEvent(Ev("i2", Phase::kUpdate)).alert.id, 1);
  EXPECT_EQ(mgr_.Active().size(), 1u);
}

TEST_F(AlertManagerTest, ConcurrentIncidentOfSameKeyMergesEvenPastCooldown) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  clock_.Advance(seconds(300));  // i1 is still running, just silent
  EXPECT_EQ(mgr_.OnEvent(Ev("i2", Phase::kStart)).kind, AlertChange::Kind::kMerged);
}

TEST_F(AlertManagerTest, NewIncidentAfterCooldownOpensSeparateAlert) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  mgr_.OnEvent(Ev("i1", Phase::kEnd));
  clock_.Advance(std::chrono::milliseconds(30'001));
  const AlertChange n = mgr_.OnEvent(Ev("i2", Phase::kStart));
  EXPECT_EQ(n.kind, AlertChange::Kind::kOpened);
  EXPECT_EQ(n.alert.id, 2);
  EXPECT_EQ(mgr_.Active().size(), 2u);
}

TEST_F(AlertManagerTest, DifferentZoneOrCameraIsNotDeduplicated) {
  mgr_.OnEvent(Ev("i1", Phase::kStart, Severity::kAlert, "vitrine"));
  EXPECT_EQ(mgr_.OnEvent(Ev("i2", Phase::kStart, Severity::kAlert, "door")).kind,
            AlertChange::Kind::kOpened);
  Event other = Ev("i3", Phase::kStart);
  other.camera = "cam2";
  EXPECT_EQ(mgr_.OnEvent(other).kind, AlertChange::Kind::kOpened);
}

TEST_F(AlertManagerTest, AcknowledgedAlertDoesNotAbsorbNewIncidents) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  ASSERT_TRUE(mgr_.Acknowledge(1, "ana", "on my way").ok());
  // The running incident still updates the acknowledged alert...
  EXPECT_EQ(mgr_.OnEvent(Ev("i1", Phase::kUpdate)).alert.id, 1);
  // ...but a new incident is news: a new alert.
  const AlertChange n = mgr_.OnEvent(Ev("i2", Phase::kStart));
  EXPECT_EQ(n.kind, AlertChange::Kind::kOpened);
  EXPECT_EQ(n.alert.id, 2);
}

TEST_F(AlertManagerTest, EscalatesThroughTiersAtTheirDelays) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  auto n = mgr_.Tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].alert_id, 1);
  EXPECT_EQ(n[0].tier, 0);
  EXPECT_EQ(n[0].target, "operator");
  EXPECT_TRUE(mgr_.Tick().empty()) << "each tier is notified once";
  clock_.Advance(seconds(59));
  EXPECT_TRUE(mgr_.Tick().empty());
  clock_.Advance(seconds(1));
  n = mgr_.Tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].target, "supervisor");
  EXPECT_EQ(n[0].at, kStart + seconds(60));
  EXPECT_EQ(mgr_.Get(1)->escalation_level, 2);
  clock_.Advance(seconds(119));
  EXPECT_TRUE(mgr_.Tick().empty());
  clock_.Advance(seconds(1));
  n = mgr_.Tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].target, "duty_manager");
  clock_.Advance(seconds(3600));
  EXPECT_TRUE(mgr_.Tick().empty()) << "no tier after the last";
}

TEST_F(AlertManagerTest, LateTickEmitsEveryMissedTierInOrder) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  clock_.Advance(seconds(200));
  const auto n = mgr_.Tick();
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].target, "operator");
  EXPECT_EQ(n[1].target, "supervisor");
  EXPECT_EQ(n[2].target, "duty_manager");
}

TEST_F(AlertManagerTest, EscalationCountsFromOpeningNotFromMergedIncidents) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  mgr_.Tick();
  clock_.Advance(seconds(50));
  mgr_.OnEvent(Ev("i2", Phase::kStart));  // merged
  clock_.Advance(seconds(10));
  const auto n = mgr_.Tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].target, "supervisor");
}

TEST_F(AlertManagerTest, AcknowledgeStopsEscalation) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  EXPECT_EQ(mgr_.Tick().size(), 1u);
  clock_.Advance(seconds(30));
  const auto acked = mgr_.Acknowledge(1, "ana", "checking the vitrine");
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->state, AlertState::kAcknowledged);
  ASSERT_TRUE(acked->ack.has_value());
  EXPECT_EQ(acked->ack->who, "ana");
  EXPECT_EQ(acked->ack->when, kStart + seconds(30));
  EXPECT_EQ(acked->ack->note, "checking the vitrine");
  clock_.Advance(seconds(600));
  EXPECT_TRUE(mgr_.Tick().empty());
  EXPECT_EQ(mgr_.Get(1)->escalation_level, 1);
}

TEST_F(AlertManagerTest, ResolveAfterAcknowledgeDropsTheAlert) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  ASSERT_TRUE(mgr_.Acknowledge(1, "ana", "").ok());
  clock_.Advance(seconds(5));
  const auto r = mgr_.Resolve(1, "ana", "visitor warned");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, AlertState::kResolved);
  ASSERT_TRUE(r->resolution.has_value());
  EXPECT_EQ(r->resolution->when, kStart + seconds(5));
  EXPECT_EQ(r->resolution->note, "visitor warned");
  EXPECT_EQ(r->ack->who, "ana");
  EXPECT_EQ(mgr_.Get(1).status().code(), core::StatusCode::kNotFound);
  EXPECT_TRUE(mgr_.Active().empty());
  // The incident that is still running does not reopen an alert...
  EXPECT_EQ(mgr_.OnEvent(Ev("i1", Phase::kUpdate)).kind, AlertChange::Kind::kIgnored);
  EXPECT_EQ(mgr_.OnEvent(Ev("i1", Phase::kEnd)).kind, AlertChange::Kind::kIgnored);
  EXPECT_TRUE(mgr_.Active().empty());
  // ...a new one does.
  EXPECT_EQ(mgr_.OnEvent(Ev("i2", Phase::kStart)).alert.id, 2);
}

TEST_F(AlertManagerTest, InvalidTransitionsAreErrors) {
  mgr_.OnEvent(Ev("i1", Phase::kStart));
  EXPECT_EQ(mgr_.Resolve(1, "ana", "").status().code(), core::StatusCode::kInvalidArgument)
      << "open -> resolved skips the acknowledgement";
  EXPECT_EQ(mgr_.Acknowledge(1, "", "").status().code(), core::StatusCode::kInvalidArgument);
  ASSERT_TRUE(mgr_.Acknowledge(1, "ana", "").ok());
  EXPECT_EQ(mgr_.Acknowledge(1, "bob", "").status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(mgr_.Get(1)->ack->who, "ana") << "a failed acknowledge changes nothing";
  ASSERT_TRUE(mgr_.Resolve(1, "ana", "").ok());
  EXPECT_EQ(mgr_.Resolve(1, "ana", "").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(mgr_.Acknowledge(42, "ana", "").status().code(), core::StatusCode::kNotFound);
}

TEST_F(AlertManagerTest, RestoreKeepsOpenAlertsEscalatingAndIdsIncreasing) {
  Alert open;
  open.id = 7;
  open.camera = "cam1";
  open.rule = "no_touch";
  open.zone = "vitrine";
  open.opened_at = kStart;
  open.last_event_at = kStart;
  open.escalation_level = 1;
  Alert resolved = open;
  resolved.id = 9;
  resolved.state = AlertState::kResolved;
  core::FakeClock clock(kStart + seconds(61));
  AlertManager mgr(Policy(), &clock);
  mgr.Restore({open, resolved}, 9);
  ASSERT_EQ(mgr.Active().size(), 1u);
  const auto n = mgr.Tick();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].alert_id, 7);
  EXPECT_EQ(n[0].target, "supervisor");
  Event other = Ev("x", Phase::kStart);
  other.zone = "door";
  EXPECT_EQ(mgr.OnEvent(other).alert.id, 10);
}

TEST(AlertPolicy, ValidateRejectsNegativeCooldownAndBadTiers) {
  AlertPolicy p;
  EXPECT_TRUE(p.Validate().ok());
  p.cooldown_s = -1;
  EXPECT_FALSE(p.Validate().ok());
  p.cooldown_s = 0;
  p.escalation.tiers.push_back({"", 0});
  EXPECT_FALSE(p.Validate().ok());
}

TEST(AlertState, RoundTripsThroughStrings) {
  for (AlertState s : {AlertState::kOpen, AlertState::kAcknowledged, AlertState::kResolved}) {
    AlertState back = AlertState::kOpen;
    ASSERT_TRUE(ParseAlertState(ToString(s), &back));
    EXPECT_EQ(back, s);
  }
  AlertState x;
  EXPECT_FALSE(ParseAlertState("closed", &x));
}

TEST_F(AlertManagerTest, IdsComeFromTheSourceAndFallBackToItsOwnCountWhenItCannot) {
  std::vector<int64_t> handed = {0, 41, 40};  // back() first; 0: the store did not answer
  mgr_.SetIdSource([&] {
    const int64_t id = handed.back();
    handed.pop_back();
    return id;
  });
  EXPECT_EQ(mgr_.OnEvent(Ev("a", Phase::kStart, Severity::kAlert, "z1")).alert.id, 40);
  EXPECT_EQ(mgr_.OnEvent(Ev("b", Phase::kStart, Severity::kAlert, "z2")).alert.id, 41);
  EXPECT_EQ(mgr_.OnEvent(Ev("c", Phase::kStart, Severity::kAlert, "z3")).alert.id, 42);
}

TEST_F(AlertManagerTest, ForgetDropsACamerasAlertsAndApplyStoredTakesActionsMadeElsewhere) {
  const Alert a = mgr_.OnEvent(Ev("a", Phase::kStart)).alert;
  Alert other = a;
  other.state = AlertState::kAcknowledged;
  other.ack = AlertAction{"olga", kStart, "elsewhere"};
  mgr_.ApplyStored(other);
  ASSERT_EQ(mgr_.Get(a.id)->state, AlertState::kAcknowledged);
  EXPECT_EQ(mgr_.Get(a.id)->ack->who, "olga");
  // No longer open: a new incident opens a new alert.
  const AlertChange next = mgr_.OnEvent(Ev("b", Phase::kStart));
  EXPECT_EQ(next.kind, AlertChange::Kind::kOpened);
  other.state = AlertState::kResolved;
  mgr_.ApplyStored(other);
  EXPECT_FALSE(mgr_.Get(a.id).ok());
  mgr_.Forget("cam1");
  EXPECT_TRUE(mgr_.Active().empty());
  EXPECT_EQ(mgr_.OnEvent(Ev("b", Phase::kUpdate)).kind, AlertChange::Kind::kOpened)
      << "a forgotten alert's incidents are new here";
}

}  // namespace
}  // namespace argus::events
