#include "rules/person_down.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "rules/rule_engine.h"

namespace argus::rules {
namespace {

constexpr double kDt = 0.1;

struct Harness {
  config::CameraConfig camera;
  config::RuleConfig rule;
  std::unique_ptr<PersonDownRule> down;
  std::vector<events::Event> out;
  int64_t frame = 0;
  int id = 1;      // the track Box() reports
  double x = 100;  // its left edge

  explicit Harness(PersonDownParams p = {}) {
    camera.name = "cam";
    rule.name = "down";
    rule.kind = "person_down";
    rule.cooldown_s = 1;
    down = std::make_unique<PersonDownRule>(RuleContext{nullptr, &camera, &rule}, p);
  }
  // Track `id` with box w x h (feet at y = 200) from t0 to t1; `visible` false:
  // the tracker still holds it but did not see it (lost while still).
  void Box(double t0, double t1, double w, double h, bool visible = true) {
    for (double t = t0; t < t1 - 1e-9; t += kDt) {
      track::Track tr;
      tr.id = id;
      tr.label = "person";
      tr.state = track::TrackState::kTracked;
      tr.box = {x, 200 - h, w, h};
      std::vector<track::Track> seen, active{tr};
      if (visible) seen.push_back(tr);
      FrameInput in;
      in.frame = ++frame;
      in.t = t;
      in.width = 320;
      in.height = 240;
      in.tracks = &seen;
      in.active = &active;
      down->Process(in, &out);
    }
  }
  // Linear change of the box from (w0, h0) to (w1, h1) over [t0, t1).
  void Morph(double t0, double t1, double w0, double h0, double w1, double h1) {
    for (double t = t0; t < t1 - 1e-9; t += kDt) {
      const double a = (t - t0) / (t1 - t0);
      Box(t, t + kDt, w0 + a * (w1 - w0), h0 + a * (h1 - h0));
    }
  }
  std::vector<const events::Event*> Starts() const {
    std::vector<const events::Event*> v;
    for (const auto& e : out) {
      if (e.phase == events::Phase::kStart) v.push_back(&e);
    }
    return v;
  }
};

TEST(PersonDownRuleTest, FallAndStayDown) {
  Harness h;
  h.Box(0, 5, 40, 120);               // walking
  h.Morph(5, 5.8, 40, 120, 110, 50);  // falls in 0.8 s
  h.Box(5.8, 12, 110, 50);            // lies on the floor
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->type, "person_down");
  EXPECT_EQ(starts[0]->track_id, 1);
  // Down from the first frame the box is wider than tall (w/h >= 1), plus 2 s.
  EXPECT_GT(starts[0]->t, 5.5 + kDefaultPersonDownMinDurationSeconds - 0.3);
  EXPECT_LT(starts[0]->t, 5.8 + kDefaultPersonDownMinDurationSeconds + 0.2);
  h.Box(12, 15, 40, 120);  // gets up: the incident ends
  EXPECT_EQ(h.out.back().phase, events::Phase::kEnd);
}

TEST(PersonDownRuleTest, ShortStumbleIsNotDown) {
  Harness h;
  h.Box(0, 5, 40, 120);
  h.Morph(5, 5.5, 40, 120, 110, 50);
  h.Box(5.5, 6.5, 110, 50);  // 1 s on the floor, then up
  h.Box(6.5, 12, 40, 120);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(PersonDownRuleTest, SittingAndBendingAreNotFalls) {
  Harness h;
  h.Box(0, 5, 40, 120);
  h.Morph(5, 6, 40, 120, 60, 85);  // sits down: w/h 0.7
  h.Box(6, 20, 60, 85);
  h.Box(20, 22, 40, 120);
  h.Morph(22, 22.5, 40, 120, 70, 75);  // bends: w/h 0.93, 0.6 of the height
  h.Box(22.5, 23.5, 70, 75);
  h.Box(23.5, 30, 40, 120);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(PersonDownRuleTest, LyingDownSlowlyOnASofaIsNotAFall) {
  Harness h;
  h.Box(0, 5, 40, 120);
  h.Morph(5, 6, 40, 120, 60, 85);  // sits for 5 s
  h.Box(6, 11, 60, 85);
  h.Morph(11, 13, 60, 85, 120, 50);  // then lies down
  h.Box(13, 25, 120, 50);
  EXPECT_TRUE(h.Starts().empty());
}

TEST(PersonDownRuleTest, LostWhileLyingStillStaysDown) {
  Harness h;
  h.Box(0, 5, 40, 120);
  h.Morph(5, 5.6, 40, 120, 110, 50);
  h.Box(5.6, 6, 110, 50);
  h.Box(6, 10, 110, 50, /*visible=*/false);  // still: the detector loses it
  ASSERT_EQ(h.Starts().size(), 1u);
}

TEST(PersonDownRuleTest, APersonLostInMidFallAndFoundOnTheFloorIsDown) {
  Harness h;
  h.Box(0, 5, 40, 120);
  h.Morph(5, 5.4, 40, 120, 45, 100);  // starts to fall; the detector loses them
  h.id = 2;                           // found again on the floor 1.2 s later
  h.Box(6.6, 10, 110, 50);
  auto starts = h.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->track_id, 2);
  EXPECT_EQ(starts[0]->details["fell_as_track"], 1);
  EXPECT_NEAR(starts[0]->t, 6.6 + kDefaultPersonDownMinDurationSeconds, 0.15);
}

TEST(PersonDownRuleTest, SomeoneFoundLyingIsNotAFallOfAPersonLongGoneOrElsewhere) {
  Harness far;
  far.Box(0, 5, 40, 120);
  far.id = 2;
  far.x = 200;  // lying, but not where the standing person was last seen
  far.Box(5.5, 10, 110, 50);
  EXPECT_TRUE(far.Starts().empty());

  Harness late;
  late.Box(0, 5, 40, 120);
  late.id = 2;  // lying where they stood, but found 6 s after they were lost
  late.Box(5 + kDefaultPersonDownFallSeconds + kPersonFallHandOverSeconds + 1, 16, 110, 50);
  EXPECT_TRUE(late.Starts().empty());
}

TEST(PersonDownRuleTest, MakerReadsAndValidatesFields) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(
      "cameras:\n"
      "  - name: c\n"
      "    source: x.mp4\n"
      "    rules:\n"
      "      - {name: a, kind: person_down, min_duration_s: 5, fall_s: 1.5, down_aspect: 1.2}\n"
      "      - {name: b, kind: person_down, down_aspect: 0.5}\n"
      "      - {name: c, kind: person_down, min_duration: 5}\n",
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
  EXPECT_NE(d1.ToString().find("down_aspect"), std::string::npos);
  EXPECT_FALSE(make(2, &d2));
  EXPECT_NE(d2.ToString().find("min_duration"), std::string::npos) << d2.ToString();
}

}  // namespace
}  // namespace argus::rules
