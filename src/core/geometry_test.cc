#include "core/geometry.h"

#include <gtest/gtest.h>

namespace argus::core {
namespace {

TEST(Geometry, IoUOfDisjointIdenticalAndHalfOverlap) {
  const Box a{0, 0, 10, 10};
  EXPECT_DOUBLE_EQ(IoU(a, a), 1.0);
  EXPECT_DOUBLE_EQ(IoU(a, {20, 20, 5, 5}), 0.0);
  EXPECT_DOUBLE_EQ(IoU(a, {5, 0, 10, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(IoU(a, {10, 0, 10, 10}), 0.0);  // touching edges share no area
}

TEST(Geometry, BottomCenterIsTheFootPoint) {
  EXPECT_EQ((Box{10, 20, 30, 40}.BottomCenter()), (Point{25, 60}));
}

TEST(Geometry, PointInConcavePolygon) {
  // A "U" shape: the notch (5,8) is outside, the arms are inside.
  const Polygon u{{0, 0}, {10, 0}, {10, 10}, {7, 10}, {7, 3}, {3, 3}, {3, 10}, {0, 10}};
  EXPECT_TRUE(PointInPolygon({1, 8}, u));
  EXPECT_TRUE(PointInPolygon({9, 8}, u));
  EXPECT_FALSE(PointInPolygon({5, 8}, u));
  EXPECT_TRUE(PointInPolygon({5, 1}, u));
  EXPECT_TRUE(PointInPolygon({0, 5}, u));  // boundary counts as inside
  EXPECT_FALSE(PointInPolygon({11, 5}, u));
  EXPECT_FALSE(PointInPolygon({1, 1}, Polygon{{0, 0}, {2, 2}}));  // degenerate
}

TEST(Geometry, AreaAndDistanceToPolygon) {
  const Polygon sq{{0, 0}, {4, 0}, {4, 4}, {0, 4}};
  EXPECT_DOUBLE_EQ(Area(sq), 16.0);
  EXPECT_DOUBLE_EQ(DistanceToPolygon({2, 2}, sq), 0.0);
  EXPECT_DOUBLE_EQ(DistanceToPolygon({7, 4}, sq), 3.0);
  EXPECT_DOUBLE_EQ(DistanceToPolygon({7, 8}, sq), 5.0);
}

TEST(Geometry, SideOfLineAndIntersection) {
  const Segment s{{0, 0}, {10, 0}};
  EXPECT_GT(SideOfLine({5, 1}, s), 0);
  EXPECT_LT(SideOfLine({5, -1}, s), 0);
  EXPECT_EQ(SideOfLine({20, 0}, s), 0);
  EXPECT_TRUE(SegmentsIntersect(s, {{5, -1}, {5, 1}}));
  EXPECT_FALSE(SegmentsIntersect(s, {{11, -1}, {11, 1}}));
  EXPECT_TRUE(SegmentsIntersect(s, {{10, 0}, {10, 5}}));  // shared end point
}

TEST(Geometry, RelativeToPixels) {
  const Polygon rel{{0, 0}, {0.5, 0}, {0.5, 1}};
  const Polygon px = ToPixels(rel, 768, 576);
  EXPECT_EQ(px[1], (Point{384, 0}));
  EXPECT_EQ(px[2], (Point{384, 576}));
}

}  // namespace
}  // namespace argus::core
