#include "core/structure_match.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace argus::core {
namespace {

constexpr int kW = 160, kH = 120;  // a 320 px analysis frame at half size: 2 px tolerated
constexpr int kMargin = 60;

// A random texture of blobs a few pixels wide, seen through a window whose
// top-left corner is (ox, oy) in a larger world: moving the window is moving
// the camera.
std::vector<float> World(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 255);
  const int ww = kW + kMargin, wh = kH + kMargin;
  std::vector<float> coarse((ww / 4 + 2) * (wh / 4 + 2));
  for (float& v : coarse) v = u(rng);
  std::vector<float> w(ww * wh);
  for (int y = 0; y < wh; ++y) {
    for (int x = 0; x < ww; ++x) w[y * ww + x] = coarse[(y / 4) * (ww / 4 + 2) + x / 4];
  }
  return w;
}

std::vector<float> View(const std::vector<float>& world, int ox, int oy) {
  const int ww = kW + kMargin;
  std::vector<float> g(kW * kH * 2, 0.0f);
  for (int y = 1; y + 1 < kH; ++y) {
    for (int x = 1; x + 1 < kW; ++x) {
      auto at = [&](int dx, int dy) { return world[(y + oy + dy) * ww + x + ox + dx]; };
      g[(y * kW + x) * 2] = at(1, 0) - at(-1, 0);
      g[(y * kW + x) * 2 + 1] = at(0, 1) - at(0, -1);
    }
  }
  return g;
}

double Share(const std::vector<float>& g, const std::vector<float>& r) {
  return MatchedCellShare(g.data(), r.data(), kW, kH);
}

TEST(StructureMatch, TheSameViewIsAllInPlace) {
  const auto world = World(1);
  EXPECT_DOUBLE_EQ(Share(View(world, 20, 20), View(world, 20, 20)), 1.0);
}

TEST(StructureMatch, AJitterOfAPixelOrTwoKeepsTheViewInPlace) {
  const auto world = World(2);
  const auto ref = View(world, 20, 20);
  EXPECT_DOUBLE_EQ(Share(View(world, 22, 19), ref), 1.0);
  EXPECT_DOUBLE_EQ(Share(View(world, 18, 21), ref), 1.0);
  EXPECT_LT(Share(View(world, 26, 20), ref), 0.2);  // 6 px is beyond the tolerance
}

TEST(StructureMatch, ATurnedCameraLosesNearlyEveryCell) {
  const auto world = World(3);
  const auto ref = View(world, 20, 20);
  EXPECT_LT(Share(View(world, 44, 20), ref), 0.2);     // turned by 15% of the view
  EXPECT_LT(Share(View(World(4), 20, 20), ref), 0.2);  // a different view
}

TEST(StructureMatch, SomethingCloseToTheLensCoversOnlyItsCells) {
  const auto world = World(5);
  const auto ref = View(world, 20, 20);
  // The left half of the view is something else (a person, a door); the right
  // half still shows the scene.
  auto g = View(world, 20, 20);
  const auto other = View(World(6), 20, 20);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW / 2; ++x) {
      g[(y * kW + x) * 2] = other[(y * kW + x) * 2];
      g[(y * kW + x) * 2 + 1] = other[(y * kW + x) * 2 + 1];
    }
  }
  const double share = Share(g, ref);
  EXPECT_GE(share, 0.4);
  EXPECT_LE(share, 0.6);
}

TEST(StructureMatch, NothingToJudgeCountsAsInPlace) {
  const std::vector<float> blank(kW * kH * 2, 0.0f);
  EXPECT_DOUBLE_EQ(Share(View(World(7), 20, 20), blank), 1.0);  // a blank reference
  const std::vector<float> tiny(4 * 4 * 2, 1.0f);
  EXPECT_DOUBLE_EQ(MatchedCellShare(tiny.data(), tiny.data(), 4, 4), 1.0);
}

TEST(StructureMatch, ABlankViewOverATexturedReferenceIsNotInPlace) {
  const std::vector<float> blank(kW * kH * 2, 0.0f);
  EXPECT_DOUBLE_EQ(Share(blank, View(World(8), 20, 20)), 0.0);
}

}  // namespace
}  // namespace argus::core
