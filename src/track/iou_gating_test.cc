#include "track/iou_gating.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace argus::track {
namespace {

TEST(IouGating, FindsExactlyThePairsABruteForceFinds) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> pos(0, 500), size(5, 120);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<core::Box> a(20 + trial), b(30);
    for (auto* v : {&a, &b}) {
      for (core::Box& box : *v) box = {pos(rng), pos(rng), size(rng), size(rng)};
    }
    std::vector<std::tuple<int, int>> got, want;
    for (const OverlapPair& p : OverlappingPairs(a, b, 0.1)) {
      got.emplace_back(p.a, p.b);
      EXPECT_DOUBLE_EQ(p.iou, core::IoU(a[p.a], b[p.b]));
    }
    for (int i = 0; i < static_cast<int>(a.size()); ++i) {
      for (int j = 0; j < static_cast<int>(b.size()); ++j) {
        if (core::IoU(a[i], b[j]) > 0.1) want.emplace_back(i, j);
      }
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }
}

TEST(IouGating, TouchingBoxesDoNotOverlap) {
  EXPECT_TRUE(OverlappingPairs({{0, 0, 10, 10}}, {{10, 0, 10, 10}}).empty());
  EXPECT_TRUE(OverlappingPairs({}, {{10, 0, 10, 10}}).empty());
  EXPECT_EQ(OverlappingPairs({{0, 0, 10, 10}}, {{5, 0, 10, 10}}).size(), 1u);
}

}  // namespace
}  // namespace argus::track
