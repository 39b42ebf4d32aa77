#include "track/byte_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <map>
#include <set>

namespace argus::track {
namespace {

Detection Person(double cx, double bottom, float score = 0.95f, double w = 40, double h = 100) {
  return {{cx - w / 2, bottom - h, w, h}, score, "person"};
}

const Track* Find(const std::vector<Track>& tracks, int id) {
  for (const Track& t : tracks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

ByteTrackParams NoFirstFrameShortcut(int min_hits) {
  ByteTrackParams p;
  p.min_hits = min_hits;
  p.confirm_in_first_update = false;
  return p;
}

TEST(ByteTracker, BirthAfterMinHits) {
  auto tracker = MakeByteTracker(NoFirstFrameShortcut(3));
  EXPECT_TRUE(tracker->Update({Person(100, 300)}, 0.0).empty());
  EXPECT_TRUE(tracker->Update({Person(101, 300)}, 0.1).empty());
  EXPECT_TRUE(tracker->Active().empty()) << "unconfirmed tracks are not active";
  const auto out = tracker->Update({Person(102, 300)}, 0.2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, 1);
  EXPECT_EQ(out[0].hits, 3);
  EXPECT_EQ(out[0].state, TrackState::kTracked);
  EXPECT_EQ(out[0].label, "person");
  EXPECT_DOUBLE_EQ(out[0].first_seen, 0.0);
  EXPECT_DOUBLE_EQ(out[0].Age(0.2), 0.2);
}

TEST(ByteTracker, FirstUpdateConfirmsAtOnceWhenAsked) {
  auto tracker = MakeByteTracker({});
  EXPECT_EQ(tracker->Update({Person(100, 300), Person(300, 300)}, 0.0).size(), 2u);
  // A person appearing later needs min_hits (2) updates.
  EXPECT_EQ(tracker->Update({Person(100, 300), Person(300, 300), Person(500, 300)}, 0.1).size(),
            2u);
  EXPECT_EQ(tracker->Update({Person(100, 300), Person(300, 300), Person(500, 300)}, 0.2).size(),
            3u);
}

TEST(ByteTracker, CoastedFramesMoveTracksWithoutCountingAMiss) {
  ByteTrackParams p;
  p.max_lost_updates = 1;  // a single missed update would lose the track
  auto tracker = MakeByteTracker(p);
  for (int i = 0; i < 5; ++i) tracker->Update({Person(100 + 10 * i, 300)}, 0.1 * i);
  // Two frames without the detector: the walker keeps walking, at 100 px/s.
  auto coasted = tracker->Coast(0.5);
  ASSERT_EQ(coasted.size(), 1u);
  EXPECT_EQ(coasted[0].state, TrackState::kTracked);
  EXPECT_NEAR(coasted[0].box.Center().x, 150, 3);
  EXPECT_EQ(coasted[0].hits, 5);  // a prediction is not a detection
  EXPECT_NEAR(coasted[0].history.back().foot.x, coasted[0].box.BottomCenter().x, 1e-9);
  const double first_x = coasted[0].box.Center().x;
  coasted = tracker->Coast(0.6);
  ASSERT_EQ(coasted.size(), 1u);
  EXPECT_GT(coasted[0].box.Center().x, first_x + 4);  // still walking (the filter's speed
                                                      // estimate lags the true 100 px/s)
  // The detector runs again and finds the walker where predicted: same track.
  const auto out = tracker->Update({Person(170, 300)}, 0.7);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, coasted[0].id);
  EXPECT_EQ(out[0].hits, 6);
}

TEST(ByteTracker, CoastBeforeAnyUpdateReportsNobody) {
  auto tracker = MakeByteTracker({});
  EXPECT_TRUE(tracker->Coast(0.0).empty());
  EXPECT_EQ(tracker->Update({Person(100, 300)}, 0.1).size(), 1u);
}

TEST(ByteTracker, UnconfirmedTrackDiesOnItsFirstMiss) {
  auto tracker = MakeByteTracker(NoFirstFrameShortcut(3));
  tracker->Update({Person(100, 300)}, 0.0);
  tracker->Update({Person(100, 300)}, 0.1);
  tracker->Update({}, 0.2);  // miss before confirmation: the candidate is dropped
  EXPECT_TRUE(tracker->Update({Person(100, 300)}, 0.3).empty());
  EXPECT_TRUE(tracker->Update({Person(100, 300)}, 0.4).empty());
  EXPECT_EQ(tracker->Update({Person(100, 300)}, 0.5).size(), 1u);
}

TEST(ByteTracker, LowScoreDetectionsNeverStartTracks) {
  auto tracker = MakeByteTracker({});
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(tracker->Update({Person(100, 300, 0.4f)}, i * 0.1).empty());
}

// Life cycle in seconds: the same scenario at two detection rates must give the
// same decisions, because max_age is a duration, not a frame count.
class ByteTrackerRate : public ::testing::TestWithParam<double> {};

TEST_P(ByteTrackerRate, LostThenRefoundWithinMaxAgeThenRemovedAfterIt) {
  const double fps = GetParam();
  ByteTrackParams p;
  p.max_age_seconds = 1.0;
  auto tracker = MakeByteTracker(p);
  int frame = 0;
  auto t = [&] { return frame / fps; };
  // Walk for one second at 50 px/s.
  for (; frame <= fps; ++frame) tracker->Update({Person(100 + 50 * t(), 300)}, t());
  const int id = tracker->Update({Person(100 + 50 * t(), 300)}, t())[0].id;
  const double last_seen = t();
  ++frame;
  // Occluded for 0.8 s: lost but still active.
  for (; t() < last_seen + 0.8; ++frame) {
    EXPECT_TRUE(tracker->Update({}, t()).empty());
    const auto active = tracker->Active();
    ASSERT_EQ(active.size(), 1u) << "t=" << t();
    EXPECT_EQ(active[0].state, TrackState::kLost);
    EXPECT_EQ(active[0].id, id);
  }
  // Reappears where the motion model expects it: same identity.
  auto out = tracker->Update({Person(100 + 50 * t(), 300)}, t());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, id) << "re-found within max age";
  const double seen_again = t();
  ++frame;
  // Gone for 1.2 s: removed, and a return makes a new identity.
  for (; t() < seen_again + 1.2; ++frame) {
    tracker->Update({}, t());
    if (t() - seen_again > 1.0 + 1e-9) {
      EXPECT_TRUE(tracker->Active().empty()) << "t=" << t();
    } else {
      EXPECT_EQ(tracker->Active().size(), 1u) << "t=" << t();
    }
  }
  tracker->Update({Person(100 + 50 * t(), 300)}, t());
  ++frame;
  out = tracker->Update({Person(100 + 50 * t(), 300)}, t());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].id, id);
}

