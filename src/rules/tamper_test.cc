#include "rules/tamper.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "rules/rule_engine.h"
#include "rules/testing/scene_synth.h"

namespace argus::rules {
namespace {

constexpr double kDt = 0.2;

struct Harness {
  config::CameraConfig camera;
  config::RuleConfig rule;
  std::unique_ptr<TamperRule> tamper;
  std::vector<events::Event> out;
  int64_t frame = 0;

  explicit Harness(TamperParams p = {}) {
    camera.name = "cam";
    rule.name = "tamper";
    rule.kind = "tamper";
    rule.cooldown_s = 1;
    tamper = std::make_unique<TamperRule>(RuleContext{nullptr, &camera, &rule}, p);
  }
  // One frame with the given signals at time t. The share of the view's cells
  // still in place follows the whole-frame match unless given.
  void Frame(double t, double luma, double uniform, double sharpness, double match,
             double cells = -1) {
    SceneInput s;
    s.mean_luma = luma;
    s.uniform_fraction = uniform;
    s.sharpness = sharpness;
    s.background_match = match;
    s.background_cells = cells < 0 ? match : cells;
    FrameInput in;
    in.frame = ++frame;
    in.t = t;
    in.width = 640;
    in.height = 480;
    in.scene = &s;
    tamper->Process(in, &out);
  }
  // A frame with its grey image (for the frozen-picture check).
  void Picture(double t, const core::GrayImage& gray) {
    SceneInput s;
    s.gray = &gray;
    s.mean_luma = 120;
    s.uniform_fraction = 0.05;
    s.sharpness = 0.03 * 120 * 120;
    s.background_match = 0.9;
    FrameInput in;
    in.frame = ++frame;
    in.t = t;
    in.width = 640;
    in.height = 480;
    in.scene = &s;
    tamper->Process(in, &out);
  }
  void Missing(double t) {
    FrameInput in;
    in.frame = ++frame;
    in.t = t;
    in.width = 640;
    in.height = 480;
    in.frame_missing = true;
    tamper->Process(in, &out);
  }
  // Normal frames from t0 to t1: luma 120, textured, sharpness proportional to luma^2.
  void Normal(double t0, double t1, double luma = 120) {
    for (double t = t0; t < t1 - 1e-9; t += kDt) Frame(t, luma, 0.05, 0.03 * luma * luma, 0.9);
  }
  std::vector<const events::Event*> Starts() const {
    std::vector<const events::Event*> v;
    for (const auto& e : out) {
      if (e.phase == events::Phase::kStart) v.push_back(&e);
    }
    return v;
  }
};

TEST(TamperRuleTest, CoveredMustPersistMinDuration) {
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 21; t += kDt) h.Frame(t, 20, 0.95, 5, 0.1);  // 1 s: a hand passing
  h.Normal(21, 30);
  EXPECT_TRUE(h.Starts().empty());
  for (double t = 30; t < 40; t += kDt) h.Frame(t, 20, 0.95, 5, 0.1);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);  // covered only: it hides the implied "moved"
  EXPECT_EQ(starts[0]->details["reason"], "covered");
  EXPECT_NEAR(starts[0]->t, 30 + kDefaultTamperMinDurationSeconds, kDt + 1e-9);
  EXPECT_EQ(starts[0]->type, "tamper");
  EXPECT_EQ(starts[0]->bbox, (core::Box{0, 0, 640, 480}));
  h.Normal(40, 45);  // uncovered: the incident ends after the cool-down
  EXPECT_EQ(h.out.back().phase, events::Phase::kEnd);
}

TEST(TamperRuleTest, BlackFrameCountsAsCovered) {
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 30; t += kDt) h.Frame(t, 3, 0.2, 1, 0.6);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "covered");
}

TEST(TamperRuleTest, DefocusAgainstOwnBaseline) {
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 30; t += kDt) h.Frame(t, 120, 0.05, 0.03 * 120 * 120 * 0.2, 0.85);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "defocused");
  EXPECT_NEAR(starts[0]->details["sharpness_ratio"].get<double>(), 0.2, 0.01);
}

TEST(TamperRuleTest, LightsOffKeepSharpnessRatioAndStructure) {
  Harness h;
  h.Normal(0, 20);
  // Lights off: luma / 3, raw sharpness / 9 (the normalised one is unchanged).
  h.Normal(20, 40, 40);
  h.Normal(40, 60, 120);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(TamperRuleTest, LightSwitchReBaselinesSharpness) {
  Harness h;
  h.Normal(0, 20);
  // After the switch the scene is relatively much less detailed (e.g. only a
  // lamp lit): a jump with the structure kept re-learns instead of alarming.
  for (double t = 20; t < 40; t += kDt) h.Frame(t, 60, 0.1, 0.03 * 60 * 60 * 0.2, 0.8);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(TamperRuleTest, MovedWhenBackgroundMatchStaysLow) {
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 21; t += kDt) h.Frame(t, 120, 0.05, 432, 0.2);  // short: a crowd
  h.Normal(21, 30);
  EXPECT_TRUE(h.Starts().empty());
  for (double t = 30; t < 40; t += kDt) h.Frame(t, 120, 0.05, 432, 0.2);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "moved");
}

