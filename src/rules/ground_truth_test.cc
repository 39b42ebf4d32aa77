#include "rules/ground_truth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace argus::rules {
namespace {

// Hand-made tracks: two people cross a horizontal line (0.1..0.9 at y = 0.5 of
// a 1000x1000 frame) downwards, one upwards, one jitters on it, one passes
// beyond its end.
std::vector<GtBox> Synthetic() {
  std::vector<GtBox> rows;
  auto walk = [&rows](int id, double x0, double y0, double x1, double y1, int n) {
    for (int i = 0; i <= n; ++i) {
      const double x = x0 + (x1 - x0) * i / n, y = y0 + (y1 - y0) * i / n;
      rows.push_back({i + 1, id, {x - 20, y - 100, 40, 100}});
    }
  };
  walk(1, 300, 300, 300, 700, 20);
  walk(2, 600, 350, 650, 650, 20);
  walk(3, 500, 700, 500, 300, 20);
  walk(4, 950, 300, 950, 700, 20);  // past b
  for (int i = 0; i < 50; ++i) rows.push_back({i + 1, 5, {480, 400.0 + (i % 2 ? 8.0 : -8.0), 40, 100}});
  return rows;
}

TEST(GroundTruthTest, CountsCrossingsOfSyntheticTracks) {
  const LineCounts c = CountGtCrossings(Synthetic(), {0.1, 0.5}, {0.9, 0.5}, 0.01, 3, 1000, 1000);
  EXPECT_EQ(c.a_to_b, 2);
  EXPECT_EQ(c.b_to_a, 1);
}

TEST(GroundTruthTest, CountsZoneEntriesOfSyntheticTracks) {
  // Lower part, left of x = 0.7: tracks 1 and 2 walk into it, 3 appears in it (an
  // entry too); 4 is right of it and 5 stays above it.
  const core::Polygon lower = {{0, 0.55}, {0.7, 0.55}, {0.7, 1}, {0, 1}};
  EXPECT_EQ(CountGtZoneEntries(Synthetic(), lower, 3, 1000, 1000), 3);
}

std::string SharedDir() {
  if (const char* d = std::getenv("ARGUS_SHARED_DIR")) return d;
  return std::string(ARGUS_SOURCE_DIR) + "/../shared";
}

// PETS09-S2L1 (the scene of vtest.avi) ground truth through the rule logic. The
// expected numbers come from an independent Python re-implementation of the
// same definitions (foot point, band 0.01 of the diagonal, inertia 3, crossing
// point on the segment; zone entries after 3 frames inside).
TEST(GroundTruthTest, PetsS2L1CountsMatchAnIndependentComputation) {
  const std::string path = SharedDir() + "/data/mot15/PETS09-S2L1/gt/gt.txt";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no shared data at " << path << " (set ARGUS_SHARED_DIR)";
  std::vector<GtBox> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    GtBox r;
    ss >> r.frame >> r.id >> r.box.x >> r.box.y >> r.box.w >> r.box.h;
    if (ss) rows.push_back(r);
  }
  ASSERT_EQ(rows.size(), 4650u);
  const LineCounts c = CountGtCrossings(rows, {0.05, 0.6}, {0.95, 0.6}, 0.01, 3, 768, 576);
  EXPECT_EQ(c.a_to_b, 7);
  EXPECT_EQ(c.b_to_a, 11);
  const core::Polygon lawn = {{0.0, 0.3}, {0.45, 0.3}, {0.45, 0.65}, {0.0, 0.65}};
  EXPECT_EQ(CountGtZoneEntries(rows, lawn, 3, 768, 576), 18);
}

}  // namespace
}  // namespace argus::rules