INSTANTIATE_TEST_SUITE_P(Rates, ByteTrackerRate, ::testing::Values(10.0, 30.0));

TEST(ByteTracker, LowScoreDetectionKeepsTheTrackAlive) {
  // A person whose detector score drops (partly occluded) must keep the track
  // through the second association; a tracker ignoring low scores loses it.
  for (const float low : {0.1f, 0.5f}) {
    ByteTrackParams p;
    p.low_score = low;
    auto tracker = MakeByteTracker(p);
    double t = 0;
    int id = 0;
    for (int i = 0; i < 5; ++i, t += 0.1) id = tracker->Update({Person(100 + 5 * i, 300)}, t)[0].id;
    for (int i = 5; i < 10; ++i, t += 0.1) {
      const auto out = tracker->Update({Person(100 + 5 * i, 300, 0.3f)}, t);
      if (low < 0.3f) {
        ASSERT_EQ(out.size(), 1u) << "i=" << i;
        EXPECT_EQ(out[0].id, id);
        EXPECT_FLOAT_EQ(out[0].score, 0.3f);
      } else {
        EXPECT_TRUE(out.empty());
      }
    }
  }
}

TEST(ByteTracker, DuplicateLostTrackIsDroppedWhenItCoversATrackedOne) {
  // Same crossing with both people on one line: when B is hidden its predicted
  // box coincides with A's (IoU > 0.85), so ByteTrack drops B as a duplicate
  // and B comes back with a new id; with duplicate removal off B keeps id 2.
  for (const double dup : {0.85, 0.0}) {
    ByteTrackParams p;
    p.duplicate_iou = dup;
    auto tracker = MakeByteTracker(p);
    std::vector<Track> out;
    for (int f = 0; f < 25; ++f) {
      std::vector<Detection> dets{Person(100 + 10 * f, 300)};
      if (f < 14 || f > 16) dets.push_back(Person(400 - 10 * f, 300));
      out = tracker->Update(dets, f / 10.0);
    }
    ASSERT_EQ(out.size(), 2u);
    int b_id = 0;
    for (const Track& t : out) {
      if (t.box.Center().x < 250) b_id = t.id;
    }
    EXPECT_EQ(b_id, dup > 0 ? 3 : 2) << "duplicate_iou " << dup;
  }
}