TEST(TamperRuleTest, AViewHalfHiddenByPeopleIsNotMoved) {
  Harness h;
  h.Normal(0, 20);
  // A crowd or a door fills half the view for 10 s: the whole-frame match is
  // as low as for a turned camera, but half of the cells are still in place.
  for (double t = 20; t < 30; t += kDt) h.Frame(t, 120, 0.05, 432, 0.2, 0.5);
  EXPECT_TRUE(h.Starts().empty());
  // Then the camera is turned: the rest of the view goes too.
  for (double t = 30; t < 35; t += kDt) h.Frame(t, 120, 0.05, 432, 0.2, 0.1);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "moved");
  EXPECT_DOUBLE_EQ(starts[0]->details["background_cells"].get<double>(), 0.1);
}

TEST(TamperRuleTest, FlickeringReasonsAreOneEpisode) {
  // A hand over the lens: covered, moved and normal-looking frames alternate;
  // no reason holds 1.5 s on its own, the episode does.
  Harness h;
  h.Normal(0, 20);
  double t = 20;
  for (int i = 0; i < 4; ++i, t += 1.0) {
    h.Frame(t, 20, 0.95, 5, 0.1);
    h.Frame(t + 0.2, 20, 0.95, 5, 0.1);
    h.Frame(t + 0.4, 120, 0.05, 432, 0.2);
    h.Frame(t + 0.6, 120, 0.05, 432, 0.2);
    h.Frame(t + 0.8, 120, 0.05, 432, 0.9);  // a normal-looking frame within the gap
  }
  auto starts = h.Starts();
  ASSERT_GE(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "covered");  // the higher priority wins
  EXPECT_NEAR(starts[0]->t, 20 + kDefaultTamperMinDurationSeconds, 0.3);
}

TEST(TamperRuleTest, PartialCoverAgainstOwnBaseline) {
  // Translucent film: 60% texture-less, well under covered_uniform, but 55
  // points above this camera's normal 5%.
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 25; t += kDt) h.Frame(t, 100, 0.6, 0.03 * 100 * 100, 0.7);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "covered");
  EXPECT_EQ(starts[0]->details["cause"], "uniform");
  // A camera whose view is always 60% blank wall does not alarm.
  Harness blank;
  for (double t = 0; t < 40; t += kDt) blank.Frame(t, 100, 0.6, 0.03 * 100 * 100, 0.9);
  EXPECT_TRUE(blank.Starts().empty());
}

TEST(TamperRuleTest, NewReasonOfAConfirmedEpisodeIsReportedAtOnce) {
  Harness h;
  h.Normal(0, 20);
  for (double t = 20; t < 25; t += kDt) h.Frame(t, 120, 0.05, 432, 0.2);  // turned away
  h.Frame(25, 120, 0.95, 432, 0.2);                                       // then covered
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0]->details["reason"], "moved");
  EXPECT_EQ(starts[1]->details["reason"], "covered");
  EXPECT_NEAR(starts[1]->t, 25, 1e-9);
}

// A grey picture with sensor-like noise (seeded), so live frames always differ.
core::GrayImage NoisyPicture(uint32_t seed) {
  core::GrayImage img(64, 48);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    x = x * 1664525u + 1013904223u;
    img.pixels[i] = static_cast<uint8_t>(100 + (i % 64) + ((x >> 24) % 5));
  }
  return img;
}

TEST(TamperRuleTest, FrozenPictureAfterFrozenSeconds) {
  Harness h;
  uint32_t seed = 1;
  for (double t = 0; t < 10; t += kDt) h.Picture(t, NoisyPicture(seed++));
  EXPECT_TRUE(h.Starts().empty());
  const core::GrayImage still = NoisyPicture(seed++);
  for (double t = 10; t < 11; t += kDt) h.Picture(t, still);  // 1 s of repeats: a hiccup
  for (double t = 11; t < 12; t += kDt) h.Picture(t, NoisyPicture(seed++));
  EXPECT_TRUE(h.Starts().empty());
  for (double t = 12; t < 16; t += kDt) h.Picture(t, still);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "frozen");
  EXPECT_NEAR(starts[0]->t, 12 + kDefaultFrozenSeconds, kDt + 1e-9);
  for (double t = 16; t < 20; t += kDt) h.Picture(t, NoisyPicture(seed++));
  EXPECT_EQ(h.out.back().phase, events::Phase::kEnd);
}

