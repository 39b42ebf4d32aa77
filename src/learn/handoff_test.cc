#include "learn/handoff.h"

#include <gtest/gtest.h>

#include "learn/testing/looks.h"

namespace argus::learn {
namespace {

using testing::Look;

// `frames` frames of one track at 10 fps from `t0`, every crop usable.
std::vector<HandoffLink> Walk(HandoffLinker& l, const std::string& camera, int track, double t0,
                              int frames, const track::Appearance& look) {
  std::vector<HandoffLink> links;
  for (int i = 0; i < frames; ++i) {
    for (const HandoffLink& k : l.Update(camera, t0 + 0.1 * i, {{track, look}})) links.push_back(k);
  }
  return links;
}

TEST(TransitModelTest, FlatUntilLearnedThenPeaksAtTheCommonTime) {
  TransitModel m(20);
  EXPECT_EQ(m.Plausibility(3), 1);
  EXPECT_EQ(m.Plausibility(19), 1);
  EXPECT_EQ(m.Plausibility(25), 0);  // beyond the adjacency's limit
  EXPECT_EQ(m.Plausibility(-1), 0);
  for (int i = 0; i < 20; ++i) m.Add(4.0 + 0.05 * i);
  EXPECT_NEAR(m.Plausibility(4.5), 1, 1e-9);
  EXPECT_NEAR(m.Plausibility(18), TransitModel::kFloor, 1e-9);
  EXPECT_GT(m.Plausibility(4.5), m.Plausibility(6.5));
  m.Add(99);  // out of range: ignored
  EXPECT_NEAR(m.learned(), 20 * 0.95, 1);
}

TEST(TransitModelTest, ForgetsSlowlySoANewRouteTakesOver) {
  TransitModel m(60);
  for (int i = 0; i < 50; ++i) m.Add(10);
  for (int i = 0; i < 1000; ++i) m.Add(40);  // the gallery was rearranged
  EXPECT_NEAR(m.Plausibility(40), 1, 1e-9);
  EXPECT_LT(m.Plausibility(10), 0.1);
  EXPECT_LT(m.learned(), 1 / (1 - TransitModel::kDecay) + 1);
}

TEST(HandoffLinkerTest, LinksThePersonWhoLeftTheAdjacentCameraAndSharesTheGlobalId) {
  HandoffLinker l({{"hall", "gallery", 30}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  Walk(l, "hall", 2, 0, 20, Look(4, 12));
  const int red = l.GlobalId("hall", 1);
  ASSERT_GT(red, 0);
  EXPECT_NE(l.GlobalId("hall", 2), red);
  const auto links = Walk(l, "gallery", 7, 5, 10, Look(1, 5));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from_camera, "hall");
  EXPECT_EQ(links[0].from_track, 1);
  EXPECT_EQ(links[0].to_track, 7);
  EXPECT_NEAR(links[0].transit_s, 5 - 1.9, 1e-9);
  EXPECT_GE(links[0].confidence, HandoffParams::kDefaultMinConfidence);
  EXPECT_LE(links[0].confidence, 1);
  EXPECT_EQ(l.GlobalId("gallery", 7), red);
  // The other person is still a candidate; the first one is taken.
  const auto second = Walk(l, "gallery", 8, 6, 10, Look(4, 12));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].from_track, 2);
}

TEST(HandoffLinkerTest, NoLinkBetweenCamerasThatAreNotAdjacentOrTooFarApartInTime) {
  HandoffLinker l({{"hall", "gallery", 10}, {"gallery", "vault", 10}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  EXPECT_TRUE(Walk(l, "vault", 3, 4, 10, Look(1, 5)).empty());     // hall and vault: not adjacent
  EXPECT_TRUE(Walk(l, "gallery", 4, 15, 10, Look(1, 5)).empty());  // 13 s > 10 s
  EXPECT_NE(l.GlobalId("gallery", 4), l.GlobalId("hall", 1));
  // Back in the hall: linked to the gallery's track, never to the hall's own
  // (within one camera, re-linking is the tracker's job).
  const auto back = Walk(l, "hall", 5, 20, 10, Look(1, 5));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].from_camera, "gallery");
}

TEST(HandoffLinkerTest, SomeoneWhoLooksDifferentIsANewPerson) {
  HandoffLinker l({{"hall", "gallery", 30}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  EXPECT_TRUE(Walk(l, "gallery", 2, 4, 10, Look(6, 10)).empty());
  EXPECT_NE(l.GlobalId("gallery", 2), l.GlobalId("hall", 1));
}

TEST(HandoffLinkerTest, TwoLookAlikesShareTheConfidenceAndNeitherIsLinked) {
  HandoffLinker l({{"hall", "gallery", 30}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  Walk(l, "hall", 2, 0, 20, Look(1, 5));
  EXPECT_TRUE(Walk(l, "gallery", 3, 4, 10, Look(1, 5)).empty());
}

TEST(HandoffLinkerTest, LearnedTransitTimeSeparatesLookAlikes) {
  HandoffParams p;
  HandoffLinker l({{"hall", "gallery", 60}}, p);
  // Confident hand-offs (one distinct person at a time) teach ~5 s.
  double t = 0;
  for (int i = 0; i < 10; ++i, t += 30) {
    Walk(l, "hall", 100 + i, t, 10, Look(i % 8, 10));
    ASSERT_EQ(Walk(l, "gallery", 200 + i, t + 0.9 + 5, 10, Look(i % 8, 10)).size(), 1u) << i;
  }
  ASSERT_GE(l.Transit("hall", "gallery")->learned(), TransitModel::kMinLearned);
  EXPECT_EQ(l.Transit("gallery", "hall")->learned(), 0);  // each direction apart
  // Two look-alikes left at 5 s and 40 s before the new track: time tells.
  Walk(l, "hall", 1, t, 10, Look(3, 7));
  Walk(l, "hall", 2, t + 35, 10, Look(3, 7));
  const auto links = Walk(l, "gallery", 3, t + 0.9 + 40, 10, Look(3, 7));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from_track, 2);
  EXPECT_GT(links[0].time_plausibility, 0.9);
}

TEST(HandoffLinkerTest, SingleCueModesForMeasurement) {
  HandoffParams time_only;
  time_only.use_appearance = false;
  HandoffLinker l({{"hall", "gallery", 30}}, time_only);
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  // Time alone links a lone candidate, whatever it looks like.
  EXPECT_EQ(Walk(l, "gallery", 2, 4, 10, Look(6, 10)).size(), 1u);

  HandoffParams look_only;
  look_only.use_time = false;
  HandoffLinker a({{"hall", "gallery", 30}}, look_only);
  Walk(a, "hall", 1, 0, 20, Look(1, 5));
  EXPECT_TRUE(Walk(a, "gallery", 2, 4, 10, Look(6, 10)).empty());
  EXPECT_EQ(Walk(a, "gallery", 3, 4, 10, Look(1, 5)).size(), 1u);
}

TEST(HandoffLinkerTest, AnUnclearFirstLookIsJudgedAgainAsTheLookFirmsUp) {
  HandoffLinker l({{"hall", "gallery", 30}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  // The first crops show someone else's colours (a person passing in front).
  EXPECT_TRUE(Walk(l, "gallery", 2, 4, HandoffParams::kDefaultDecideSamples, Look(6, 10)).empty());
  const auto links =
      Walk(l, "gallery", 2, 4.4, 3 * HandoffParams::kDefaultDecideSamples, Look(1, 5));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from_track, 1);
}

TEST(HandoffLinkerTest, ATrackEndingBeforeItsDecisionIsDecidedAtItsEnd) {
  HandoffLinker l({{"hall", "gallery", 30}});
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  EXPECT_TRUE(Walk(l, "gallery", 2, 4, 2, Look(1, 5)).empty());  // 2 crops < decide_samples
  const auto links = l.End("gallery", 2, 4.2);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(l.GlobalId("gallery", 2), l.GlobalId("hall", 1));
}

TEST(HandoffLinkerTest, ForgetsDescriptorsPastTheLongestTransitAndStaysBounded) {
  HandoffParams p;
  p.max_remembered = 50;
  HandoffLinker l({{"hall", "gallery", 10}}, p);
  Walk(l, "hall", 1, 0, 20, Look(1, 5));
  Walk(l, "hall", 2, 20, 1, Look(1, 5));
  EXPECT_EQ(l.GlobalId("hall", 1), 0);  // last seen 18 s before: forgotten
  for (int i = 0; i < 200; ++i) l.Update("hall", 30 + 0.01 * i, {{1000 + i, Look(i % 8, 3)}});
  EXPECT_LE(l.remembered(), 50u);
}

}  // namespace
}  // namespace argus::learn
