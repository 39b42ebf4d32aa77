#include "rules/proximity.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using events::Severity;
using testing::CameraYaml;
using testing::Harness;

// painting: x 450..550, y 100..200. Frame diagonal 1414 px: warning 0.1 = 141 px,
// alarm 0.03 = 42 px below the painting's lower edge (y = 200).
const char* kRule =
    "      - {name: r, kind: proximity, artwork: painting, warning: 0.1, alarm: 0.03,"
    " severity: critical, cooldown_s: 1}\n";

TEST(ProximityTest, WarningThenAlarmIsOneIncidentEscalated) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 500})});  // 300 px away
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 300})});  // 100 px: warning
  ASSERT_EQ(h.events().size(), 1u);
  EXPECT_EQ(h.events()[0].phase, Phase::kStart);
  EXPECT_EQ(h.events()[0].severity, Severity::kWarning);
  EXPECT_EQ(h.events()[0].zone, "painting");
  EXPECT_EQ(h.events()[0].details["tier"], "warning");
  EXPECT_EQ(h.events()[0].details["units"], "diagonal");
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 230})});  // 30 px: alarm
  ASSERT_EQ(h.events().size(), 2u);
  EXPECT_EQ(h.events()[1].phase, Phase::kUpdate);
  EXPECT_EQ(h.events()[1].id, h.events()[0].id);
  EXPECT_EQ(h.events()[1].severity, Severity::kCritical);
  EXPECT_EQ(h.events()[1].details["tier"], "alarm");
  EXPECT_NEAR(h.events()[1].details["distance"].get<double>(), 30 / std::hypot(1000, 1000), 1e-9);
  for (int i = 0; i < 20; ++i) h.Step({h.At(1, {500, 600})});  // walks away
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
  EXPECT_EQ(h.events().back().severity, Severity::kCritical);
}

TEST(ProximityTest, MinDwellIgnoresABriefPass) {
  Harness h(
      CameraYaml("      - {name: r, kind: proximity, artwork: painting, warning: 0.1, alarm: 0.03,"
                 " min_dwell_s: 2}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 300})});  // 1 s in the warning tier
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 600})});
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {500, 300})});  // 3 s: now it counts
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["tier"], "warning");
}

TEST(ProximityTest, MetresWhenCalibrated) {
  // The whole frame is a 10 m x 10 m floor seen from above: 1 px = 1 cm.
  const std::string calib =
      "    calibration:\n"
      "      image: [[0, 0], [1, 0], [1, 1], [0, 1]]\n"
      "      ground: [[0, 0], [10, 0], [10, 10], [0, 10]]\n";
  Harness h(
      CameraYaml("      - {name: r, kind: proximity, artwork: painting, warning: 1.5,"
                 " alarm: 0.5}\n",
                 calib));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 400})});  // 2 m away
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {500, 300})});  // 1 m: warning
  ASSERT_EQ(h.events().size(), 1u);
  EXPECT_EQ(h.events()[0].details["units"], "m");
  EXPECT_NEAR(h.events()[0].details["distance"].get<double>(), 1.0, 1e-6);
}

}  // namespace
}  // namespace argus::rules
