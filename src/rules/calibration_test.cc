#include "rules/calibration.h"

#include <gtest/gtest.h>

namespace argus::rules {
namespace {

TEST(CalibrationTest, RecoversAKnownProjectiveMap) {
  // Ground truth H: a perspective map with a non-trivial last row.
  auto truth = [](core::Point p) {
    const double w = 0.1 * p.x + 0.4 * p.y + 1;
    return core::Point{(10 * p.x + 2 * p.y + 1) / w, (1 * p.x + 20 * p.y - 3) / w};
  };
  std::array<core::Point, 4> img = {{{0.1, 0.5}, {0.9, 0.5}, {0.95, 0.95}, {0.05, 0.9}}};
  std::array<core::Point, 4> ground;
  for (int i = 0; i < 4; ++i) ground[i] = truth(img[i]);
  auto h = Homography::FromPoints(img, ground);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  for (core::Point p : {core::Point{0.5, 0.7}, core::Point{0.3, 0.6}, core::Point{0.8, 0.85}}) {
    const core::Point got = h->Apply(p), want = truth(p);
    EXPECT_NEAR(got.x, want.x, 1e-9);
    EXPECT_NEAR(got.y, want.y, 1e-9);
  }
}

TEST(CalibrationTest, GroundPlaneTakesPixelsOfAnyFrameSize) {
  config::Calibration cal;
  // A 10 m x 20 m floor rectangle seen as a trapezoid (far edge narrower).
  cal.image = {{{0.4, 0.2}, {0.6, 0.2}, {1.0, 1.0}, {0.0, 1.0}}};
  cal.ground = {{{0, 20}, {10, 20}, {10, 0}, {0, 0}}};
  auto g = GroundPlane::Make(cal);
  ASSERT_TRUE(g.ok());
  const core::Point near_left = g->ImageToGround({0, 576}, 768, 576);
  EXPECT_NEAR(near_left.x, 0, 1e-9);
  EXPECT_NEAR(near_left.y, 0, 1e-9);
  const core::Point far_right = g->ImageToGround({0.6 * 1920, 0.2 * 1080}, 1920, 1080);
  EXPECT_NEAR(far_right.x, 10, 1e-9);
  EXPECT_NEAR(far_right.y, 20, 1e-9);
  // The image midpoint of the near edge is the ground midpoint of the near edge.
  EXPECT_NEAR(g->ImageToGround({384, 576}, 768, 576).x, 5, 1e-9);
}

TEST(CalibrationTest, CollinearPointsAreRejected) {
  config::Calibration cal;
  cal.image = {{{0.1, 0.1}, {0.5, 0.5}, {0.9, 0.9}, {0.1, 0.9}}};
  cal.ground = {{{0, 0}, {1, 0}, {1, 1}, {0, 1}}};
  auto g = GroundPlane::Make(cal);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("collinear"), std::string::npos);
}

}  // namespace
}  // namespace argus::rules
