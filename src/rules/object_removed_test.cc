#include "rules/object_removed.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "rules/rule_engine.h"
#include "rules/testing/scene_synth.h"

namespace argus::rules {
namespace {

constexpr double kDt = 0.2;
constexpr int kW = 64, kH = 48;

core::GrayImage Scene(bool with_painting, double gain = 1) {
  core::GrayImage img(kW, kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      double v = 110 + (x % 5) * 3;
      if (with_painting && x >= 16 && x < 48 && y >= 8 && y < 24) {
        v = 40 + ((x * 7 + y * 13) % 11) * 18;  // the exhibit's texture
      }
      img.at(x, y) = static_cast<uint8_t>(std::min(255.0, v * gain));
    }
  }
  return img;
}

struct Harness {
  config::CameraConfig camera;
  config::RuleConfig rule;
  config::Zone zone;
  std::unique_ptr<ObjectRemovedRule> removed;
  std::vector<events::Event> out;
  std::vector<track::Track> tracks;
  int64_t frame = 0;

  Harness() {
    camera.name = "cam";
    rule.name = "mona";
    rule.kind = "object_removed";
    rule.cooldown_s = 1;
    zone.name = "painting";
    zone.polygon = {{0.25, 1.0 / 6}, {0.75, 1.0 / 6}, {0.75, 0.5}, {0.25, 0.5}};
    removed =
        std::make_unique<ObjectRemovedRule>(RuleContext{nullptr, &camera, &rule}, zone,
                                            ObjectRemovedParams{}, events::Severity::kCritical);
  }
  void Frame(double t, const core::GrayImage& img, double match = 0.9) {
    SceneInput s;
    s.gray = &img;
    s.scale = 10;
    s.background_match = match;
    FrameInput in;
    in.frame = ++frame;
    in.t = t;
    in.width = kW * 10;
    in.height = kH * 10;
    in.tracks = &tracks;
    in.scene = &s;
    removed->Process(in, &out);
  }
  void Run(double t0, double t1, const core::GrayImage& img, double match = 0.9) {
    for (double t = t0; t < t1 - 1e-9; t += kDt) Frame(t, img, match);
  }
  int starts() const {
    int n = 0;
    for (const auto& e : out) n += e.phase == events::Phase::kStart;
    return n;
  }
};

TEST(ObjectRemovedRuleTest, RemovalAlarmsAfterMinDurationWithZoneBoxAndCriticalSeverity) {
  Harness h;
  h.Run(0, 15, Scene(true));
  EXPECT_TRUE(h.removed->learned());
  EXPECT_GT(h.removed->last_similarity(), 0.9);
  h.Run(15, 19, Scene(false));  // 4 s < min_duration_s
  EXPECT_EQ(h.starts(), 0);
  h.Run(19, 25, Scene(false));
  ASSERT_EQ(h.starts(), 1);
  const events::Event& e = h.out[0];
  EXPECT_EQ(e.type, "object_removed");
  EXPECT_EQ(e.zone, "painting");
  EXPECT_EQ(e.severity, events::Severity::kCritical);
  EXPECT_NEAR(e.t, 15 + kDefaultRemovedMinDurationSeconds, kDt + 1e-9);
  EXPECT_NEAR(e.bbox.x, 160, 1e-6);
  EXPECT_NEAR(e.bbox.w, 320, 1e-6);
  EXPECT_LT(e.details["similarity"].get<double>(), 0.5);
  // Put back: the incident ends.
  h.Run(25, 30, Scene(true));
  EXPECT_EQ(h.out.back().phase, events::Phase::kEnd);
}

TEST(ObjectRemovedRuleTest, SmallExhibitTakenFromATexturedZone) {
  // A bag-sized exhibit (a fifth of the zone) on the textured wall: the
  // zone's correlation barely drops, the share of changed pixels does.
  auto scene = [](bool with_object) {
    core::GrayImage img = Scene(true);
    if (with_object) {
      for (int y = 12; y < 20; ++y) {
        for (int x = 20; x < 32; ++x) img.at(x, y) = 235;
      }
    }
    return img;
  };
  Harness h;
  h.Run(0, 15, scene(true));
  h.Run(15, 25, scene(false));
  EXPECT_EQ(h.starts(), 1);
}

TEST(ObjectRemovedRuleTest, LightingChangeIsNotARemoval) {
  Harness h;
  h.Run(0, 15, Scene(true));
  h.Run(15, 40, Scene(true, 0.4));
  h.Run(40, 60, Scene(true, 1.3));
  EXPECT_EQ(h.starts(), 0);
}

TEST(ObjectRemovedRuleTest, OccludedFramesAreNotJudged) {
  Harness h;
  h.Run(0, 15, Scene(true));
  // Someone stands in front for 20 s: the region looks different but is hidden.
  track::Track visitor;
  visitor.id = 7;
  visitor.label = "person";
  visitor.box = {200, 100, 120, 360};  // source pixels, over the zone
  h.tracks = {visitor};
  core::GrayImage hidden = Scene(true);
  for (int y = 10; y < kH; ++y) {
    for (int x = 20; x < 32; ++x) hidden.at(x, y) = 30;
  }
  h.Run(15, 35, hidden);
  h.tracks.clear();
  h.Run(35, 45, Scene(true));
  EXPECT_EQ(h.starts(), 0);
}

TEST(ObjectRemovedRuleTest, CameraMovedRelearnsInsteadOfAlarming) {
  Harness h;
  h.Run(0, 15, Scene(true));
  h.Run(15, 20, Scene(false), 0.2);  // the view jumped: tamper's business
  EXPECT_FALSE(h.removed->learned());
  h.Run(20, 40, Scene(false), 0.9);  // the new view becomes the reference
  EXPECT_EQ(h.starts(), 0);
  EXPECT_TRUE(h.removed->learned());
}

TEST(ObjectRemovedRuleTest, AReferenceLearnedOverUnseenPassersByIsLearnedAgain) {
  // People the tracker never saw (no box) walk through the zone while the rule learns:
  // their average is no picture of the exhibit, and every view once they left would
  // differ from it.
  auto passing = [](double t) {
    core::GrayImage img = Scene(true);
    const int x0 = 16 + static_cast<int>(t * 8) % 32;  // a dark figure crossing every 4 s
    for (int y = 8; y < 24; ++y) {
      for (int x = x0; x < std::min(48, x0 + 8); ++x) img.at(x, y) = 25;
    }
    return img;
  };
  Harness h;
  for (double t = 0; t < 11; t += kDt) h.Frame(t, passing(t));
  EXPECT_FALSE(h.removed->learned());
  EXPECT_GE(h.removed->unsteady_references(), 1);
  h.Run(11, 35, Scene(true));  // nobody passes: the exhibit's own picture is learned
  EXPECT_EQ(h.starts(), 0);
  EXPECT_TRUE(h.removed->learned());
  // The exhibit taken afterwards is caught.
  h.Run(35, 45, Scene(false));
  EXPECT_EQ(h.starts(), 1);
}

TEST(ObjectRemovedRuleTest, MakerNeedsAZoneAndKeepsAnExplicitSeverity) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(
      "cameras:\n"
      "  - name: c\n"
      "    source: x.mp4\n"
      "    zones:\n"
      "      - {name: art, polygon: [[0.1, 0.1], [0.3, 0.1], [0.3, 0.3]]}\n"
      "    rules:\n"
      "      - {name: a, kind: object_removed, zone: art, severity: warning, learn_s: 1}\n"
      "      - {name: b, kind: object_removed}\n"
      "      - {name: c, kind: object_removed, zone: nowhere}\n",
      "r.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  const auto& cam = cfg->cameras[0];
  auto make = [&](size_t i, config::Diagnostics* d) {
    auto r = MakeRule(RuleContext{&cfg->site, &cam, &cam.rules[i]}, d);
    return r.ok() ? std::move(*r) : nullptr;
  };
  config::Diagnostics d0, d1, d2;
  auto rule = make(0, &d0);
  ASSERT_NE(rule, nullptr) << d0.ToString();
  EXPECT_EQ(make(1, &d1), nullptr);
  EXPECT_NE(d1.ToString().find("zone"), std::string::npos) << d1.ToString();
  EXPECT_EQ(make(2, &d2), nullptr);
  EXPECT_NE(d2.ToString().find("nowhere"), std::string::npos) << d2.ToString();

  // The configured severity (warning) wins over the critical default.
  std::vector<events::Event> out;
  std::vector<track::Track> none;
  core::GrayImage img(100, 100, 0);
  for (int i = 0; i < 200; ++i) {
    if (i == 50) {
      for (auto& v : img.pixels) v = 128;
    }
    if (i < 50) {
      for (int y = 0; y < 100; ++y) {
        for (int x = 0; x < 100; ++x) img.at(x, y) = static_cast<uint8_t>((x * 37 + y * 91) % 200);
      }
    }
    SceneInput s;
    s.gray = &img;
    FrameInput in;
    in.frame = i + 1;
    in.t = i * 0.2;
    in.width = 100;
    in.height = 100;
    in.tracks = &none;
    in.scene = &s;
    rule->Process(in, &out);
  }
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].severity, events::Severity::kWarning);
}

