#include "rules/running.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

// Default threshold: 2 box heights per second; boxes are 100 px tall.
const char* kRule = "      - {name: r, kind: running, min_duration_s: 1}\n";

void Move(Harness& h, int id, core::Point* at, double px_per_s, int frames) {
  for (int i = 0; i < frames; ++i) {
    h.Step({h.At(id, *at)});
    at->x += px_per_s / 10;  // 10 fps
  }
}

TEST(RunningTest, SustainedSpeedRaisesOneIncident) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  core::Point p{50, 500};
  Move(h, 1, &p, 350, 25);  // 3.5 heights/s for 2.5 s
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  const events::Event& e = h.events()[0];
  EXPECT_NEAR(e.details["speed"].get<double>(), 3.5, 1e-6);
  EXPECT_EQ(e.details["units"], "heights/s");
  // Fast from the 2nd frame (confirmed on the 4th with inertia 3), plus 1 s.
  EXPECT_GE(e.t, 1.3 - 1e-9);
}

TEST(RunningTest, WalkingOrAShortBurstIsNotRunning) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  core::Point p{50, 500};
  Move(h, 1, &p, 80, 50);  // a walk: 0.8 heights/s
  Move(h, 1, &p, 400, 8);  // a 0.8 s burst
  Move(h, 1, &p, 80, 30);
  EXPECT_TRUE(h.events().empty());
}

TEST(RunningTest, MetresPerSecondWhenCalibrated) {
  const std::string calib =
      "    calibration:\n"
      "      image: [[0, 0], [1, 0], [1, 1], [0, 1]]\n"
      "      ground: [[0, 0], [10, 0], [10, 10], [0, 10]]\n";  // 1 px = 1 cm
  Harness h(CameraYaml("      - {name: r, kind: running, speed: 2.5}\n", calib));
  ASSERT_TRUE(h.ok());
  core::Point p{50, 500};
  Move(h, 1, &p, 200, 30);  // 2 m/s: below 2.5
  EXPECT_TRUE(h.events().empty());
  Move(h, 2, &p, 400, 30);  // 4 m/s
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["units"], "m/s");
  EXPECT_NEAR(h.events()[0].details["speed"].get<double>(), 4.0, 1e-6);
}

}  // namespace
}  // namespace argus::rules
