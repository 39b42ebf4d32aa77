#include "track/relink_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace argus::track {
namespace {

// A look with all of the shirt in one colour bin and the trousers in another.
Appearance Look(int shirt, int trousers) {
  Appearance a;
  a.upper[shirt] = 1;
  a.lower[trousers] = 1;
  a.texture[4] = 1;
  return a;
}

Track At(int id, double x, double y = 100, double h = 90) {
  Track t;
  t.id = id;
  t.label = "person";
  t.state = TrackState::kTracked;
  t.box = {x, y, h / 3, h};
  return t;
}

struct Seen {
  Track track;
  std::optional<Appearance> look;
};

// Feeds one frame; the tracker holds exactly the tracks seen plus `lost`.
// Returns the output ids of the seen tracks, in order.
std::vector<int> Step(RelinkPolicy& r, double t, const std::vector<Seen>& seen,
                      const std::vector<Track>& lost = {}) {
  std::vector<Track> tracks, active;
  std::vector<std::optional<Appearance>> looks;
  for (const Seen& s : seen) {
    tracks.push_back(s.track);
    looks.push_back(s.look);
    active.push_back(s.track);
  }
  for (Track l : lost) {
    l.state = TrackState::kLost;
    active.push_back(l);
  }
  r.Update(tracks, looks, active, t);
  std::vector<int> ids;
  for (const Track& tr : tracks) ids.push_back(tr.id);
  return ids;
}

// Track `id` walks right from x=100 for a second (10 frames) in look `a`.
int Walk(RelinkPolicy& r, int id, const Appearance& a, double t0 = 0) {
  int out = 0;
  for (int i = 0; i < 10; ++i) out = Step(r, t0 + 0.1 * i, {{At(id, 100 + 5 * i), a}})[0];
  return out;
}

TEST(RelinkPolicyTest, NewTrackWhereTheOldEndedWithTheSameLookTakesItsId) {
  RelinkPolicy r;
  const int first = Walk(r, 7, Look(1, 5));
  // Occluded for 1.5 s, then the tracker starts track 9 a little further on.
  const auto ids = Step(r, 2.5, {{At(9, 170), Look(1, 5)}});
  EXPECT_EQ(ids[0], first);
  EXPECT_EQ(r.links(), 1);
  EXPECT_EQ(Step(r, 2.6, {{At(9, 175), Look(1, 5)}})[0], first);  // and keeps it
}

TEST(RelinkPolicyTest, GatesOnTimePlaceSizeAndLook) {
  const RelinkParams p;  // window 6 s; reach (1 + gap) box heights (a still track)
  struct Case {
    const char* what;
    double t, x, h;
    Appearance look;
  };
  const Case cases[] = {
      {"after the window", 0.9 + p.window_s + 0.2, 150, 90, Look(1, 5)},
      {"too far for the gap", 1.4, 150 + 90 * (p.base_gate + p.gate_growth * 0.5) + 20, 90,
       Look(1, 5)},
      {"another size", 1.4, 150, 90 * p.max_size_ratio + 10, Look(1, 5)},
      {"other clothes", 1.4, 150, 90, Look(2, 5)},
  };
  for (const Case& c : cases) {
    RelinkPolicy r(p);
    const int first = Walk(r, 1, Look(1, 5));
    EXPECT_NE(Step(r, c.t, {{At(2, c.x, 100, c.h), c.look}})[0], first) << c.what;
    EXPECT_EQ(r.links(), 0) << c.what;
  }
  RelinkPolicy r(p);  // the same new track inside every gate is linked
  const int first = Walk(r, 1, Look(1, 5));
  EXPECT_EQ(Step(r, 1.4, {{At(2, 150), Look(1, 5)}})[0], first);
}

TEST(RelinkPolicyTest, ThePlaceGateFollowsTheOldTracksVelocity) {
  // Walking right at 2 box heights per second, gone for 2 s: expected 360 px
  // further on; capped at max_speed (1.5 heights/s), 270 px.
  auto walker = [](RelinkPolicy& r) {
    Track t = At(1, 100);
    t.velocity = {180, 0};
    for (int i = 0; i < 5; ++i) Step(r, 0.1 * i, {{t, Look(1, 5)}});
    return Step(r, 0.5, {{t, Look(1, 5)}})[0];
  };
  RelinkPolicy ahead;
  const int first = walker(ahead);
  // Reach after 2 s: (1 + 2) x 90 = 270 px around the expected place.
  EXPECT_EQ(Step(ahead, 2.5, {{At(2, 100 + 270 + 150), Look(1, 5)}})[0], first);
  RelinkPolicy behind;
  walker(behind);  // as far behind where it was: the wrong way
  EXPECT_NE(Step(behind, 2.5, {{At(2, 100 - 150), Look(1, 5)}})[0], first);
  EXPECT_EQ(behind.links(), 0);
}

TEST(RelinkPolicyTest, TwoLookalikeCandidatesMeanNoLink) {
  RelinkPolicy r;
  // Two people dressed alike are lost side by side; a third track starts
  // between them: it could be either, so it gets an id of its own.
  for (int i = 0; i < 10; ++i) {
    Step(r, 0.1 * i, {{At(1, 100), Look(3, 6)}, {At(2, 160), Look(3, 6)}});
  }
  const auto ids = Step(r, 1.5, {{At(3, 130), Look(3, 6)}});
  EXPECT_NE(ids[0], 1);
  EXPECT_NE(ids[0], 2);
  EXPECT_EQ(r.links(), 0);
}

TEST(RelinkPolicyTest, TwoNewTracksForOneOldOnlyTheClearlyBetterOneLinks) {
  RelinkPolicy r;
  const int first = Walk(r, 1, Look(3, 6));
  // Both look the same: ambiguous, no link.
  auto ids = Step(r, 1.5, {{At(2, 150), Look(3, 6)}, {At(3, 160), Look(3, 6)}});
  EXPECT_NE(ids[0], first);
  EXPECT_NE(ids[1], first);
  RelinkPolicy q;
  const int again = Walk(q, 1, Look(3, 6));
  ids = Step(q, 1.5, {{At(2, 150), Look(3, 6)}, {At(3, 160), Look(9, 12)}});
  EXPECT_EQ(ids[0], again);
  EXPECT_NE(ids[1], again);
}

TEST(RelinkPolicyTest, LateFirstUsableCropStillLinksWithinTheDecisionFrames) {
  RelinkPolicy r;
  const int first = Walk(r, 1, Look(1, 5));
  // No usable crop on the new track's first frame (covered): linked on its second.
  EXPECT_NE(Step(r, 1.5, {{At(2, 150), std::nullopt}})[0], first);
  EXPECT_EQ(Step(r, 1.6, {{At(2, 152), Look(1, 5)}})[0], first);
  // Past the decision frames a track keeps its id.
  RelinkPolicy q;
  Walk(q, 1, Look(1, 5));
  for (int i = 0; i < RelinkParams::kDefaultDecideUpdates; ++i) {
    Step(q, 1.5 + 0.1 * i, {{At(2, 150), std::nullopt}});
  }
  Step(q, 1.9, {{At(2, 150), Look(1, 5)}});
  EXPECT_EQ(q.links(), 0);
}

TEST(RelinkPolicyTest, AnOldTrackStillHeldByTheTrackerIsNoCandidateUntilLetGo) {
  RelinkPolicy r;
  const int first = Walk(r, 1, Look(1, 5));
  const Track ghost = At(1, 145);
  // The tracker still holds track 1 (lost) when it starts track 2: it might
  // find track 1 again, so no link yet.
  const int own = Step(r, 1.3, {{At(2, 150), Look(1, 5)}}, {ghost})[0];
  EXPECT_NE(own, first);
  EXPECT_EQ(r.links(), 0);
  // Track 1 dropped by the tracker while track 2 is still in its decision frames.
  EXPECT_EQ(Step(r, 1.4, {{At(2, 155), Look(1, 5)}})[0], first);
  EXPECT_EQ(r.links(), 1);
}

TEST(RelinkPolicyTest, ForgetsEndedTracksAfterTheWindow) {
  RelinkParams p;
  p.window_s = 3;
  RelinkPolicy r(p);
  Walk(r, 1, Look(1, 5));
  Walk(r, 2, Look(2, 6), 1.0);
  EXPECT_EQ(r.remembered(), 2u);
  Step(r, 2.5, {});
  EXPECT_EQ(r.remembered(), 2u);  // still in the window: may be re-linked
  Step(r, 3.95, {});
  EXPECT_EQ(r.remembered(), 1u);  // track 1 last seen 3.05 s ago: gone
  Step(r, 4.95, {});
  EXPECT_EQ(r.remembered(), 0u);  // descriptors dropped with their tracks
}

}  // namespace
}  // namespace argus::track
