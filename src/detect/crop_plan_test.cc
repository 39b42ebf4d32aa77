#include "detect/crop_plan.h"

#include <gtest/gtest.h>

namespace argus::detect {
namespace {

constexpr int kW = 768, kH = 576;  // vtest.avi

bool Inside(const core::Box& inner, const core::Box& outer) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.Right() <= outer.Right() &&
         inner.Bottom() <= outer.Bottom();
}

void ExpectWellFormed(const CropWindow& w) {
  EXPECT_EQ(w.net_w % kNetStride, 0);
  EXPECT_EQ(w.net_h % kNetStride, 0);
  // The scaled window fits the network input with less than one stride of padding.
  EXPECT_LE(w.source.w * w.scale, w.net_w + 1e-6);
  EXPECT_LE(w.source.h * w.scale, w.net_h + 1e-6);
  EXPECT_GT(w.source.w * w.scale, w.net_w - kNetStride);
  EXPECT_GT(w.source.h * w.scale, w.net_h - kNetStride);
  EXPECT_TRUE(Inside(w.source, {0, 0, kW, kH}));
}

TEST(CropPlan, WholeFrameKeepsTheAspectInsteadOfPaddingToASquare) {
  const CropWindow w = WholeFrameWindow(kW, kH, 416);
  EXPECT_EQ(w.net_w, 416);
  EXPECT_EQ(w.net_h, 320);  // 576 * 416/768 = 312, rounded up to the stride
  EXPECT_NEAR(w.scale, 416.0 / 768, 1e-9);
  ExpectWellFormed(w);
}

TEST(CropPlan, NoRegionMeansTheWholeFrame) {
  const auto plan = PlanCrops({}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].source, (core::Box{0, 0, kW, kH}));
}

TEST(CropPlan, AFarPersonIsSeenAtNativeResolutionAroundTheRegion) {
  const core::Box person{300, 200, 16, 40};
  const auto plan = PlanCrops({person}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  ExpectWellFormed(plan[0]);
  EXPECT_DOUBLE_EQ(plan[0].scale, 1.0);  // 64 px wanted, 40 px there: never above native
  EXPECT_TRUE(Inside(person, plan[0].source));
  EXPECT_GE(person.x - plan[0].source.x, kDefaultCropMinMarginPx - 1e-9);  // context kept
  EXPECT_LT(plan[0].Cost(), WholeFrameWindow(kW, kH, 416).Cost() / 4);
}

TEST(CropPlan, ACloseTallPersonIsNotSeenBelowTheWholeFramesScale) {
  const auto plan = PlanCrops({{100, 50, 60, 200}}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_NEAR(plan[0].scale, std::max(64.0 / 200, 416.0 / 768), 1e-9);
}

TEST(CropPlan, OverlappingRegionsBecomeOneWindowAndFarOnesStayApart) {
  const auto two = PlanCrops({{100, 100, 20, 50}, {125, 110, 20, 50}}, kW, kH, {});
  ASSERT_EQ(two.size(), 1u);
  EXPECT_TRUE(Inside({100, 100, 45, 60}, two[0].source));
  const auto apart = PlanCrops({{20, 20, 20, 50}, {700, 480, 20, 50}}, kW, kH, {});
  ASSERT_EQ(apart.size(), 2u);
  for (const CropWindow& w : apart) ExpectWellFormed(w);
}

TEST(CropPlan, RegionsAtTheFrameEdgeAreClampedIntoIt) {
  const auto plan = PlanCrops({{0, 540, 30, 36}}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  ExpectWellFormed(plan[0]);
  EXPECT_DOUBLE_EQ(plan[0].source.x, 0);
  EXPECT_DOUBLE_EQ(plan[0].source.Bottom(), kH);
}

TEST(CropPlan, CropsCostingAsMuchAsTheWholeFrameGiveTheWholeFrame) {
  std::vector<core::Box> crowd;
  for (int i = 0; i < 8; ++i) crowd.push_back({20.0 + 90 * i, 60.0 + 50 * (i % 2) * 6, 20, 45});
  const auto plan = PlanCrops(crowd, kW, kH, {});
  double cost = 0;
  for (const CropWindow& w : plan) cost += w.Cost();
  EXPECT_LE(cost, WholeFrameWindow(kW, kH, 416).Cost());
  // Every region is inside some window.
  for (const core::Box& r : crowd) {
    EXPECT_TRUE(std::any_of(plan.begin(), plan.end(),
                            [&](const CropWindow& w) { return Inside(r, w.source); }));
  }
}

TEST(CropPlan, ExpectedPeopleReplaceTheMotionTheyExplain) {
  const core::Box walker{300, 100, 80, 240};  // a close walker, tracked
  const core::Box legs{310, 250, 60, 80};     // what moved of them
  const core::Box newcomer{600, 300, 30, 70};
  const auto regions = CropRegions({legs, newcomer}, {walker});
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[0], walker);
  EXPECT_EQ(regions[1], newcomer);
  // The walker's window holds all of them, at the walker's scale, not the legs'.
  const auto plan = PlanCrops({walker, legs}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_TRUE(Inside(walker, plan[0].source));
  EXPECT_NEAR(plan[0].scale, std::max(64.0 / 240, 416.0 / 768), 1e-9);
}

TEST(CropPlan, EmptyRegionsAreIgnored) {
  const auto plan = PlanCrops({{10, 10, 0, 30}, {10, 10, 30, -1}}, kW, kH, {});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].net_w, 416);  // the whole frame
}

}  // namespace
}  // namespace argus::detect
