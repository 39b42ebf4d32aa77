#include "rules/vehicle_near_facade.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

TEST(VehicleNearFacadeTest, StationaryTruckInThePerimeter) {
  Harness h(
      CameraYaml("      - {name: r, kind: vehicle_near_facade, zone: room, min_dwell_s: 10}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 90; ++i) h.Step({h.At(1, {400, 500}, "truck", 150, 250)});
  EXPECT_TRUE(h.events().empty());  // 9 s
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 500}, "truck", 150, 250)});
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["mode"], "class");
  EXPECT_EQ(h.events()[0].label, "truck");
}

TEST(VehicleNearFacadeTest, MovingTruckOrParkedPersonOrTruckOutsideIsIgnored) {
  Harness h(
      CameraYaml("      - {name: r, kind: vehicle_near_facade, zone: room, min_dwell_s: 5}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 100; ++i) {
    const double x = 210 + 3.8 * i;  // 38 px/s ~ 0.25 heights/s, stays in the zone
    h.Step({h.At(1, {x, 500}, "truck", 150, 250), h.At(2, {300, 300}),
            h.At(3, {800, 800}, "bus", 150, 250)});
  }
  EXPECT_TRUE(h.events().empty());
}

TEST(VehicleNearFacadeTest, AnyLargeObjectWhenSizeModeIsOn) {
  Harness h(CameraYaml(
      "      - {name: r, kind: vehicle_near_facade, zone: room, min_area_fraction: 0.05}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {300, 300}, "person", 100, 40)});  // small
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 10; ++i) h.Step({h.At(2, {400, 500}, "person", 300, 300)});  // 9 %
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["mode"], "size");
}

}  // namespace
}  // namespace argus::rules
