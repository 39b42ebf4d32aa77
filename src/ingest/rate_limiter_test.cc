#include "ingest/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace argus::ingest {
namespace {

std::vector<int> Kept(double target, double source_fps, int n) {
  RateLimiter r(target);
  std::vector<int> kept;
  for (int i = 0; i < n; ++i) {
    if (r.Accept(i / source_fps)) kept.push_back(i);
  }
  return kept;
}

TEST(RateLimiter, KeepsFiveOfTwentyFiveEveryFifthFrame) {
  std::vector<int> kept = Kept(5, 25, 250);
  ASSERT_EQ(kept.size(), 50u);
  for (size_t k = 0; k < kept.size(); ++k) EXPECT_EQ(kept[k], static_cast<int>(5 * k));
}

TEST(RateLimiter, NonDividingRatesKeepTheAverage) {
  // 30 -> 7 fps over 60 s: the schedule keeps exactly 7 per second on average.
  EXPECT_EQ(Kept(7, 30, 1800).size(), 420u);
}

TEST(RateLimiter, ZeroOrHigherTargetKeepsAll) {
  EXPECT_EQ(Kept(0, 25, 100).size(), 100u);
  EXPECT_EQ(Kept(50, 25, 100).size(), 100u);
}

TEST(RateLimiter, RestartsScheduleAfterAGap) {
  RateLimiter r(5);
  EXPECT_TRUE(r.Accept(0));
  EXPECT_FALSE(r.Accept(0.1));
  EXPECT_TRUE(r.Accept(10.01));  // after an outage: keep the first frame
  EXPECT_FALSE(r.Accept(10.11));
  EXPECT_TRUE(r.Accept(10.21));  // then every 0.2 s from it
}

}  // namespace
}  // namespace argus::ingest
