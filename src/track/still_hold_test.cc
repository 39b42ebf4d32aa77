#include "track/still_hold.h"

#include <gtest/gtest.h>

namespace argus::track {
namespace {

Track Person(int id, double x, double y, TrackState state = TrackState::kTracked) {
  Track t;
  t.id = id;
  t.label = "person";
  t.state = state;
  t.box = {x, y, 20, 60};
  return t;
}

TEST(StillHoldTest, HoldsAPersonWhoWalkedInAndStopped) {
  StillHold hold;
  double t = 0;
  for (int i = 0; i < 16; ++i, t += 0.1) {
    // Held from the moment it has travelled its height (60 px), not before.
    EXPECT_EQ(hold.Update({Person(1, 10 + 5 * i, 100)}, t).size(), 5 * i >= 60 ? 1u : 0u) << i;
  }
  // Travelled 75 px >= 60: held while it stands still (up to max_still_s).
  for (int i = 0; i < 50; ++i, t += 1) {
    const auto boxes = hold.Update({Person(1, 85, 100)}, t);
    ASSERT_EQ(boxes.size(), 1u) << "t=" << t;
    EXPECT_DOUBLE_EQ(boxes[0].x, 85);
  }
}

TEST(StillHoldTest, NeverHoldsATrackThatNeverMoved) {
  StillHold hold;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(hold.Update({Person(7, 50, 50)}, i * 0.5).empty());
}

TEST(StillHoldTest, ReleasesAfterMaxStillAndOnlyPeopleConfirmedCount) {
  StillHold hold({.travel_fraction = 0.5, .max_still_s = 10});
  Track car = Person(3, 0, 0);
  car.label = "car";
  hold.Update({Person(1, 0, 0), Person(2, 0, 0, TrackState::kNew), car}, 0);
  std::vector<core::Box> b = hold.Update({Person(1, 40, 0), Person(2, 40, 0, TrackState::kNew),
                                          [&] {
                                            car.box.x = 40;
                                            return car;
                                          }()},
                                         1);
  ASSERT_EQ(b.size(), 1u);  // the unconfirmed track and the car are not held
  EXPECT_EQ(hold.Update({Person(1, 40, 0)}, 11).size(), 1u);
  EXPECT_TRUE(hold.Update({Person(1, 40, 0)}, 11.5).empty());
  // Moving again re-arms it.
  EXPECT_EQ(hold.Update({Person(1, 50, 0)}, 12).size(), 1u);
}

TEST(StillHoldTest, ForgetsTracksThatEnded) {
  StillHold hold;
  hold.Update({Person(1, 0, 0)}, 0);
  EXPECT_EQ(hold.Update({Person(1, 70, 0)}, 1).size(), 1u);
  EXPECT_TRUE(hold.Update({}, 2).empty());
  // The same id seen again starts from scratch: no travel yet.
  EXPECT_TRUE(hold.Update({Person(1, 70, 0)}, 3).empty());
}

}  // namespace
}  // namespace argus::track
