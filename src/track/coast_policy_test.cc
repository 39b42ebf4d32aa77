#include "track/coast_policy.h"

#include <gtest/gtest.h>

namespace argus::track {
namespace {

Track Tracked(core::Box b, TrackState s = TrackState::kTracked) {
  Track t;
  t.id = 1;
  t.box = b;
  t.state = s;
  return t;
}

TEST(CoastPolicy, OffByDefault) {
  CoastPolicy p({});
  EXPECT_FALSE(p.ShouldCoast({}, {}, true));
}

TEST(CoastPolicy, MotionOfTrackedPeopleCoastsUpToTheLimitThenDetects) {
  CoastPolicy p({.max_coasted = 2});
  const std::vector<Track> active = {Tracked({100, 100, 40, 100})};
  const std::vector<core::Box> motion = {{105, 110, 40, 95}};  // the person moved a little
  EXPECT_TRUE(p.ShouldCoast(motion, active, true));
  EXPECT_TRUE(p.ShouldCoast(motion, active, true));
  EXPECT_FALSE(p.ShouldCoast(motion, active, true));  // the detector's turn
  EXPECT_TRUE(p.ShouldCoast(motion, active, true));   // and the count starts again
}

TEST(CoastPolicy, MotionNobodyExplainsRunsTheDetectorAtOnce) {
  CoastPolicy p({.max_coasted = 3});
  const std::vector<Track> active = {Tracked({100, 100, 40, 100})};
  // Someone enters at the other side of the frame.
  EXPECT_FALSE(p.ShouldCoast({{105, 110, 40, 95}, {600, 300, 30, 80}}, active, true));
  // Half inside a tracked box is not enough either.
  EXPECT_FALSE(p.ShouldCoast({{130, 100, 80, 100}}, active, true));
}

TEST(CoastPolicy, ALostTrackOrAnUntrustedMotionMaskRunsTheDetector) {
  CoastPolicy p({.max_coasted = 3});
  const std::vector<core::Box> motion = {{105, 110, 40, 95}};
  EXPECT_FALSE(p.ShouldCoast(
      motion, {Tracked({100, 100, 40, 100}), Tracked({300, 100, 40, 100}, TrackState::kLost)},
      true));
  EXPECT_FALSE(p.ShouldCoast(motion, {Tracked({100, 100, 40, 100})}, false));
}

TEST(CoastPolicy, AQuietEmptySceneCoastsOnlyUpToTheLimit) {
  // The detector still runs every few frames, so its periodic whole-frame pass
  // can find people who were already standing still.
  CoastPolicy p({.max_coasted = 1});
  EXPECT_TRUE(p.ShouldCoast({}, {}, true));
  EXPECT_FALSE(p.ShouldCoast({}, {}, true));
}

}  // namespace
}  // namespace argus::track
