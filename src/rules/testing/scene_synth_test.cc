#include "rules/testing/scene_synth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace argus::rules::synth {
namespace {

TEST(SceneSynthTest, SameSeedSameFramesOtherSeedOtherScene) {
  const Scenario s = AbandonedBag(3, 160, 120);
  Generator a(s, 3), b(s, 3), c(s, 4);
  const Frame fa = a.Render(50), fb = b.Render(50), fc = c.Render(50);
  EXPECT_EQ(fa.gray.pixels, fb.gray.pixels);
  EXPECT_NE(fa.gray.pixels, fc.gray.pixels);
  EXPECT_EQ(fa.gray.width, 160);
  EXPECT_EQ(fa.gray.height, 120);
  EXPECT_DOUBLE_EQ(fa.t, 10.0);
  EXPECT_EQ(fa.frame, 51);
}

TEST(SceneSynthTest, TracksAndTruthMaskFollowTheScript) {
  const Scenario s = AbandonedBag(5, 160, 120);
  Generator g(s, 5);
  const Figure& owner = s.figures[0];
  const Bag& bag = s.bags[0];
  // Before anyone enters: no track, empty truth.
  Frame f = g.Render(0);
  EXPECT_TRUE(f.tracks.empty());
  EXPECT_EQ(std::count(f.truth.pixels.begin(), f.truth.pixels.end(), 255), 0);
  // At the drop the owner is tracked (source pixels) right next to the bag.
  const int64_t drop = static_cast<int64_t>(std::ceil(bag.drop_t * s.fps));
  f = g.Render(drop);
  const track::Track* tr = nullptr;
  for (const auto& t : f.tracks) {
    if (t.id == owner.track_id) tr = &t;
  }
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->label, "person");
  EXPECT_NEAR(tr->box.h, owner.height * s.scale, 0.1 * owner.height * s.scale);
  EXPECT_NEAR(tr->box.BottomCenter().x, bag.foot.x * s.scale, (owner.width + bag.width) * s.scale);
  // The bag's pixels are in the truth mask and darker/brighter than the floor.
  EXPECT_EQ(f.truth.at(static_cast<int>(bag.foot.x), static_cast<int>(bag.foot.y - bag.height / 2)),
            255);
  // The expected alarm is 30 s after the owner is 3 m away.
  ASSERT_EQ(s.expected.size(), 1u);
  EXPECT_GT(s.expected[0].t_ideal, bag.drop_t + 30);
  EXPECT_EQ(s.expected[0].owner_track_id, owner.track_id);
}

TEST(SceneSynthTest, CameraFaultsShowInThePixels) {
  const Scenario covered = LensCovered(1, 160, 120);
  Generator gc(covered, 1);
  const int64_t i_cov = static_cast<int64_t>(std::ceil(covered.camera.covered_t * covered.fps)) + 1;
  const Frame before = gc.Render(0), during = gc.Render(i_cov);
  EXPECT_LT(during.gray.pixels[0] + 0.0, 40);
  double var_b = 0, var_d = 0, mb = 0, md = 0;
  for (size_t i = 0; i < before.gray.pixels.size(); ++i) {
    mb += before.gray.pixels[i];
    md += during.gray.pixels[i];
  }
  mb /= before.gray.pixels.size();
  md /= during.gray.pixels.size();
  for (size_t i = 0; i < before.gray.pixels.size(); ++i) {
    var_b += (before.gray.pixels[i] - mb) * (before.gray.pixels[i] - mb);
    var_d += (during.gray.pixels[i] - md) * (during.gray.pixels[i] - md);
  }
  EXPECT_GT(var_b, 20 * var_d);

  const Scenario lost = SignalLost(1, 160, 120);
  Generator gl(lost, 1);
  const int64_t i_lost = static_cast<int64_t>(std::ceil(lost.camera.lost_t * lost.fps)) + 1;
  EXPECT_TRUE(gl.Render(i_lost).missing);
  EXPECT_FALSE(gl.Render(0).missing);
}

TEST(SceneSynthTest, EveryScenarioBuildsRulesAndHasConsistentGroundTruth) {
  for (const NamedMaker& m : AllScenarios()) {
    const Scenario s = m.make(7, 160, 120);
    EXPECT_EQ(s.name, m.name);
    EXPECT_GT(s.duration_s, 20);
    for (const Expected& e : s.expected) {
      EXPECT_LE(e.t_from, e.t_ideal) << m.name;
      EXPECT_LT(e.t_ideal, e.t_to) << m.name;
      EXPECT_LT(e.t_to, s.duration_s + 1) << m.name;
    }
    auto set = MakeImageRules(s);
    ASSERT_TRUE(set.ok()) << m.name << ": " << set.status().message();
    EXPECT_EQ(set->rules.size(), 3u);
  }
}

TEST(SceneSynthTest, ScoreMatchesStartsInsideTheWindowOnly) {
  Scenario s;
  s.expected = {{"tamper", "covered", 10, 9, 14, -1}};
  auto ev = [](double t, const char* reason) {
    events::Event e;
    e.type = "tamper";
    e.t = t;
    e.details["reason"] = reason;
    return e;
  };
  Score sc = ScoreEvents(s, {ev(11, "covered")}, "tamper");
  EXPECT_EQ(sc.detected, 1);
  EXPECT_EQ(sc.false_alarms, 0);
  EXPECT_DOUBLE_EQ(sc.latency_sum, 1);
  sc = ScoreEvents(s, {ev(20, "covered"), ev(11, "moved")}, "tamper");
  EXPECT_EQ(sc.detected, 0);
  EXPECT_EQ(sc.false_alarms, 2);
  EXPECT_EQ(ScoreEvents(s, {ev(11, "covered")}, "abandoned_object").positives, 0);
}

}  // namespace
}  // namespace argus::rules::synth