TEST(TamperRuleTest, SignalLostWithTicks) {
  Harness h;
  h.Normal(0, 10);
  for (double t = 10; t < 20; t += kDt) h.Missing(t);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "signal_lost");
  EXPECT_NEAR(starts[0]->t, 9.8 + kDefaultSignalLostSeconds, kDt + 1e-9);
  h.Normal(20, 25);
  EXPECT_EQ(h.out.back().phase, events::Phase::kEnd);
}

TEST(TamperRuleTest, SignalLostAsAGapInStreamTime) {
  Harness h;
  h.Normal(0, 10);
  h.Normal(30, 35);  // nothing between 10 and 30
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "signal_lost");
  EXPECT_NEAR(starts[0]->t, 9.8 + kDefaultSignalLostSeconds, 1e-6);  // dated when it became one
  EXPECT_NEAR(starts[0]->details["gap_s"].get<double>(), 20.2, 1e-6);
  // A short gap is not a loss.
  Harness h2;
  h2.Normal(0, 10);
  h2.Normal(12, 20);
  EXPECT_TRUE(h2.Starts().empty());
}

TEST(TamperRuleTest, MakerReadsAndValidatesFields) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(
      "cameras:\n"
      "  - name: c\n"
      "    source: x.mp4\n"
      "    rules:\n"
      "      - {name: a, kind: tamper, min_duration_s: 2, moved_match: 0.4, frozen_s: 3, "
      "covered_rise: 0.4, moved_cells: 0.3}\n"
      "      - {name: b, kind: tamper, defocus_ratio: 3}\n"
      "      - {name: c, kind: tamper, covred_uniform: 0.5}\n",
      "t.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  const auto& cam = cfg->cameras[0];
  auto make = [&](size_t i, config::Diagnostics* d) {
    return MakeRule(RuleContext{&cfg->site, &cam, &cam.rules[i]}, d).ok() && d->ok();
  };
  config::Diagnostics d0, d1, d2;
  EXPECT_TRUE(make(0, &d0)) << d0.ToString();
  EXPECT_FALSE(make(1, &d1));
  EXPECT_NE(d1.ToString().find("t.yaml:6"), std::string::npos) << d1.ToString();
  EXPECT_NE(d1.ToString().find("defocus_ratio"), std::string::npos);
  EXPECT_FALSE(make(2, &d2));  // the typo is reported as unknown
  EXPECT_NE(d2.ToString().find("covred_uniform"), std::string::npos) << d2.ToString();
}

// On rendered scenes, with the signals computed from the pixels.
class TamperSceneTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TamperSceneTest, AlarmsExactlyAsTheGroundTruthSays) {
  for (const auto& m : synth::AllScenarios()) {
    if (std::string(m.name) != GetParam()) continue;
    for (uint64_t seed : {11u, 12u}) {
      const synth::Scenario s = m.make(seed, 160, 120);
      auto set = synth::MakeImageRules(s);
      ASSERT_TRUE(set.ok()) << set.status().message();
      TamperRule* rule = nullptr;
      for (auto& r : set->rules) {
        if (auto* t = dynamic_cast<TamperRule*>(r.get())) rule = t;
      }
      ASSERT_NE(rule, nullptr);
      const auto evs = synth::Run(s, seed, {rule});
      const synth::Score sc = synth::ScoreEvents(s, evs, "tamper");
      EXPECT_EQ(sc.detected, sc.positives) << s.name << " seed " << seed;
      EXPECT_EQ(sc.false_alarms, 0) << s.name << " seed " << seed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, TamperSceneTest,
                         ::testing::Values("lens_covered", "defocused", "camera_moved",
                                           "signal_lost", "lights_off_on", "daylight_ramp",
                                           "close_to_lens"));

TEST(TamperSceneTest, SignalLostWithoutTicksIsReportedWhenFramesReturn) {
  const synth::Scenario s = synth::SignalLost(5, 160, 120);
  auto set = synth::MakeImageRules(s);
  ASSERT_TRUE(set.ok());
  synth::RunOptions opt;
  opt.tick_when_lost = false;
  const auto evs = synth::Run(s, 5, {set->rules[2].get()}, opt);
  const synth::Score sc = synth::ScoreEvents(s, evs, "tamper");
  EXPECT_EQ(sc.detected, 1);
  EXPECT_EQ(sc.false_alarms, 0);
}

}  // namespace
}  // namespace argus::rules
