#include "ingest/backoff.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/clock.h"

namespace argus::ingest {
namespace {

TEST(BackoffSchedule, DoublesUpToTheCapWithoutJitter) {
  BackoffSchedule b({.initial_s = 0.5, .max_s = 30, .factor = 2, .jitter = 0});
  const double expected[] = {0.5, 1, 2, 4, 8, 16, 30, 30, 30};
  for (double e : expected) EXPECT_DOUBLE_EQ(b.Next(), e);
  EXPECT_EQ(b.attempt(), 9);
}

TEST(BackoffSchedule, ResetStartsAgainFromInitial) {
  BackoffSchedule b({.initial_s = 1, .max_s = 10, .factor = 3, .jitter = 0});
  EXPECT_DOUBLE_EQ(b.Next(), 1);
  EXPECT_DOUBLE_EQ(b.Next(), 3);
  EXPECT_DOUBLE_EQ(b.Next(), 9);
  b.Reset();
  EXPECT_DOUBLE_EQ(b.Next(), 1);
}

TEST(BackoffSchedule, JitterStaysWithinBoundsAndVaries) {
  BackoffSchedule b({.initial_s = 2, .max_s = 2, .factor = 2, .jitter = 0.1}, /*seed=*/42);
  double lo = 1e9, hi = 0;
  for (int i = 0; i < 200; ++i) {
    double d = b.Next();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, 1.8);
  EXPECT_LE(hi, 2.0);  // never above max_s
  EXPECT_LT(lo, 1.9);  // it does spread downwards
}

TEST(BackoffSchedule, HugeAttemptCountDoesNotOverflow) {
  BackoffSchedule b({.initial_s = 0.5, .max_s = 30, .factor = 2, .jitter = 0});
  for (int i = 0; i < 5000; ++i) EXPECT_LE(b.Next(), 30);
  EXPECT_DOUBLE_EQ(b.BaseDelay(100000), 30);
}

TEST(BackoffSchedule, SleepingTheScheduleOnAFakeClockAddsUp) {
  core::FakeClock clock;
  BackoffSchedule b({.initial_s = 0.5, .max_s = 4, .factor = 2, .jitter = 0});
  double start = clock.Seconds();
  for (int i = 0; i < 5; ++i) {
    clock.SleepFor(
        std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(b.Next())));
  }
  EXPECT_NEAR(clock.Seconds() - start, 0.5 + 1 + 2 + 4 + 4, 1e-9);
}

}  // namespace
}  // namespace argus::ingest
