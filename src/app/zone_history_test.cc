#include "app/zone_history.h"

#include <gtest/gtest.h>

#include "api/backend.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

using store::testing::kT0;

TEST(ZoneHistory, WritesEachZoneAtMostEveryPeriodAndTheLastCountAtExit) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  core::FakeClock clock(kT0);
  std::atomic<uint64_t> errors{0};
  ZoneHistory zones(**db, clock, errors);
  auto counts = [&] {
    std::vector<double> out;
    auto r = (*db)->QuerySensorReadings(api::ZoneSensorName("hall", "door"), kT0,
                                        kT0 + std::chrono::hours(1), 100);
    EXPECT_TRUE(r.ok());
    for (const auto& s : *r) out.push_back(s.value);
    return out;
  };

  zones.Record("hall", "door", 1);  // the first count goes out at once
  EXPECT_EQ(counts(), std::vector<double>{1});
  clock.Advance(std::chrono::milliseconds(500));
  zones.Record("hall", "door", 2);  // flicker: held back
  zones.Record("hall", "door", 3);
  zones.Flush(false);
  EXPECT_EQ(counts(), std::vector<double>{1});
  clock.Advance(std::chrono::seconds(2));
  zones.Flush(false);  // the period passed: the latest count only
  EXPECT_EQ(counts(), (std::vector<double>{1, 3}));
  zones.Flush(false);  // nothing new
  clock.Advance(std::chrono::milliseconds(100));
  zones.Record("hall", "door", 0);
  zones.Flush(true);  // at exit, whatever the period
  EXPECT_EQ(counts(), (std::vector<double>{1, 3, 0}));
  EXPECT_EQ(errors, 0u);
}

}  // namespace
}  // namespace argus::app