TEST(ByteTracker, TrackedFirstKeepsALostTrackFromTakingATrackedPersonsBox) {
  // Two people stand side by side (x=100 and x=112, IoU 0.54). The first one is
  // missed once, so track 1 is lost at x=100 while track 2 is tracked at 112.
  // Then one box appears at x=103: IoU 0.86 with track 1, 0.63 with track 2.
  // ByteTrack's joint pool gives it to the better overlap (track 1);
  // tracked_first gives it to the track seen in the last update (track 2).
  for (const bool tracked_first : {false, true}) {
    ByteTrackParams p;
    p.tracked_first = tracked_first;
    auto tracker = MakeByteTracker(p);
    tracker->Update({Person(100, 300), Person(112, 300)}, 0.0);
    tracker->Update({Person(100, 300), Person(112, 300)}, 0.1);
    ASSERT_EQ(tracker->Update({Person(112, 300)}, 0.2).size(), 1u);
    const auto out = tracker->Update({Person(103, 300)}, 0.3);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].id, tracked_first ? 2 : 1);
  }
}

TEST(ByteTracker, BufferedIouRefindsALostTrackThatDrifted) {
  // A person standing at x=100 is hidden for 0.3 s and reappears at x=145: no
  // overlap with the predicted box (x 80..120 vs 125..165). Enlarging both boxes
  // by half their size gives IoU 35/125 = 0.28 (0.27 fused with the score).
  for (const double buffer : {0.0, 0.5}) {
    ByteTrackParams p;
    p.lost_buffer = buffer;
    p.lost_match_iou = 0.2;
    auto tracker = MakeByteTracker(p);
    tracker->Update({Person(100, 300)}, 0.0);
    tracker->Update({Person(100, 300)}, 0.1);
    for (double t : {0.2, 0.3, 0.4}) tracker->Update({}, t);
    const auto out = tracker->Update({Person(145, 300)}, 0.5);
    if (buffer > 0) {
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].id, 1);
    } else {
      EXPECT_TRUE(out.empty()) << "a new, unconfirmed track";
    }
  }
}

TEST(ByteTracker, LabelsNeverMix) {
  auto tracker = MakeByteTracker({});
  tracker->Update({Person(100, 300)}, 0);
  Detection bag = Person(100, 300);
  bag.label = "bag";
  tracker->Update({bag}, 0.1);
  const auto out = tracker->Update({bag}, 0.2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].label, "bag");
  EXPECT_EQ(out[0].id, 2);
  const auto active = tracker->Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(Find(active, 1)->state, TrackState::kLost);
  EXPECT_EQ(Find(active, 1)->label, "person");
}

TEST(ByteTracker, KeepsBoundedFootHistoryAndVelocityInPixelsPerSecond) {
  ByteTrackParams p;
  p.history_length = 5;
  auto tracker = MakeByteTracker(p);
  std::vector<Track> out;
  for (int i = 0; i < 40; ++i) out = tracker->Update({Person(100 + 4 * i, 300 + 2 * i)}, i * 0.1);
  ASSERT_EQ(out.size(), 1u);
  const Track& tr = out[0];
  ASSERT_EQ(tr.history.size(), 5u);
  EXPECT_NEAR(tr.history.back().t, 3.9, 1e-9);
  EXPECT_NEAR(tr.history.front().t, 3.5, 1e-9);
  EXPECT_NEAR(tr.history.back().foot.x, 100 + 4 * 39, 2.0);
  EXPECT_NEAR(tr.history.back().foot.y, 300 + 2 * 39, 2.0);
  EXPECT_NEAR(tr.velocity.x, 40, 3.0);  // 4 px per 0.1 s
  EXPECT_NEAR(tr.velocity.y, 20, 3.0);
  EXPECT_NEAR(tr.TimeSinceSeen(3.9), 0.0, 1e-9);
}

