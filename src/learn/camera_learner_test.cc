#include "learn/camera_learner.h"

#include <gtest/gtest.h>

namespace argus::learn {
namespace {

// 2026-12-04 (a Friday) 13:30 UTC = 14:30 in Paris.
const core::WallTime kFriday{std::chrono::seconds(1796391000)};

config::CameraConfig Camera() {
  config::CameraConfig c;
  c.name = "hall";
  c.learn.enabled = true;
  return c;
}

void Walk(CameraLearner& l, int id, double t0, core::WallTime wall0,
          std::vector<events::Event>* out) {
  for (int i = 0; i < 50; ++i) {
    track::Track tr;
    tr.id = id;
    tr.label = "person";
    tr.box = {20.0 + 10 * i, 200, 40, 100};
    const double t = t0 + i / 10.0;
    l.Process({tr}, 640, 480, t, i, wall0 + std::chrono::milliseconds(int64_t(t * 1000)), out);
  }
}

// Paris in winter: UTC+1; Saturday and Sunday are the weekend.
TimeSlot Paris(core::WallTime w) {
  const int64_t s =
      std::chrono::duration_cast<std::chrono::seconds>(w.time_since_epoch()).count() + 3600;
  const int64_t days = s / 86400;
  const int weekday = static_cast<int>((days + 3) % 7);  // 1970-01-01 was a Thursday (3)
  return {static_cast<int>(s % 86400 / 3600), weekday >= 5};
}

TEST(CameraLearner, LearnsInTheSlotOfEachFrame) {
  CameraLearner l(Camera(), Paris);
  std::vector<events::Event> out;
  Walk(l, 1, 0, kFriday, &out);
  l.Finish(10, 100, &out);
  const ActivityModel& m = l.learner().model();
  EXPECT_DOUBLE_EQ(m.Slot(TimeSlot{14, false}.Index()).tracks, 1);
  EXPECT_DOUBLE_EQ(m.Slot(TimeSlot{13, false}.Index()).tracks, 0);
  EXPECT_NEAR(m.Slot(TimeSlot{14, false}.Index()).watched_s, 4.9, 1e-6);
  // The next day is a Saturday.
  Walk(l, 2, 20, kFriday + std::chrono::hours(24), &out);
  l.Finish(30, 300, &out);
  EXPECT_DOUBLE_EQ(l.learner().model().Slot(TimeSlot{14, true}.Index()).tracks, 1);
}

TEST(CameraLearner, SavesEveryPeriodAndAtFinish) {
  CameraLearner l(Camera(), Paris);
  std::vector<std::string> saved;
  l.SetSaver([&](const std::string& m) { saved.push_back(m); }, 60);
  std::vector<events::Event> out;
  Walk(l, 1, 0, kFriday, &out);  // 5 s: no save yet
  EXPECT_TRUE(saved.empty());
  Walk(l, 2, 70, kFriday, &out);  // past the period: saved once, with track 1 learned
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_DOUBLE_EQ(ActivityModel::Parse(saved[0])->total_tracks(), 1);
  l.Finish(80, 800, &out);
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_DOUBLE_EQ(ActivityModel::Parse(saved[1])->total_tracks(), 2);
}

TEST(CameraLearner, AModelOnAnotherGridIsDropped) {
  CameraLearner l(Camera(), Paris);
  ActivityModel other({4, 4});
  other.AddTrack({{0, 0, 1, 0, 1}}, {});
  l.SetModel(other);
  EXPECT_EQ(l.learner().model().grid().cols, config::kDefaultLearnGridCols);
  EXPECT_DOUBLE_EQ(l.learner().model().total_tracks(), 0);
}

}  // namespace
}  // namespace argus::learn
