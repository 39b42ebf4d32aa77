#include "track/sort_tracker.h"

#include <gtest/gtest.h>

namespace argus::track {
namespace {

Detection Person(double cx, double bottom) {
  return {{cx - 20, bottom - 100, 40, 100}, 0.9f, "person"};
}

TEST(SortTracker, PublishedLifeCycle) {
  auto tracker = MakeSortTracker({});  // max_age 1, min_hits 3, IoU 0.3
  int f = 0;
  auto step = [&](const std::vector<Detection>& d) { return tracker->Update(d, 0.1 * f++); };
  // The first min_hits frames report tracks at once (sort.py's frame_count rule).
  EXPECT_EQ(step({Person(100, 300)}).size(), 1u);
  EXPECT_EQ(step({Person(102, 300)}).size(), 1u);
  EXPECT_EQ(step({Person(104, 300)}).size(), 1u);
  // A newcomer needs a hit streak of 3: created (streak 0), then 1, 2, 3.
  EXPECT_EQ(step({Person(106, 300), Person(400, 300)}).size(), 1u);
  EXPECT_EQ(step({Person(108, 300), Person(400, 300)}).size(), 1u);
  EXPECT_EQ(step({Person(110, 300), Person(400, 300)}).size(), 1u);
  auto out = step({Person(112, 300), Person(400, 300)});
  ASSERT_EQ(out.size(), 2u);
  const int first = out[0].id;
  EXPECT_EQ(first, 1);
  // One missed frame is within max_age = 1 but resets the hit streak.
  step({Person(400, 300)});
  out = step({Person(116, 300), Person(400, 300)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].id, first);
  // Two missed frames: the track is deleted, the person comes back with a new id.
  step({Person(400, 300)});
  step({Person(400, 300)});
  step({Person(400, 300)});
  for (int i = 0; i < 3; ++i) step({Person(126, 300), Person(400, 300)});
  out = step({Person(126, 300), Person(400, 300)});
  ASSERT_EQ(out.size(), 2u);
  for (const Track& t : out) {
    if (t.box.Center().x < 200) {
      EXPECT_GT(t.id, 2);
    }
  }
}

TEST(SortTracker, RejectsMatchesBelowIouThreshold) {
  SortParams p;
  p.min_hits = 0;  // report every track at once, to see the identities
  auto tracker = MakeSortTracker(p);
  const int id = tracker->Update({Person(100, 300)}, 0)[0].id;
  // A jump of 30 px on a 40 px wide box: IoU = 10*100 / (2*4000 - 1000) < 0.3.
  const auto out = tracker->Update({Person(130, 300)}, 0.1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].id, id);
}

}  // namespace
}  // namespace argus::track
