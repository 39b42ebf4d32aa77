#include "rules/intrusion.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

TEST(IntrusionTest, OneIncidentPerTrackFromEntryToCooldown) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, cooldown_s: 2}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {100, 400})});  // outside
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 50; ++i) h.Step({h.At(1, {400, 400})});  // inside 5 s
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  const events::Event start = h.events()[0];
  EXPECT_EQ(start.type, "intrusion");
  EXPECT_EQ(start.camera, "cam");
  EXPECT_EQ(start.rule, "r");
  EXPECT_EQ(start.zone, "room");
  EXPECT_EQ(start.track_id, 1);
  EXPECT_EQ(start.frame, 13);  // 3rd inside frame (inertia 3)
  EXPECT_EQ(start.bbox, (core::Box{380, 300, 40, 100}));
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {100, 400})});  // gone out for 3 s
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
  EXPECT_EQ(h.events().back().id, start.id);
}

TEST(IntrusionTest, AShortOcclusionDoesNotSplitTheIncident) {
  // Zero cool-down: without the lost track keeping it open, the incident would
  // end on the first missed frame and a second one would start after.
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, cooldown_s: 0}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {400, 400})});
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  track::Track lost = h.At(1, {400, 400});
  lost.state = track::TrackState::kLost;
  const std::vector<track::Track> active = {lost};
  for (int i = 0; i < 5; ++i) h.Step({}, &active);  // missed for 0.5 s, still tracked
  for (int i = 0; i < 10; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 0);
  for (int i = 0; i < 5; ++i) h.Step({});  // really gone (not even lost)
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
}

TEST(IntrusionTest, JitterAtTheEdgeDoesNotFlap) {
  // Zero cool-down: any flap of the membership would show as end + start.
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, cooldown_s: 0}\n"));
  ASSERT_TRUE(h.ok());
  // Outside, touching the edge x = 600 every other frame: never 3 frames in a row.
  for (int i = 0; i < 100; ++i) h.Step({h.At(1, {i % 2 ? 598.0 : 603.0, 400})});
  EXPECT_TRUE(h.events().empty());
  // Inside, then stepping out for at most 2 frames at a time.
  for (int i = 0; i < 5; ++i) h.Step({h.At(2, {590, 400})});
  const bool pattern[] = {true, false, false};
  for (int i = 0; i < 120; ++i) h.Step({h.At(2, {pattern[i % 3] ? 597.0 : 603.0, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 0);
}

TEST(IntrusionTest, OtherLabelsAndOutsideTracksAreIgnored) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 30; ++i) h.Step({h.At(1, {400, 400}, "car"), h.At(2, {700, 700})});
  EXPECT_TRUE(h.events().empty());
}

TEST(IntrusionTest, LabelsOverrideTheDefault) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, labels: [car]}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 5; ++i) h.Step({h.At(1, {400, 400}, "car"), h.At(2, {400, 400})});
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].label, "car");
}

TEST(IntrusionTest, PerZoneOpensOneIncidentWithCounts) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, per: zone}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 5; ++i) h.Step({h.At(1, {300, 300})});
  for (int i = 0; i < 5; ++i) h.Step({h.At(1, {300, 300}), h.At(2, {500, 500})});
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].zone, "room");
  EXPECT_EQ(h.events()[0].details["count"], 1);
  ASSERT_EQ(h.Count(Phase::kUpdate), 1);  // the count went up: news
  EXPECT_EQ(h.events()[1].details["count"], 2);
  EXPECT_EQ(h.events()[1].id, h.events()[0].id);
}

TEST(IntrusionTest, MinDwellDelaysTheStart) {
  Harness h(CameraYaml("      - {name: r, kind: intrusion, zone: room, min_dwell_s: 2}\n"));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 15; ++i) h.Step({h.At(1, {400, 400})});  // 1.5 s inside
  EXPECT_TRUE(h.events().empty());
  for (int i = 0; i < 15; ++i) h.Step({h.At(1, {400, 400})});
  EXPECT_EQ(h.Count(Phase::kStart), 1);
}

}  // namespace
}  // namespace argus::rules
