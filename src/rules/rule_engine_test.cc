#include "rules/rule_engine.h"

#include <gtest/gtest.h>

#include "rules/line_crossing.h"
#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

// 2024-06-12 (a Wednesday): 10:00Z is 12:00 in Paris (open 09:00-18:00),
// 20:00Z is 22:00 (closed).
const core::WallTime kOpenTime = core::WallTime(std::chrono::seconds(1718186400));
const core::WallTime kClosedTime = core::WallTime(std::chrono::seconds(1718222400));

TEST(RuleEngineTest, ASteadyIntrusionIsOneIncidentNotOneEventPerFrame) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 1000; ++i) h.Step({h.At(1, {400, 400})});  // 100 s
  h.Finish();
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  // Periodic refresh every kDefaultMinUpdateIntervalSeconds at most.
  EXPECT_LE(h.Count(Phase::kUpdate), 100 / kDefaultMinUpdateIntervalSeconds);
  EXPECT_GE(h.Count(Phase::kUpdate), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
  for (const auto& e : h.events()) EXPECT_EQ(e.id, "cam/r/1");
}

TEST(RuleEngineTest, CooldownMergesAReentry) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, cooldown_s: 10}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {700, 700})});  // out for 3 s
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 0);
  for (int i = 0; i < 120; ++i) h.Step({h.At(1, {700, 700})});  // out for 12 s
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 2);
  EXPECT_EQ(h.events().back().id, "cam/r/2");
}

TEST(RuleEngineTest, ClosedOnlyRuleIsSilentDuringOpeningHours) {
  Harness h(CameraYaml(
      "      - {name: night, kind: motion, zone: room, when: closed, min_duration_s: 0.5}\n"));
  ASSERT_TRUE(h.ok());
  core::GrayImage mask(100, 100);
  for (int y = 20; y < 60; ++y) {
    for (int x = 20; x < 60; ++x) mask.at(x, y) = 255;
  }
  SceneInput scene;
  scene.mask = &mask;
  h.set_wall(kOpenTime);
  for (int i = 0; i < 50; ++i) h.Step({}, nullptr, &scene);
  EXPECT_TRUE(h.events().empty());
  EXPECT_EQ(h.engine().FindRule("night"), nullptr);  // inactive now
  h.set_wall(kClosedTime);
  for (int i = 0; i < 50; ++i) h.Step({}, nullptr, &scene);
  EXPECT_EQ(h.Count(Phase::kStart), 1);
}

TEST(RuleEngineTest, ScheduleClosingEndsOpenIncidentsAtOnceAndIdsStayUnique) {
  Harness h(
      CameraYaml("      - {name: day, kind: intrusion, zone: room, when: open, cooldown_s: 60}\n"));
  ASSERT_TRUE(h.ok());
  h.set_wall(kOpenTime);
  for (int i = 0; i < 20; ++i) h.Step({h.At(1, {400, 400})});
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  h.set_wall(kClosedTime);
  h.Step({h.At(1, {400, 400})});
  ASSERT_EQ(h.Count(Phase::kEnd), 1);  // not 60 s later
  EXPECT_EQ(h.events().back().id, "cam/day/1");
  for (int i = 0; i < 20; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.events().size(), 2u);
  h.set_wall(kOpenTime + std::chrono::hours(24));
  for (int i = 0; i < 20; ++i) h.Step({h.At(1, {400, 400})});
  ASSERT_EQ(h.Count(Phase::kStart), 2);
  EXPECT_EQ(h.events().back().id, "cam/day/2");  // the rebuilt rule continues the numbering
}

TEST(RuleEngineTest, EveryKindIsRegistered) {
  for (const char* kind : {"intrusion", "line_crossing", "proximity", "loitering", "crowd",
                           "running", "motion", "vehicle_near_facade"}) {
    EXPECT_NE(FindRuleMaker(kind), nullptr) << kind;
  }
  EXPECT_EQ(FindRuleMaker("teleport"), nullptr);
}

TEST(RuleEngineTest, ValidationMessagesNameFileLineAndField) {
  const std::string yaml = CameraYaml(
      "      - name: a\n"                // line 15
      "        kind: teleport\n"         // 16
      "      - name: b\n"                // 17
      "        kind: intrusion\n"        // 18
      "        zone: attic\n"            // 19
      "      - name: c\n"                // 20
      "        kind: line_crossing\n"    // 21
      "        line: door\n"             // 22
      "        direction: sideways\n"    // 23
      "      - name: d\n"                // 24
      "        kind: loitering\n"        // 25
      "        zone: room\n"             // 26
      "        min_dwel_s: 5\n"          // 27
      "      - name: e\n"                // 28
      "        kind: proximity\n"        // 29
      "        artwork: painting\n"      // 30
      "        warning: 0.05\n"          // 31
      "        alarm: 0.1\n"             // 32
      "      - name: f\n"                // 33
      "        kind: line_crossing\n");  // 34
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  const core::Status st = ValidateRules(*cfg, &diag);
  EXPECT_FALSE(st.ok());
  const std::string all = diag.ToString();
  auto has = [&](const std::string& s) {
    EXPECT_NE(all.find(s), std::string::npos) << "missing: " << s << "\nin:\n" << all;
  };
  has("site.yaml:16: cameras[0].rules[0].kind: unknown rule kind 'teleport' (known: intrusion, "
      "line_crossing, proximity");
  has("site.yaml:19: cameras[0].rules[1].zone: zone 'attic' does not exist on camera 'cam' "
      "(zones: room, painting)");
  has("site.yaml:23: cameras[0].rules[2].direction: must be one of a_to_b, b_to_a, any, found "
      "'sideways'");
  has("site.yaml:27: cameras[0].rules[3].min_dwel_s: unknown key");
  has("site.yaml:32: cameras[0].rules[4].alarm: must be smaller than warning");
  has("site.yaml:33: cameras[0].rules[5].line: is required");
  EXPECT_EQ(diag.items().size(), 6u) << all;
  EXPECT_EQ(st.message(), diag.items()[0].ToString());
}

TEST(RuleEngineTest, ValidConfigPassesAndBadCalibrationIsReported) {
  const std::string calib =
      "    calibration:\n"
      "      image: [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9], [0.1, 0.9]]\n"
      "      ground: [[0, 0], [10, 0], [10, 10], [0, 10]]\n";
  config::Diagnostics diag;
  auto good = config::ParseConfig(
      CameraYaml("      - {name: r, kind: line_crossing, line: door, direction: b_to_a}\n"),
      "ok.yaml", &diag);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(ValidateRules(*good, &diag).ok()) << diag.ToString();
  auto bad = config::ParseConfig(CameraYaml("", calib), "bad.yaml", &diag);
  ASSERT_TRUE(bad.ok()) << diag.ToString();
  EXPECT_FALSE(ValidateRules(*bad, &diag).ok());
  EXPECT_NE(diag.ToString().find("bad.yaml:6: cameras[0].calibration: 3 of the 4 calibration "
                                 "points are collinear"),
            std::string::npos)
      << diag.ToString();
}

}  // namespace
}  // namespace argus::rules