// On rendered scenes.
TEST(ObjectRemovedSceneTest, PaintingTakenBehindTheThief) {
  for (uint64_t seed : {21u, 22u}) {
    const synth::Scenario s = synth::PaintingRemoved(seed, 160, 120);
    auto set = synth::MakeImageRules(s);
    ASSERT_TRUE(set.ok()) << set.status().message();
    const auto evs = synth::Run(s, seed, {set->rules[1].get()});
    const synth::Score sc = synth::ScoreEvents(s, evs, "object_removed");
    EXPECT_EQ(sc.positives, 1);
    EXPECT_EQ(sc.detected, 1) << "seed " << seed;
    EXPECT_EQ(sc.false_alarms, 0) << "seed " << seed;
  }
}

TEST(ObjectRemovedSceneTest, VisitorsInFrontAndLightChangesDoNotAlarm) {
  for (auto make : {&synth::PaintingPassersBy, &synth::LightsOffOn, &synth::DaylightRamp}) {
    const synth::Scenario s = make(23, 160, 120);
    auto set = synth::MakeImageRules(s);
    ASSERT_TRUE(set.ok());
    const auto evs = synth::Run(s, 23, {set->rules[1].get()});
    EXPECT_EQ(synth::ScoreEvents(s, evs, "object_removed").false_alarms, 0) << s.name;
  }
}

}  // namespace
}  // namespace argus::rules
