#include "learn/learner.h"

#include <gtest/gtest.h>

#include "learn/testing/anomalies.h"

namespace argus::learn {
namespace {

constexpr int kW = 640, kH = 480;
constexpr double kFps = 10;
const TimeSlot kAfternoon{14, false};

// A person (box 40x100) walking from x0 to x1 at foot height y, `speed` px/s.
std::vector<TrackSample> Walk(int id, double t0, double x0, double x1, double y, double speed) {
  std::vector<TrackSample> s;
  const double dur = std::abs(x1 - x0) / speed;
  for (double t = 0; t <= dur; t += 1 / kFps) {
    const double x = x0 + (x1 - x0) * t / dur;
    s.push_back({id, t0 + t, {x - 20, y - 100, 40, 100}});
  }
  return s;
}

class LearnerTest : public ::testing::Test {
 protected:
  config::LearnConfig Settings() {
    config::LearnConfig s;
    s.enabled = true;
    return s;
  }
  // Feeds a track frame by frame, then quiet frames until it has ended.
  std::vector<events::Event> Run(Learner& l, const std::vector<TrackSample>& track,
                                 TimeSlot slot = kAfternoon) {
    std::vector<events::Event> all, out;
    for (const TrackSample& s : track) {
      l.Observe({s}, kW, kH, s.t, ++frame_, Wall(s.t), slot, &out);
      all.insert(all.end(), out.begin(), out.end());
      out.clear();
    }
    const double end = track.empty() ? t_ : track.back().t;
    for (double t = end + 0.5; t <= end + kTrackGoneSeconds + 1; t += 0.5) {
      l.Observe({}, kW, kH, t, ++frame_, Wall(t), slot, &out);
      all.insert(all.end(), out.begin(), out.end());
      out.clear();
    }
    t_ = end + kTrackGoneSeconds + 1.5;
    return all;
  }
  core::WallTime Wall(double t) {
    return core::WallTime{} + std::chrono::hours(24 * 365 * 50) +
           std::chrono::milliseconds(static_cast<int64_t>(t * 1000));
  }
  // `n` people walking right along the corridor at y 250..270, 80..120 px/s.
  std::vector<events::Event> Train(Learner& l, int n) {
    std::vector<events::Event> all;
    for (int i = 0; i < n; ++i) {
      auto ev = Run(l, Walk(1000 + i, t_, 10, 630, 250 + (i * 7) % 21, 80 + (i * 13) % 41));
      all.insert(all.end(), ev.begin(), ev.end());
    }
    return all;
  }
  int next_id_ = 1;
  double t_ = 0;
  int64_t frame_ = 0;
};

TEST_F(LearnerTest, NormalTracksRaiseNothingWhileTheModelGrows) {
  Learner l("cam", Settings(), ActivityModel());
  EXPECT_TRUE(Train(l, 150).empty());
  EXPECT_NEAR(l.model().total_tracks(), 150, 1e-6);
  EXPECT_TRUE(Run(l, Walk(1, t_, 10, 630, 262, 100)).empty());
}

TEST_F(LearnerTest, WrongWayRaisesADirectionEventThatExplainsItself) {
  Learner l("cam", Settings(), ActivityModel());
  Train(l, 150);
  auto ev = Run(l, Walk(7, t_, 630, 10, 262, 100));
  ASSERT_EQ(ev.size(), 2u) << "start and end";
  EXPECT_EQ(ev[0].type, "unusual_activity");
  EXPECT_EQ(ev[0].phase, events::Phase::kStart);
  EXPECT_EQ(ev[0].camera, "cam");
  EXPECT_EQ(ev[0].track_id, 7);
  EXPECT_EQ(ev[0].details["reason"], "direction");
  EXPECT_GE(ev[0].details["score"].get<double>(), 0.95);
  const std::string why = ev[0].details["explanation"];
  EXPECT_NE(why.find("moving against 100% of the 15"), std::string::npos) << why;
  EXPECT_NE(why.find("tracks seen here on weekdays 14-15h"), std::string::npos) << why;
  EXPECT_EQ(ev[1].phase, events::Phase::kEnd);
  EXPECT_EQ(ev[1].id, ev[0].id);
}

TEST_F(LearnerTest, EachKindOfAnomalyIsFlaggedForItsReason) {
  Learner l("cam", Settings(), ActivityModel());
  Train(l, 150);
  const auto normal = Walk(2, t_, 10, 630, 262, 100);
  struct Case {
    const char* reason;
    std::vector<TrackSample> track;
  };
  const std::vector<Case> cases = {
      {"speed", Walk(3, t_, 10, 630, 262, 400)},
      {"place", Walk(4, t_, 10, 630, 60, 100)},
      {"dwell", testing::Stopped(normal, l.model(), kW, kH, 30, 1 / kFps)},
  };
  for (const Case& c : cases) {
    // Shift each case to now.
    std::vector<TrackSample> track = c.track;
    const double shift = t_ - track.front().t;
    for (TrackSample& s : track) s.t += shift;
    auto ev = Run(l, track);
    ASSERT_FALSE(ev.empty()) << c.reason;
    EXPECT_EQ(ev[0].details["reason"], c.reason) << ev[0].details.dump();
  }
}

TEST_F(LearnerTest, TooLittleDataScoresNothing) {
  Learner l("cam", Settings(), ActivityModel());
  Train(l, 10);
  EXPECT_TRUE(Run(l, Walk(7, t_, 630, 10, 262, 100)).empty());
  EXPECT_TRUE(Run(l, Walk(8, t_, 10, 630, 60, 100)).empty());
}

TEST_F(LearnerTest, RateLimitCapsAlertsPerHour) {
  config::LearnConfig s = Settings();
  s.max_alerts_per_hour = 2;
  Learner l("cam", s, ActivityModel());
  Train(l, 150);
  int starts = 0;
  for (int i = 0; i < 4; ++i) {
    for (const auto& e : Run(l, Walk(20 + i, t_, 630, 10, 262, 100))) {
      starts += e.phase == events::Phase::kStart;
    }
  }
  EXPECT_EQ(starts, 2);
  EXPECT_EQ(l.alerts_suppressed(), 2);
}

TEST_F(LearnerTest, HourThatWasAlwaysEmptyIsUnusual) {
  Learner l("cam", Settings(), ActivityModel());
  Train(l, 150);
  // Four quiet hours watched at 3 am.
  const TimeSlot night{3, false};
  std::vector<events::Event> out;
  for (int i = 0; i < 4 * 3600; ++i) {
    t_ += 1;
    l.Observe({}, kW, kH, t_, ++frame_, Wall(t_), night, &out);
  }
  EXPECT_TRUE(out.empty());
  auto ev = Run(l, Walk(9, t_, 10, 630, 262, 100), night);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].details["reason"], "hour");
  const std::string why = ev[0].details["explanation"];
  EXPECT_NE(why.find("activity on weekdays 03-04h, when 0 tracks were seen in 4 h watched"),
            std::string::npos)
      << why;
}

