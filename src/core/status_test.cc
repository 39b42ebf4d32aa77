#include "core/status.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace argus::core {
namespace {

Result<int> Half(int v) {
  if (v % 2) return InvalidArgument("odd: " + std::to_string(v));
  return v / 2;
}

Status Chain(int v, int* out) {
  auto r = Half(v);
  ARGUS_RETURN_IF_ERROR(r.status());
  *out = *r;
  return Status::Ok();
}

TEST(Status, ResultCarriesValueOrError) {
  EXPECT_TRUE(Half(4).ok());
  EXPECT_EQ(*Half(4), 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "odd: 3");
  int out = 0;
  EXPECT_TRUE(Chain(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(Chain(5, &out).ToString(), "invalid argument: odd: 5");
}

TEST(Clock, FakeClockAdvancesOnSleep) {
  FakeClock clock;
  const double t0 = clock.Seconds();
  clock.SleepFor(std::chrono::milliseconds(1500));
  EXPECT_DOUBLE_EQ(clock.Seconds() - t0, 1.5);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(clock.Seconds() - t0, 3.5);
}

}  // namespace
}  // namespace argus::core
