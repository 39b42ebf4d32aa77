#include "rules/line_crossing.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

// door: (200, 500) -> (800, 500); side A is above it (y < 500), side B below.
const LineCounts& CountsOf(Harness& h) {
  auto* rule = dynamic_cast<LineCrossingRule*>(h.engine().FindRule("r"));
  EXPECT_NE(rule, nullptr);
  return rule->Counts();
}

void Walk(Harness& h, int id, core::Point from, core::Point to, int frames) {
  for (int i = 0; i <= frames; ++i) h.Step({h.At(id, from + (to - from) * (double(i) / frames))});
}

TEST(LineCrossingTest, CountsEachDirection) {
  Harness h(CameraYaml("      - {name: r, kind: line_crossing, line: door}\n"));
  ASSERT_TRUE(h.ok());
  Walk(h, 1, {500, 400}, {500, 600}, 20);  // A -> B
  EXPECT_EQ(CountsOf(h).a_to_b, 1);
  EXPECT_EQ(CountsOf(h).b_to_a, 0);
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["direction"], "a_to_b");
  EXPECT_EQ(h.events()[0].zone, "door");
  Walk(h, 2, {300, 650}, {350, 350}, 20);  // B -> A
  Walk(h, 3, {700, 650}, {700, 350}, 20);  // B -> A
  EXPECT_EQ(CountsOf(h).a_to_b, 1);
  EXPECT_EQ(CountsOf(h).b_to_a, 2);
  EXPECT_EQ(h.Count(Phase::kStart), 3);
  EXPECT_EQ(h.events().back().details["counts"]["b_to_a"], 2);
}

TEST(LineCrossingTest, StandingOnTheLineWithJitterNeverCounts) {
  Harness h(CameraYaml("      - {name: r, kind: line_crossing, line: door}\n"));
  ASSERT_TRUE(h.ok());
  // Within the band (0.01 of the diagonal = 14 px) on both sides.
  for (int i = 0; i < 200; ++i) h.Step({h.At(1, {500, i % 2 ? 490.0 : 510.0})});
  // Beyond the band but flipping sides every frame (inertia 3 never confirms),
  // after having been clearly on side A.
  for (int i = 0; i < 10; ++i) h.Step({h.At(2, {400, 450})});
  for (int i = 0; i < 200; ++i) h.Step({h.At(2, {400, i % 2 ? 480.0 : 520.0})});
  EXPECT_EQ(CountsOf(h).a_to_b, 0);
  EXPECT_EQ(CountsOf(h).b_to_a, 0);
  EXPECT_TRUE(h.events().empty());
}

TEST(LineCrossingTest, CrossingOutsideTheSegmentDoesNotCount) {
  Harness h(CameraYaml("      - {name: r, kind: line_crossing, line: door}\n"));
  ASSERT_TRUE(h.ok());
  Walk(h, 1, {900, 400}, {900, 600}, 20);  // beyond b = (800, 500)
  Walk(h, 2, {100, 600}, {150, 400}, 20);  // before a = (200, 500)
  EXPECT_EQ(CountsOf(h).a_to_b + CountsOf(h).b_to_a, 0);
}

TEST(LineCrossingTest, DirectionFilterCountsBothButAlertsOnOne) {
  Harness h(CameraYaml("      - {name: r, kind: line_crossing, line: door, direction: a_to_b}\n"));
  ASSERT_TRUE(h.ok());
  Walk(h, 1, {500, 600}, {500, 400}, 20);  // B -> A: counted, no event
  EXPECT_EQ(CountsOf(h).b_to_a, 1);
  EXPECT_TRUE(h.events().empty());
  Walk(h, 2, {500, 400}, {500, 600}, 20);
  EXPECT_EQ(h.Count(Phase::kStart), 1);
}

TEST(LineCrossingTest, BackAndForthWithinCooldownIsOneIncident) {
  Harness h(CameraYaml("      - {name: r, kind: line_crossing, line: door, cooldown_s: 10}\n"));
  ASSERT_TRUE(h.ok());
  Walk(h, 1, {500, 400}, {500, 600}, 10);
  Walk(h, 1, {500, 600}, {500, 400}, 10);
  EXPECT_EQ(CountsOf(h).a_to_b, 1);
  EXPECT_EQ(CountsOf(h).b_to_a, 1);
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kUpdate), 1);  // the second crossing
  h.Finish();
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
}

TEST(LineCrossingTest, PureCrossingDirection) {
  const core::Segment seg{{0, 0}, {10, 0}};
  EXPECT_EQ(CrossingDirection({5, -1}, {5, 1}, seg, 0.5), 1);  // A (y<0) -> B
  EXPECT_EQ(CrossingDirection({5, 1}, {5, -1}, seg, 0.5), -1);
  EXPECT_EQ(CrossingDirection({5, -0.4}, {5, 1}, seg, 0.5), 0);  // starts in the band
  EXPECT_EQ(CrossingDirection({11, -1}, {12, 1}, seg, 0.5), 0);  // past b
  EXPECT_EQ(CrossingDirection({5, -1}, {6, -2}, seg, 0.5), 0);   // same side
}

}  // namespace
}  // namespace argus::rules