TEST_F(LearnerTest, ANewNormalStopsBeingUnusual) {
  Learner l("cam", Settings(), ActivityModel());
  Train(l, 150);
  // Everyone now walks the other way; after enough of them it is normal.
  int alerts_late = 0;
  for (int i = 0; i < 400; ++i) {
    auto ev = Run(l, Walk(100 + i, t_, 630, 10, 250 + (i * 7) % 21, 100));
    if (i >= 350) alerts_late += !ev.empty();
  }
  EXPECT_EQ(alerts_late, 0);
}

TEST(VisitBuilder, CutsATrackIntoCellsWithDirectionAndSpeed) {
  // 16 x 12 grid on 640 x 480: 40 px cells. Walk right at 100 px/s = 1 height/s.
  auto visits = ExtractVisits(Walk(1, 0, 20, 220, 262, 100), GridSize{}, kW, kH);
  ASSERT_GE(visits.size(), 5u);
  EXPECT_EQ(visits[0].cell, 6 * 16 + 0);
  EXPECT_EQ(visits[2].cell, 6 * 16 + 2);
  EXPECT_EQ(visits[2].direction, 0);
  EXPECT_NEAR(visits[2].speed, 1.0, 0.05);
  EXPECT_NEAR(visits[2].dwell(), 0.4, 0.11);
  // Standing still: one visit, no direction.
  std::vector<TrackSample> stand;
  for (int i = 0; i < 100; ++i) stand.push_back({1, i / kFps, {100.0 + (i % 2), 200, 40, 100}});
  auto still = ExtractVisits(stand, GridSize{}, kW, kH);
  ASSERT_EQ(still.size(), 1u);
  EXPECT_EQ(still[0].direction, -1);
  EXPECT_NEAR(still[0].dwell(), 9.9, 1e-9);
}

TEST(Anomalies, GeneratorsTransformTheRealTrack) {
  const auto walk = Walk(1, 0, 10, 630, 262, 100);
  const auto rev = testing::Reversed(walk);
  EXPECT_EQ(rev.front().box, walk.back().box);
  EXPECT_EQ(rev.front().t, walk.front().t);
  const auto fast = testing::SpedUp(walk, 3);
  EXPECT_NEAR(fast.back().t - fast.front().t, (walk.back().t - walk.front().t) / 3, 0.1);
  ActivityModel m;
  m.AddTrack(ExtractVisits(walk, GridSize{}, kW, kH), kAfternoon);
  const auto moved = testing::MovedToEmptyPath(walk, m, kW, kH);
  for (const auto& s : moved) {
    const core::Point f = s.box.BottomCenter();
    EXPECT_EQ(m.Cell(m.CellAt(f.x / kW, f.y / kH), kAllSlots).tracks, 0);
  }
  const auto stopped = testing::Stopped(walk, m, kW, kH, 30, 0.1);
  EXPECT_NEAR(stopped.back().t - walk.back().t, 30, 1e-9);
}

}  // namespace
}  // namespace argus::learn
