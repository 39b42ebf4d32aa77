#include "ingest/timestamps.h"

#include <gtest/gtest.h>

namespace argus::ingest {
namespace {

TEST(TimestampRebaser, FirstFrameIsZeroAndStreamSpacingIsKept) {
  TimestampRebaser r(25);
  EXPECT_DOUBLE_EQ(r.Map(1000.0), 0);
  EXPECT_DOUBLE_EQ(r.Map(1000.04), 1000.04 - 1000.0);
  EXPECT_DOUBLE_EQ(r.Map(1000.2), 1000.2 - 1000.0);  // a gap in the stream stays a gap
}

TEST(TimestampRebaser, MissingOrBackwardTimestampsAdvanceByOneInterval) {
  TimestampRebaser r(10);
  EXPECT_DOUBLE_EQ(r.Map(5.0), 0);
  EXPECT_DOUBLE_EQ(r.Map(std::nullopt), 0.1);
  EXPECT_DOUBLE_EQ(r.Map(5.0), 0.2);  // repeated pts: still increasing
  EXPECT_DOUBLE_EQ(r.Map(4.0), 0.3);
  EXPECT_NEAR(r.Map(5.5), 0.5, 1e-12);  // back on the stream's own clock
}

TEST(TimestampRebaser, NoTimestampsAtAllUsesTheFrameRate) {
  TimestampRebaser r(0);  // unknown rate: fallback interval
  EXPECT_DOUBLE_EQ(r.Map(std::nullopt), 0);
  EXPECT_DOUBLE_EQ(r.Map(std::nullopt), kFallbackFrameInterval);
}

TEST(TimestampRebaser, ReconnectContinuesAfterTheOutage) {
  TimestampRebaser r(25);
  r.Map(0.0);
  r.Map(0.04);
  // The new connection restarts its own pts near 0, after 3 s without frames.
  r.NewSession(3.0);
  EXPECT_NEAR(r.Map(0.0), 3.04, 1e-12);
  EXPECT_NEAR(r.Map(0.04), 3.08, 1e-12);
  // A very short gap still moves forward by at least a frame.
  r.NewSession(0.0);
  EXPECT_NEAR(r.Map(77.0), 3.12, 1e-12);
  EXPECT_NEAR(r.Map(77.04), 3.16, 1e-12);
}

}  // namespace
}  // namespace argus::ingest