// Golden replay: A walks right and B walks left, B 15 px further back; at the
// crossing B is behind A, so its detection has a low score for four frames and
// then vanishes for two. Worked out by hand: A keeps id 1 and B id 2 throughout;
// B is reported while its low-score box is matched, not while it is invisible.
// (Where the boxes coincide their IoU is 85/115 = 0.74, under the 0.85 at which
// ByteTrack would drop B's lost track as a duplicate of A.)
TEST(ByteTracker, GoldenReplayOfTwoPeopleCrossing) {
  auto tracker = MakeByteTracker({});
  const double fps = 10;
  std::map<int, std::vector<int>> ids_by_frame;
  for (int f = 0; f < 30; ++f) {
    const double ax = 100 + 10 * f;  // 100 px/s right
    const double bx = 400 - 10 * f;  // 100 px/s left
    std::vector<Detection> dets{Person(ax, 300)};
    const bool b_low = f >= 11 && f <= 14;
    const bool b_hidden = f == 15 || f == 16;
    if (!b_hidden) dets.push_back(Person(bx, 315, b_low ? 0.35f : 0.9f));
    std::vector<int> ids;
    for (const Track& t : tracker->Update(dets, f / fps)) {
      // Which person is it? The one nearest the reported box.
      const double cx = t.box.Center().x;
      ids.push_back(std::abs(cx - ax) < std::abs(cx - bx) ? t.id : -t.id);
    }
    std::sort(ids.begin(), ids.end());
    ids_by_frame[f] = ids;
  }
  // Positive: nearest to A; negative: nearest to B. A is id 1, B is id 2.
  for (int f = 0; f < 30; ++f) {
    const bool b_visible = !(f == 15 || f == 16);
    const std::vector<int> want = b_visible ? std::vector<int>{-2, 1} : std::vector<int>{1};
    if (f == 15 || f == 16 || (f >= 13 && f <= 17)) {
      // Around the crossing the boxes coincide, so "nearest" is ambiguous: check ids only.
      std::vector<int> ids;
      for (int x : ids_by_frame[f]) ids.push_back(std::abs(x));
      std::sort(ids.begin(), ids.end());
      EXPECT_EQ(ids, b_visible ? (std::vector<int>{1, 2}) : (std::vector<int>{1})) << "frame " << f;
    } else {
      EXPECT_EQ(ids_by_frame[f], want) << "frame " << f;
    }
  }
}

// A shaking, then panning camera: three people stand still while the whole
// picture jumps by up to 60 px between frames, more than a 40-px-wide box, so
// nothing overlaps its previous position. Returns, per person, the ids the
// tracker gave them.
std::vector<std::set<int>> IdsUnderShake(bool compensate) {
  const double kOffsets[] = {0, 0, 0, 60, 5, 55, 115, 170, 170, 170, 170, 170};
  const double kPeople[] = {100, 300, 500};
  auto tracker = MakeByteTracker({});
  std::vector<std::set<int>> ids(3);
  double previous = 0;
  for (int f = 0; f < static_cast<int>(std::size(kOffsets)); ++f) {
    const double dx = kOffsets[f];
    if (compensate) tracker->SetCameraMotion(core::Affine2D::Translation(dx - previous, 0));
    previous = dx;
    std::vector<Detection> dets;
    for (double x : kPeople) dets.push_back(Person(x + dx, 300));
    for (const Track& t : tracker->Update(dets, f * 0.1)) {
      for (int p = 0; p < 3; ++p) {
        if (std::abs(t.box.Center().x - (kPeople[p] + dx)) < 20) ids[p].insert(t.id);
      }
    }
  }
  return ids;
}

TEST(ByteTracker, CameraMotionKeepsIdsThroughAShakingPicture) {
  const std::vector<std::set<int>> with = IdsUnderShake(true);
  for (int p = 0; p < 3; ++p) EXPECT_EQ(with[p].size(), 1u) << "person " << p;
  // The scene really is hard: without the camera's motion identities break.
  const std::vector<std::set<int>> without = IdsUnderShake(false);
  size_t broken = 0;
  for (const auto& s : without) broken += s.size() > 1 ? 1 : 0;
  EXPECT_GT(broken, 0u);
}

TEST(ByteTracker, CameraMotionMovesLostTracksToo) {
  // A person is missed while the camera pans 50 px; when seen again, at the
  // panned position, the lost track must take the box rather than a new id.
  auto tracker = MakeByteTracker({});
  for (int f = 0; f < 3; ++f) tracker->Update({Person(200, 300)}, f * 0.1);
  tracker->SetCameraMotion(core::Affine2D::Translation(-25, 0));
  tracker->Update({}, 0.3);
  ASSERT_EQ(tracker->Active().size(), 1u);
  EXPECT_NEAR(tracker->Active()[0].box.Center().x, 175, 1e-6);
  tracker->SetCameraMotion(core::Affine2D::Translation(-25, 0));
  const auto out = tracker->Update({Person(150, 300)}, 0.4);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, 1);
}

TEST(ByteTracker, MaxLostUpdatesEndsALostTrackBeforeItsMaxAge) {
  ByteTrackParams p;
  p.max_age_seconds = 100;
  p.max_lost_updates = 3;
  auto tracker = MakeByteTracker(p);
  tracker->Update({Person(200, 300)}, 0.0);
  for (int f = 1; f <= 3; ++f) {
    tracker->Update({}, f * 0.1);
    EXPECT_EQ(tracker->Active().size(), 1u) << "missed " << f;
  }
  tracker->Update({}, 0.4);
  EXPECT_TRUE(tracker->Active().empty());
}

}  // namespace
}  // namespace argus::track
