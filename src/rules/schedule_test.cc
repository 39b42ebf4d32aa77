#include "rules/schedule.h"

#include <gtest/gtest.h>

namespace argus::rules {
namespace {

core::WallTime At(int64_t unix_seconds) {
  return core::WallTime(std::chrono::seconds(unix_seconds));
}

config::OpenHours Hours(std::vector<int> days, int open, int close) {
  config::OpenHours h;
  for (int d : days) h.days[d] = true;
  h.open_minute = open;
  h.close_minute = close;
  return h;
}

TEST(ScheduleTest, ParisSpringForwardOnLastSundayOfMarch) {
  // 2024-03-31 00:59Z is 01:59 CET; one minute later it is 03:00 CEST.
  LocalTime before = ToLocalTime(At(1711846740), "Europe/Paris");
  LocalTime after = ToLocalTime(At(1711846800), "Europe/Paris");
  EXPECT_EQ(before.weekday, 6);  // Sunday
  EXPECT_EQ(before.minute, 1 * 60 + 59);
  EXPECT_EQ(after.weekday, 6);
  EXPECT_EQ(after.minute, 3 * 60);
}

TEST(ScheduleTest, ParisFallBackOnLastSundayOfOctober) {
  // 2024-10-27 00:59Z is 02:59 CEST; one minute later it is 02:00 CET.
  EXPECT_EQ(ToLocalTime(At(1729990740), "Europe/Paris").minute, 2 * 60 + 59);
  EXPECT_EQ(ToLocalTime(At(1729990800), "Europe/Paris").minute, 2 * 60);
}

TEST(ScheduleTest, OpeningFollowsLocalTimeAcrossDst) {
  config::SiteConfig site;
  site.timezone = "Europe/Paris";
  site.open_hours = {Hours({0, 1, 2, 3, 4, 5, 6}, 9 * 60, 18 * 60)};
  Schedule open(site, "open");
  // 08:30Z is 09:30 in winter (open) but 10:30 in summer (open); 07:30Z is
  // 08:30 CET (closed) in winter and 09:30 CEST (open) in summer.
  EXPECT_FALSE(open.Active(At(1706772600)));  // 2024-02-01 07:30Z
  EXPECT_TRUE(open.Active(At(1719819000)));   // 2024-07-01 07:30Z
  Schedule closed(site, "closed");
  EXPECT_TRUE(closed.Active(At(1706772600)));
  EXPECT_FALSE(closed.Active(At(1719819000)));
}

TEST(ScheduleTest, CloseAfterMidnightBelongsToThePreviousDay) {
  // Friday 18:00 -> 01:00 (Saturday morning); nothing on Saturday itself.
  std::vector<config::OpenHours> hours = {Hours({4}, 18 * 60, 60)};
  EXPECT_TRUE(IsOpenAt(hours, {4, 23 * 60}));
  EXPECT_TRUE(IsOpenAt(hours, {5, 30}));        // Saturday 00:30
  EXPECT_FALSE(IsOpenAt(hours, {5, 60}));       // Saturday 01:00: closed
  EXPECT_FALSE(IsOpenAt(hours, {5, 19 * 60}));  // Saturday evening: not a Saturday span
  EXPECT_FALSE(IsOpenAt(hours, {4, 30}));       // Friday 00:30: Thursday had no span
  EXPECT_FALSE(IsOpenAt(hours, {4, 17 * 60 + 59}));

  config::SiteConfig site;
  site.timezone = "Europe/Paris";
  site.open_hours = hours;
  Schedule open(site, "open");
  EXPECT_TRUE(open.Active(At(1720218600)));  // 2024-07-05 22:30Z = Sat 00:30 CEST
}

TEST(ScheduleTest, SundayToMondayWrap) {
  std::vector<config::OpenHours> hours = {Hours({6}, 22 * 60, 2 * 60)};
  EXPECT_TRUE(IsOpenAt(hours, {0, 60}));  // Monday 01:00 after Sunday's span
  EXPECT_FALSE(IsOpenAt(hours, {0, 22 * 60 + 30}));
}

TEST(ScheduleTest, NoOpenHoursMeansAlwaysClosedAndAlwaysIsAlways) {
  config::SiteConfig site;
  Schedule open(site, "open"), closed(site, "closed"), always(site, "always");
  EXPECT_FALSE(open.Active(At(1718186400)));
  EXPECT_TRUE(closed.Active(At(1718186400)));
  EXPECT_TRUE(always.Active(At(1718186400)));
}

TEST(ScheduleTest, RestoresTheProcessTimeZone) {
  setenv("TZ", "America/New_York", 1);
  (void)ToLocalTime(At(1718186400), "Asia/Tokyo");
  ASSERT_NE(getenv("TZ"), nullptr);
  EXPECT_STREQ(getenv("TZ"), "America/New_York");
  unsetenv("TZ");
  (void)ToLocalTime(At(1718186400), "Asia/Tokyo");
  EXPECT_EQ(getenv("TZ"), nullptr);
  // Tokyo is UTC+9 without DST: 10:00Z -> 19:00.
  EXPECT_EQ(ToLocalTime(At(1718186400), "Asia/Tokyo").minute, 19 * 60);
}

}  // namespace
}  // namespace argus::rules
