#include "rules/loitering.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

const char* kRule = "      - {name: r, kind: loitering, zone: room, min_dwell_s: 5}\n";

TEST(LoiteringTest, DwellSurvivesAShortOcclusion) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});  // 3 s
  // 0.5 s occluded: not seen, but still held by the tracker.
  track::Track held = h.At(1, {400, 400});
  held.state = track::TrackState::kLost;
  const std::vector<track::Track> active = {held};
  for (int i = 0; i < 5; ++i) h.Step({}, &active);
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});  // 3 s more
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  // Entered at frame 3 (t = 0.2), so the 5 s are reached at t = 5.2 (frame 53).
  EXPECT_GE(h.events()[0].frame, 53);
  EXPECT_LE(h.events()[0].frame, 54);
  EXPECT_GE(h.events()[0].details["dwell_s"].get<double>(), 5.0);
}

TEST(LoiteringTest, ATrackTheTrackerDroppedStartsOver) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});
  const std::vector<track::Track> none;
  h.Step({}, &none);  // gone from the tracker
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_TRUE(h.events().empty());
}

TEST(LoiteringTest, LeavingTheZoneResetsTheDwell) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 40; ++i) h.Step({h.At(1, {400, 400})});
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {700, 400})});
  for (int i = 0; i < 40; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 20; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 1);
}

}  // namespace
}  // namespace argus::rules
