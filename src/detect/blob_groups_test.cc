#include "detect/blob_groups.h"

#include <gtest/gtest.h>

namespace argus::detect {
namespace {

TEST(GroupStackedBlobsTest, JoinsHeadTorsoAndLegsOfOnePerson) {
  // Head, torso and two legs with gaps, as a light sweater on a light wall gives.
  const auto g = GroupStackedBlobs(
      {{20, 0, 10, 10, 80}, {15, 14, 20, 30, 300}, {16, 50, 6, 30, 150}, {28, 52, 6, 28, 140}});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].x, 15);
  EXPECT_EQ(g[0].y, 0);
  EXPECT_EQ(g[0].w, 20);
  EXPECT_EQ(g[0].h, 80);
  EXPECT_EQ(g[0].area, 670);
}

TEST(GroupStackedBlobsTest, KeepsPeopleSideBySideOrFarApartSeparate) {
  // Two people next to each other (no column overlap), and a blob far below.
  const auto g =
      GroupStackedBlobs({{0, 0, 10, 30, 200}, {12, 0, 10, 30, 200}, {0, 100, 10, 30, 200}});
  EXPECT_EQ(g.size(), 3u);
}

TEST(GroupStackedBlobsTest, SlightColumnOverlapIsNotEnough) {
  // 2 of 10 columns shared (< 30%): two people brushing shoulders stay two.
  EXPECT_EQ(GroupStackedBlobs({{0, 0, 10, 30, 200}, {8, 5, 10, 30, 200}}).size(), 2u);
  EXPECT_EQ(GroupStackedBlobs({{0, 0, 10, 30, 200}, {6, 5, 10, 30, 200}}).size(), 1u);
}

}  // namespace
}  // namespace argus::detect
