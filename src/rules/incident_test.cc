#include "rules/incident.h"

#include <gtest/gtest.h>

namespace argus::rules {
namespace {

class IncidentTest : public ::testing::Test {
 protected:
  IncidentTest() {
    cam_.name = "cam";
    rule_.name = "r";
    rule_.cooldown_s = 5;
    rule_.severity = events::Severity::kCritical;
    ctx_ = {&site_, &cam_, &rule_, nullptr};
  }
  Observation Obs(double t, int64_t frame) {
    Observation o;
    o.t = t;
    o.frame = frame;
    o.track_id = 7;
    o.zone = "z";
    return o;
  }
  config::SiteConfig site_;
  config::CameraConfig cam_;
  config::RuleConfig rule_;
  RuleContext ctx_;
};

TEST_F(IncidentTest, OneStartBoundedUpdatesOneEndAfterCooldown) {
  IncidentTracker inc(ctx_, "intrusion", {.min_update_interval_s = 10});
  std::vector<events::Event> out;
  for (int f = 1; f <= 300; ++f) {  // 30 s at 10 fps
    inc.Observe("7", Obs(f / 10.0, f), &out);
    inc.Tick(f / 10.0, f, &out);
  }
  ASSERT_EQ(out.size(), 3u);  // start at 0.1 s, updates at 10.1 s and 20.1 s
  EXPECT_EQ(out[0].phase, events::Phase::kStart);
  EXPECT_EQ(out[0].id, "cam/r/1");
  EXPECT_EQ(out[0].type, "intrusion");
  EXPECT_EQ(out[0].severity, events::Severity::kCritical);
  EXPECT_EQ(out[1].phase, events::Phase::kUpdate);
  EXPECT_EQ(out[1].id, "cam/r/1");
  out.clear();
  // Quiet: nothing until the cool-down has passed, then one end.
  for (int f = 301; f <= 349; ++f) inc.Tick(f / 10.0, f, &out);
  EXPECT_TRUE(out.empty());
  inc.Tick(35.0, 350, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].phase, events::Phase::kEnd);
  EXPECT_EQ(out[0].id, "cam/r/1");
  EXPECT_NEAR(out[0].details["duration_s"].get<double>(), 29.9, 1e-9);
  EXPECT_FALSE(inc.IsOpen("7"));
}

TEST_F(IncidentTest, RetriggerWithinCooldownExtendsTheSameIncident) {
  IncidentTracker inc(ctx_, "intrusion");
  std::vector<events::Event> out;
  inc.Observe("k", Obs(1, 10), &out);
  inc.Tick(1, 10, &out);
  inc.Tick(4, 40, &out);  // 3 s quiet < 5 s cool-down
  inc.Observe("k", Obs(4.5, 45), &out);
  inc.Tick(4.5, 45, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].phase, events::Phase::kUpdate);  // resumed after 3.5 s > kResumeGapSeconds
  EXPECT_EQ(out[1].id, out[0].id);
  EXPECT_TRUE(out[1].details.value("resumed", false));
  // After the end, a new trigger is a new incident with a new id.
  inc.Tick(9.5, 95, &out);
  ASSERT_EQ(out.back().phase, events::Phase::kEnd);
  inc.Observe("k", Obs(10, 100), &out);
  EXPECT_EQ(out.back().phase, events::Phase::kStart);
  EXPECT_EQ(out.back().id, "cam/r/2");
}

TEST_F(IncidentTest, EscalationIsAnImmediateUpdateAndSeverityNeverDrops) {
  IncidentTracker inc(ctx_, "proximity");
  std::vector<events::Event> out;
  Observation w = Obs(1, 1);
  w.severity = events::Severity::kWarning;
  inc.Observe("7", w, &out);
  Observation a = Obs(1.1, 2);
  inc.Observe("7", a, &out);  // rule severity: critical
  Observation w2 = Obs(1.2, 3);
  w2.severity = events::Severity::kWarning;
  inc.Observe("7", w2, &out);  // no event: not news
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, events::Severity::kWarning);
  EXPECT_EQ(out[1].phase, events::Phase::kUpdate);
  EXPECT_EQ(out[1].severity, events::Severity::kCritical);
  inc.EndAll(2, 4, &out);
  EXPECT_EQ(out.back().severity, events::Severity::kCritical);
}

TEST_F(IncidentTest, SharedCounterKeepsIdsUniqueAcrossTrackers) {
  int64_t counter = 0;
  ctx_.incident_counter = &counter;
  std::vector<events::Event> out;
  {
    IncidentTracker a(ctx_, "x");
    a.Observe("k", Obs(1, 1), &out);
  }
  IncidentTracker b(ctx_, "x");
  b.Observe("k", Obs(2, 2), &out);
  EXPECT_EQ(out[0].id, "cam/r/1");
  EXPECT_EQ(out[1].id, "cam/r/2");
}

TEST_F(IncidentTest, ZeroCooldownEndsOnFirstQuietFrame) {
  rule_.cooldown_s = 0;
  IncidentTracker inc(ctx_, "x");
  std::vector<events::Event> out;
  inc.Observe("k", Obs(1, 1), &out);
  inc.Tick(1, 1, &out);
  EXPECT_EQ(out.size(), 1u);
  inc.Tick(1.1, 2, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].phase, events::Phase::kEnd);
}

}  // namespace
}  // namespace argus::rules
