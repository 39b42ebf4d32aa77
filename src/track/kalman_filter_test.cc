#include "track/kalman_filter.h"

#include <gtest/gtest.h>

namespace argus::track {
namespace {

core::Box BoxAt(double cx, double bottom, double w = 40, double h = 100) {
  return {cx - w / 2, bottom - h, w, h};
}

TEST(KalmanBoxFilter, StartsAtTheFirstMeasurement) {
  const core::Box b{10, 20, 40, 100};
  const KalmanBoxFilter f(b, {});
  const core::Box out = f.box();
  EXPECT_NEAR(out.x, 10, 1e-9);
  EXPECT_NEAR(out.y, 20, 1e-9);
  EXPECT_NEAR(out.w, 40, 1e-9);
  EXPECT_NEAR(out.h, 100, 1e-9);
  EXPECT_EQ(f.CenterVelocity(), (core::Point{0, 0}));
}

// A person walking at 60 px/s to the right; the filter must report about 60 px/s
// whatever the detection rate, because its velocities are per second.
class KalmanRate : public ::testing::TestWithParam<double> {};

TEST_P(KalmanRate, EstimatesVelocityInPixelsPerSecond) {
  const double fps = GetParam();
  const double dt = 1.0 / fps;
  KalmanBoxFilter f(BoxAt(100, 300), {});
  for (int i = 1; i <= static_cast<int>(4 * fps); ++i) {
    f.Predict(dt);
    f.Update(BoxAt(100 + 60.0 * i * dt, 300));
  }
  EXPECT_NEAR(f.CenterVelocity().x, 60.0, 3.0) << "fps " << fps;
  EXPECT_NEAR(f.CenterVelocity().y, 0.0, 1.0);
  // Predicting half a second ahead moves the box by about 30 px.
  const double before = f.box().Center().x;
  f.Predict(0.5);
  EXPECT_NEAR(f.box().Center().x - before, 30.0, 2.0);
}

INSTANTIATE_TEST_SUITE_P(Rates, KalmanRate, ::testing::Values(5.0, 7.0, 25.0, 30.0));

TEST(KalmanBoxFilter, PredictionGrowsUncertaintyAndUpdateShrinksIt) {
  KalmanBoxFilter f(BoxAt(0, 100), {});
  const double p0 = f.covariance()(0, 0);
  f.Predict(0.1);
  const double p1 = f.covariance()(0, 0);
  EXPECT_GT(p1, p0);
  f.Update(BoxAt(0, 100));
  EXPECT_LT(f.covariance()(0, 0), p1);
  // The covariance stays symmetric.
  EXPECT_NEAR((f.covariance() - f.covariance().transpose()).norm(), 0.0, 1e-9);
}

TEST(KalmanBoxFilter, ZeroOrNegativeDtIsANoOp) {
  KalmanBoxFilter f(BoxAt(0, 100), {});
  f.Predict(0.1);
  f.Update(BoxAt(5, 100));
  const auto mean = f.mean();
  const auto cov = f.covariance();
  f.Predict(0);
  f.Predict(-1);
  EXPECT_EQ(f.mean(), mean);
  EXPECT_EQ(f.covariance(), cov);
}

TEST(KalmanBoxFilter, UpdateMovesTowardsTheMeasurement) {
  KalmanBoxFilter f(BoxAt(0, 100), {});
  f.Predict(1.0 / 30);
  f.Update(BoxAt(10, 100));
  const double cx = f.box().Center().x;
  EXPECT_GT(cx, 0.0);
  EXPECT_LT(cx, 10.0);
}

TEST(KalmanBoxFilter, WarpMovesTheBoxWithTheCameraAndKeepsItsVelocity) {
  KalmanBoxFilter f(BoxAt(100, 300), {});
  for (int i = 1; i <= 10; ++i) {
    f.Predict(0.1);
    f.Update(BoxAt(100 + 6 * i, 300));  // 60 px/s to the right
  }
  const core::Box before = f.box();
  const core::Point v = f.CenterVelocity();
  const double var_x = f.covariance()(0, 0);
  f.Warp(core::Affine2D::Translation(-35, 12));
  EXPECT_NEAR(f.box().x, before.x - 35, 1e-9);
  EXPECT_NEAR(f.box().y, before.y + 12, 1e-9);
  EXPECT_NEAR(f.box().w, before.w, 1e-9);
  EXPECT_NEAR(f.box().h, before.h, 1e-9);
  EXPECT_NEAR(f.CenterVelocity().x, v.x, 1e-9) << "a shift does not change motion";
  EXPECT_NEAR(f.covariance()(0, 0), var_x, 1e-9);
}

TEST(KalmanBoxFilter, WarpZoomScalesSizeVelocityAndUncertainty) {
  KalmanBoxFilter f(BoxAt(100, 300), {});
  f.Predict(0.1);
  f.Update(BoxAt(104, 300));
  const core::Box before = f.box();
  const core::Point v = f.CenterVelocity();
  const double var_x = f.covariance()(0, 0);
  const double var_h = f.covariance()(3, 3);
  f.Warp({2, 0, 10, 0, 2, -5});  // zoom x2 about the origin, then shift
  const core::Box after = f.box();
  EXPECT_NEAR(after.Center().x, 2 * before.Center().x + 10, 1e-9);
  EXPECT_NEAR(after.Center().y, 2 * before.Center().y - 5, 1e-9);
  EXPECT_NEAR(after.h, 2 * before.h, 1e-9);
  EXPECT_NEAR(after.w, 2 * before.w, 1e-9) << "aspect ratio kept";
  EXPECT_NEAR(f.CenterVelocity().x, 2 * v.x, 1e-9);
  EXPECT_NEAR(f.covariance()(0, 0), 4 * var_x, 1e-9);
  EXPECT_NEAR(f.covariance()(3, 3), 4 * var_h, 1e-9);
}

}  // namespace
}  // namespace argus::track
