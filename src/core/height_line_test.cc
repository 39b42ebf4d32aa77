#include "core/height_line.h"

#include <gtest/gtest.h>

namespace argus::core {
namespace {

TEST(HeightLine, LearnsHeightAgainstFootRowOnceItHasEnoughSamples) {
  HeightLine line(/*decay=*/1.0, /*min_samples=*/4);
  // People 20 px tall at row 100, 60 px at row 300: h = 0.2 * y.
  line.Add(100, 20);
  line.Add(300, 60);
  line.Add(100, 20);
  EXPECT_FALSE(line.Calibrated());
  line.Add(300, 60);
  ASSERT_TRUE(line.Calibrated());
  EXPECT_NEAR(line.Height(200, 0), 40, 1e-9);
  EXPECT_NEAR(line.Height(400, 0), 80, 1e-9);
  EXPECT_EQ(line.Height(0, 5), 5) << "never below the floor given";
}

TEST(HeightLine, OneRowGivesTheMeanHeightEverywhere) {
  HeightLine line(1.0, 2);
  line.Add(150, 30);
  line.Add(150, 50);
  EXPECT_NEAR(line.Height(10, 0), 40, 1e-9);
  EXPECT_NEAR(line.Height(400, 0), 40, 1e-9);
}

TEST(HeightLine, ForgetsOldGeometry) {
  HeightLine line(/*decay=*/0.5, 1);
  line.Add(100, 10);
  for (int i = 0; i < 40; ++i) line.Add(100, 50);  // the camera was moved closer
  EXPECT_NEAR(line.Height(100, 0), 50, 1e-6);
}

}  // namespace
}  // namespace argus::core
