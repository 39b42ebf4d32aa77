#include "rules/abandoned_object.h"

#include <gtest/gtest.h>

#include <functional>

#include "config/config.h"
#include "rules/rule_engine.h"
#include "rules/testing/scene_synth.h"

namespace argus::rules {
namespace {

constexpr double kDt = 0.2;
constexpr int kW = 80, kH = 60;
constexpr double kScale = 8;  // source 640x480

core::GrayImage Floor() {
  core::GrayImage img(kW, kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x)
      img.at(x, y) = static_cast<uint8_t>(110 + ((x / 3 + y / 2) % 4) * 12);
  }
  return img;
}

void Paint(core::GrayImage* img, const core::Box& b, uint8_t v) {
  for (int y = static_cast<int>(b.y); y < static_cast<int>(b.Bottom()); ++y) {
    for (int x = static_cast<int>(b.x); x < static_cast<int>(b.Right()); ++x) {
      if (x >= 0 && y >= 0 && x < kW && y < kH) img->at(x, y) = v;
    }
  }
}

track::Track Person(int id, core::Box analysis_box) {
  track::Track t;
  t.id = id;
  t.label = "person";
  t.state = track::TrackState::kTracked;
  t.box = {analysis_box.x * kScale, analysis_box.y * kScale, analysis_box.w * kScale,
           analysis_box.h * kScale};
  return t;
}

// A hand-made scene: a person (box 6x20 analysis px) and maybe a bag (4x3).
struct Harness {
  config::CameraConfig camera;
  config::RuleConfig rule;
  std::unique_ptr<AbandonedObjectRule> abandoned;
  std::vector<events::Event> out;
  int64_t frame = 0;
  double track_margin = 0;  // the track's box is this much wider each side than the person
  std::function<void(core::GrayImage*, double)> paint;  // more of the scene at a time

