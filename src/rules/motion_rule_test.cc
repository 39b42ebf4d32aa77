#include "rules/motion_rule.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

// A 100x100 mask (scale 10) with a block of motion in it.
SceneInput Scene(core::GrayImage* mask, int x0, int y0, int x1, int y1) {
  *mask = core::GrayImage(100, 100);
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) mask->at(x, y) = 255;
  }
  SceneInput s;
  s.mask = mask;
  s.scale = 10;
  return s;
}

TEST(MotionRuleTest, SustainedMotionInTheZone) {
  Harness h(CameraYaml(
      "      - {name: r, kind: motion, zone: room, min_fraction: 0.05, min_duration_s: 1}\n"));
  ASSERT_TRUE(h.ok());
  core::GrayImage mask;
  // room is mask pixels 20..59: a 10x10 block is 100/1600 = 6 % of it.
  const SceneInput moving = Scene(&mask, 30, 30, 40, 40);
  for (int i = 0; i < 20; ++i) h.Step({}, nullptr, &moving);
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  const events::Event& e = h.events()[0];
  EXPECT_EQ(e.zone, "room");
  EXPECT_EQ(e.bbox, (core::Box{300, 300, 100, 100}));
  EXPECT_NEAR(e.details["fraction"].get<double>(), 100.0 / 1600, 1e-9);
}

TEST(MotionRuleTest, MotionOutsideTheZoneOrTooSmallOrTooShortIsIgnored) {
  Harness h(CameraYaml(
      "      - {name: r, kind: motion, zone: room, min_fraction: 0.05, min_duration_s: 1}\n"));
  ASSERT_TRUE(h.ok());
  core::GrayImage m1, m2, m3, still;
  const SceneInput outside = Scene(&m1, 70, 70, 90, 90);
  const SceneInput small = Scene(&m2, 30, 30, 35, 35);  // 25/1600 = 1.6 %
  const SceneInput big = Scene(&m3, 20, 20, 60, 60);
  const SceneInput none = Scene(&still, 0, 0, 0, 0);
  for (int i = 0; i < 30; ++i) h.Step({}, nullptr, &outside);
  for (int i = 0; i < 30; ++i) h.Step({}, nullptr, &small);
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < 5; ++i) h.Step({}, nullptr, &big);  // 0.5 s bursts
    for (int i = 0; i < 5; ++i) h.Step({}, nullptr, &none);
  }
  for (int i = 0; i < 30; ++i) h.Step({});  // no scene at all
  EXPECT_TRUE(h.events().empty());
}

}  // namespace
}  // namespace argus::rules