  explicit Harness(AbandonedParams p = {}) {
    camera.name = "cam";
    rule.name = "bags";
    rule.kind = "abandoned_object";
    rule.cooldown_s = 1;
    abandoned =
        std::make_unique<AbandonedObjectRule>(RuleContext{nullptr, &camera, &rule}, p, nullptr);
  }
  // The person's track is `id` (0: the tracker lost them, they are only pixels).
  void Frame(double t, const std::optional<core::Box>& person, const std::optional<core::Box>& bag,
             int id = 1) {
    core::GrayImage img = Floor();
    std::vector<track::Track> tracks;
    if (bag) Paint(&img, *bag, 20);
    if (paint) paint(&img, t);
    if (person) {
      Paint(&img, *person, 230);
      if (id > 0) {
        const core::Box& b = *person;
        tracks.push_back(Person(id, {b.x - track_margin, b.y, b.w + 2 * track_margin, b.h}));
      }
    }
    SceneInput s;
    s.gray = &img;
    s.scale = kScale;
    FrameInput in;
    in.frame = ++frame;
    in.t = t;
    in.width = static_cast<int>(kW * kScale);
    in.height = static_cast<int>(kH * kScale);
    in.tracks = &tracks;
    in.scene = &s;
    abandoned->Process(in, &out);
  }
  std::vector<const events::Event*> Starts() const {
    std::vector<const events::Event*> v;
    for (const auto& e : out) {
      if (e.phase == events::Phase::kStart) v.push_back(&e);
    }
    return v;
  }
};

// The person walks from x0 to x1 (analysis px) at 10 px/s, foot at y = 50.
core::Box At(double x) { return {x - 3, 30, 6, 20}; }

TEST(AbandonedObjectRuleTest, OwnerWalksAwayAndTheBagIsReportedAfterUnattendedSeconds) {
  AbandonedParams p;
  p.min_area_px = 200;  // the 4x3 bag is 768 source px^2
  Harness h(p);
  const core::Box bag = {42, 47, 4, 3};
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);  // empty scene
  for (double x = 0; x < 38; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (int i = 0; i < 10; ++i, t += kDt) h.Frame(t, At(38), bag);  // drops it, stays 2 s
  double far_t = -1;
  for (double x = 38; x > -4; x -= 2, t += kDt) {  // walks away left
    // Owner's foot (x, 50) vs bag bottom-centre (44, 50), 20 px = 1.7 m.
    if (far_t < 0 && (44 - x) / 20 * 1.7 > 3) far_t = t;
    h.Frame(t, At(x), bag);
  }
  for (; t < far_t + 40; t += kDt) h.Frame(t, std::nullopt, bag);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  const events::Event& e = *starts[0];
  EXPECT_EQ(e.type, "abandoned_object");
  EXPECT_EQ(e.label, "object");
  EXPECT_EQ(e.details["owner_track_id"], 1);
  EXPECT_NEAR(e.t, far_t + kDefaultUnattendedSeconds, 0.5);
  EXPECT_NEAR(e.bbox.x, bag.x * kScale, kScale);
  EXPECT_NEAR(e.bbox.w, bag.w * kScale, 2 * kScale);
}

TEST(AbandonedObjectRuleTest, OwnerCloseByKeepsItAttended) {
  AbandonedParams p;
  p.min_area_px = 200;
  Harness h(p);
  const core::Box bag = {42, 47, 4, 3};
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  for (double x = 0; x < 38; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (double x = 38; x > 30; x -= 2, t += kDt) h.Frame(t, At(x), bag);  // 0.9 m away
  for (; t < 80; t += kDt) h.Frame(t, At(30), bag);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(AbandonedObjectRuleTest, PersonStandingStillIsNotAnObject) {
  Harness h;
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  for (double x = 0; x < 40; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (; t < 90; t += kDt) h.Frame(t, At(40), std::nullopt);
  for (double x = 40; x < 84; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (; t < 110; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(AbandonedObjectRuleTest, APersonTheTrackerLostWhereTheyStoodIsNotAnObject) {
  Harness h;
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  for (double x = 0; x < 40; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (const double until = t + 3; t < until; t += kDt) h.Frame(t, At(40), std::nullopt);
  // The tracker drops them; they sit there for two minutes, longer than the rule
  // remembers tracks.
  for (const double until = t + 150; t < until; t += kDt) {
    h.Frame(t, At(40), std::nullopt, /*id=*/0);
  }
  EXPECT_TRUE(h.Starts().empty());
}

// A suitcase half a person tall, its owner beside it while it settles, then gone:
// that the owner stood there must not make the suitcase "a person", also when
// the tracker lost the owner for a moment and found them again under a new id.
class OwnerBesideSuitcase : public ::testing::TestWithParam<bool> {};

TEST_P(OwnerBesideSuitcase, LeavesAnObject) {
  const bool new_id = GetParam();
  AbandonedParams p;
  p.min_area_px = 200;
  Harness h(p);
  h.track_margin = 2;  // a loose box: it covers the suitcase beside the owner
  const core::Box suitcase = {43, 40, 4, 10};
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  for (double x = 0; x < 40; x += 2, t += kDt) h.Frame(t, At(x), std::nullopt);
  for (const double until = t + 3; t < until; t += kDt) h.Frame(t, At(40), suitcase);
  if (new_id) {
    for (const double until = t + 0.4; t < until; t += kDt) h.Frame(t, At(40), suitcase, 0);
  }
  double far_t = -1;
  for (double x = 40; x > -4; x -= 2, t += kDt) {
    if (far_t < 0 && (45 - x) / 20 * 1.7 > 3) far_t = t;
    h.Frame(t, At(x), suitcase, new_id ? 2 : 1);
  }
  for (; t < far_t + 40; t += kDt) h.Frame(t, std::nullopt, suitcase);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["owner_track_id"], 1) << "who was there when it appeared";
}

INSTANTIATE_TEST_SUITE_P(Abandoned, OwnerBesideSuitcase, ::testing::Bool());

TEST(AbandonedObjectRuleTest, ObjectNobodyBroughtIsUnattendedFromTheStart) {
  AbandonedParams p;
  p.min_area_px = 200;
  p.unattended_s = 10;
  Harness h(p);
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  const double appear = t;
  for (; t < 40; t += kDt) h.Frame(t, std::nullopt, core::Box{20, 20, 5, 5});
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_FALSE(starts[0]->details.contains("owner_track_id"));
  EXPECT_NEAR(starts[0]->t, appear + 10, 1.0);
}

TEST(AbandonedObjectRuleTest, SmallerThanMinAreaIsIgnored) {
  AbandonedParams p;
  p.min_area_px = 2000;  // the 4x3 bag is 768 source px^2
  p.unattended_s = 5;
  Harness h(p);
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  for (; t < 40; t += kDt) h.Frame(t, std::nullopt, core::Box{20, 20, 4, 3});
  EXPECT_TRUE(h.Starts().empty());
}

// The smallest object is a share of the height of the people seen at its row: far away
// (people 64 source px tall) a 256 px^2 bag counts though it is under min_area_px; close
// up (people 320 px tall) a 768 px^2 patch does not though it is over it. Before anyone
// was seen, min_area_px decides.
TEST(AbandonedObjectRuleTest, TheSmallestObjectScalesWithThePeopleSeenAtItsRow) {
  struct Case {
    double person_h;  // analysis px; 0: nobody walks by
    core::Box object;
    bool reported;
  };
  for (const Case& c : {Case{8, {60, 46, 2, 2}, true}, Case{0, {60, 46, 2, 2}, false},
                        Case{40, {60, 52, 4, 3}, false}, Case{0, {60, 52, 4, 3}, true}}) {
    AbandonedParams p;
    p.unattended_s = 10;
    Harness h(p);
    double t = 0;
    for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
    // Someone crosses the left of the view, far from where the object will be.
    const double foot = c.object.Bottom();
    for (double x = 0; x < 30; x += 1, t += kDt) {
      h.Frame(t,
              c.person_h > 0 ? std::optional<core::Box>({x, foot - c.person_h, 3, c.person_h})
                             : std::nullopt,
              std::nullopt);
    }
    for (const double until = t + 30; t < until; t += kDt) h.Frame(t, std::nullopt, c.object);
    EXPECT_EQ(h.Starts().size(), c.reported ? 1u : 0u)
        << "people " << c.person_h << " px tall, object " << c.object.w << "x" << c.object.h;
  }
}

// One alert per spot: a C-shaped thing and a piece in its opening, two blobs that touch
// nowhere and whose boxes overlap with neither centre inside the other, are one thing
// left there, not two alerts.
TEST(AbandonedObjectRuleTest, PiecesOfOneThingAreOneAlert) {
  AbandonedParams p;
  p.unattended_s = 20;
  Harness h(p);
  double t = 0;
  for (; t < 10; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  h.paint = [](core::GrayImage* img, double now) {
    for (const core::Box& bar :
         {core::Box{18, 13, 10, 3}, core::Box{18, 30, 10, 3}, core::Box{25, 13, 3, 20}}) {
      Paint(img, bar, 20);
    }
    if (now >= 12) Paint(img, {14, 21, 6, 3}, 20);
  };
  for (; t < 50; t += kDt) h.Frame(t, std::nullopt, std::nullopt);
  EXPECT_EQ(h.Starts().size(), 1u);
}

TEST(AbandonedObjectRuleTest, MakerReadsZoneAndFields) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(
      "cameras:\n"
      "  - name: c\n"
      "    source: x.mp4\n"
      "    zones:\n"
      "      - {name: hall, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]]}\n"
      "    rules:\n"
      "      - {name: a, kind: abandoned_object, zone: hall, unattended_s: 60, owner_distance_m: "
      "2}\n"
      "      - {name: b, kind: abandoned_object, unattended_s: -1}\n",
      "a.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  const auto& cam = cfg->cameras[0];
  for (size_t i = 0; i < 2; ++i) {
    config::Diagnostics d;
    auto r = MakeRule(RuleContext{&cfg->site, &cam, &cam.rules[i]}, &d);
    if (i == 0) {
      EXPECT_TRUE(r.ok()) << d.ToString();
    } else {
      EXPECT_FALSE(r.ok());
      EXPECT_NE(d.ToString().find("a.yaml:8"), std::string::npos) << d.ToString();
      EXPECT_NE(d.ToString().find("unattended_s"), std::string::npos);
    }
  }
}

// On rendered scenes, with both a computed and an exact foreground mask.
class AbandonedSceneTest : public ::testing::TestWithParam<bool> {};

TEST_P(AbandonedSceneTest, BagLeftBehindIsReportedWithItsOwner) {
  synth::RunOptions opt;
  opt.oracle_mask = GetParam();
  for (uint64_t seed : {31u, 32u}) {
    const synth::Scenario s = synth::AbandonedBag(seed, 160, 120);
    auto set = synth::MakeImageRules(s);
    ASSERT_TRUE(set.ok()) << set.status().message();
    const auto evs = synth::Run(s, seed, {set->rules[0].get()}, opt);
    const synth::Score sc = synth::ScoreEvents(s, evs, "abandoned_object");
    EXPECT_EQ(sc.detected, 1) << "seed " << seed;
    EXPECT_EQ(sc.false_alarms, 0) << "seed " << seed;
    for (const auto& e : evs) {
      if (e.phase != events::Phase::kStart) continue;
      EXPECT_EQ(e.details.value("owner_track_id", -1), s.expected[0].owner_track_id);
      // The box is the bag's (source pixels), not a person's.
      const synth::Bag& bag = s.bags[0];
      EXPECT_NEAR(e.bbox.BottomCenter().x, bag.foot.x * s.scale, 3 * s.scale);
      EXPECT_NEAR(e.bbox.BottomCenter().y, bag.foot.y * s.scale, 3 * s.scale);
    }
  }
}

TEST_P(AbandonedSceneTest, NoAlarmForStandingPersonAttendedBagOrLights) {
  synth::RunOptions opt;
  opt.oracle_mask = GetParam();
  for (auto make : {&synth::PersonStandsStill, &synth::AttendedBag, &synth::LightsOffOn}) {
    const synth::Scenario s = make(33, 160, 120);
    auto set = synth::MakeImageRules(s);
    ASSERT_TRUE(set.ok());
    const auto evs = synth::Run(s, 33, {set->rules[0].get()}, opt);
    EXPECT_EQ(synth::ScoreEvents(s, evs, "abandoned_object").false_alarms, 0) << s.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Masks, AbandonedSceneTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "oracle" : "computed"; });

}  // namespace
}  // namespace argus::rules
