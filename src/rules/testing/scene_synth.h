// Synthetic scenes with exact ground truth for the image-based rules
// (abandoned object, object removed, camera tamper): person-like figures with
// their own texture walking on a textured background, bags that are carried
// and dropped, a painting that can be taken, sensor noise, lighting ramps and
// switches, and camera faults (covered, defocused, moved, signal lost).
// Each frame comes with the tracks the pipeline would see (exact boxes with a
// little tracker jitter) and the exact foreground mask.
//
// Test code (the rules' unit tests and bench/synthetic_rules_bench.cc share it): the
// production library does not contain it.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/geometry.h"
#include "core/image.h"
#include "core/status.h"
#include "events/event.h"
#include "rules/rule.h"
#include "track/track.h"

namespace argus::rules::synth {

inline constexpr double kNever = std::numeric_limits<double>::infinity();
// The conversion the abandoned-object rule uses without calibration.
inline constexpr double kPersonHeightMetres = 1.7;

struct Keyframe {
  double t = 0;
  core::Point foot;  // analysis pixels, world coordinates
};

// A person-like figure: head, shirt and trousers, each with its own grey level
// and a stripe texture. Visible from its first to its last keyframe.
struct Figure {
  int track_id = 0;
  std::vector<Keyframe> path;  // piecewise linear
  double height = 60;          // analysis pixels
  double width = 22;
  uint8_t head = 150, shirt = 60, trousers = 40;
  bool tracked = true;  // shows in the tracks
};

// A bag carried by `carrier` (beside its feet) until `drop_t`, then standing
// at `foot` until `taken_t`.
struct Bag {
  int carrier = -1;  // track id; -1: already on the floor at t = 0
  double drop_t = 0;
  double taken_t = kNever;
  core::Point foot;  // bottom-centre on the floor, analysis pixels
  double width = 12, height = 9;
  uint8_t luma = 35;
};

struct Painting {
  core::Box box;  // analysis pixels
  double removed_t = kNever;
};

struct GainKey {
  double t = 0;
  double gain = 1;
};

struct CameraScript {
  std::vector<GainKey> gain;  // piecewise linear; empty: 1
  double covered_t = kNever, uncovered_t = kNever;
  double defocus_t = kNever;
  int defocus_radius = 3;  // box blur (2r+1)^2
  double moved_t = kNever;
  core::Point moved_by;  // analysis pixels
  double lost_t = kNever, restored_t = kNever;
  double noise_sigma = 1.5;     // at the analysis scale (downscaling averages sensor noise)
  double track_jitter = 0.015;  // of the box height, per frame
};

// One alarm the rules must raise: type and reason, the time window in which
// its `start` must arrive, and the owner (abandoned object) when known.
struct Expected {
  std::string type;    // rule kind
  std::string reason;  // tamper details.reason; empty otherwise
  double t_ideal = 0;  // when a perfect rule fires (latency is measured from it)
  double t_from = 0;
  double t_to = 0;
  int owner_track_id = -1;
};

struct Scenario {
  std::string name;
  int width = 320;  // analysis frame
  int height = 240;
  double scale = 2;  // source pixels per analysis pixel
  double fps = 5;
  double duration_s = 60;
  std::vector<Figure> figures;
  std::vector<Bag> bags;
  std::vector<Painting> paintings;
  CameraScript camera;
  core::Polygon painting_zone;  // relative; the zone "painting" of the config
  std::vector<Expected> expected;
};

struct Frame {
  int64_t frame = 0;  // 1-based
  double t = 0;
  bool missing = false;              // signal lost: no image
  core::GrayImage gray;              // analysis scale
  core::GrayImage truth;             // exact mask of figures and bags, 0/255
  std::vector<track::Track> tracks;  // source pixels
};

// Renders a scenario frame by frame; textures and noise come from `seed`.
// Thread safety: one thread per instance.
class Generator {
 public:
  Generator(const Scenario& scenario, uint64_t seed);
  ~Generator();
  int64_t frame_count() const;
  // Frame `index` (0-based) at t = index / fps.
  Frame Render(int64_t index);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Scenario scripts, randomised by `seed` (positions, timings, looks).
// Positive: abandoned bag, painting removed, lens covered, defocus, camera moved,
// signal lost. Negative: person standing still, attended bag, people in front
// of the painting, lights off/on, daylight ramp, people crossing close to the lens.
Scenario AbandonedBag(uint64_t seed, int width = 320, int height = 240);
Scenario PersonStandsStill(uint64_t seed, int width = 320, int height = 240);
Scenario AttendedBag(uint64_t seed, int width = 320, int height = 240);
Scenario PaintingRemoved(uint64_t seed, int width = 320, int height = 240);
Scenario PaintingPassersBy(uint64_t seed, int width = 320, int height = 240);
Scenario LensCovered(uint64_t seed, int width = 320, int height = 240);
Scenario Defocused(uint64_t seed, int width = 320, int height = 240);
Scenario CameraMoved(uint64_t seed, int width = 320, int height = 240);
Scenario SignalLost(uint64_t seed, int width = 320, int height = 240);
Scenario LightsOffOn(uint64_t seed, int width = 320, int height = 240);
Scenario DaylightRamp(uint64_t seed, int width = 320, int height = 240);
Scenario CloseToLens(uint64_t seed, int width = 320, int height = 240);

using ScenarioMaker = Scenario (*)(uint64_t seed, int width, int height);
struct NamedMaker {
  const char* name;
  ScenarioMaker make;
};
const std::vector<NamedMaker>& AllScenarios();

// Feeding a scenario to rules the way the pipeline does.
struct RunOptions {
  bool oracle_mask = false;  // exact mask instead of a running-average background
  // During signal loss: true = the source ticks with frame_missing; false =
  // nothing is called until frames come back (a gap in t).
  bool tick_when_lost = true;
};

// Runs every frame through `rules` (computing SceneInput signals with the pure
// functions of scene_signals.h), then Finish. Returns every event.
std::vector<events::Event> Run(const Scenario& scenario, uint64_t seed,
                               const std::vector<Rule*>& rules, const RunOptions& options = {});

// The three image rules (abandoned_object, object_removed on the zone
// "painting", tamper) built through their makers from a generated config, with
// `rule_yaml` appended to each rule's mapping keys (e.g. "cooldown_s: 2").
struct RuleSet {
  std::unique_ptr<config::Config> config;
  std::vector<std::unique_ptr<Rule>> rules;
  std::vector<Rule*> pointers() const;
};
core::Result<RuleSet> MakeImageRules(const Scenario& scenario, double cooldown_s = 5);

// How events compare with the ground truth, for one rule type.
struct Score {
  int positives = 0;       // expected alarms of this type
  int detected = 0;        // ... with a matching start inside the window
  int false_alarms = 0;    // starts of this type matching no expected alarm
  double latency_sum = 0;  // seconds from t_ideal to the matching starts
};
Score ScoreEvents(const Scenario& scenario, const std::vector<events::Event>& events,
                  const std::string& type);

// Detection rate and false alarms of the three image rules over `seeds`
// randomised runs of every scenario.
struct RuleRow {
  std::string type;
  int positives = 0;
  int detected = 0;
  int false_alarms = 0;
  int runs = 0;            // scenario runs (every rule sees every run)
  double latency_sum = 0;  // over detected alarms, from the ideal time
};
struct Evaluation {
  std::vector<RuleRow> rows;        // abandoned_object, object_removed, tamper
  std::vector<std::string> misses;  // "scenario seed N: type" for each miss or false alarm
};
Evaluation Evaluate(int seeds, int width, const RunOptions& options = {});
std::string FormatTable(const Evaluation& e);

}  // namespace argus::rules::synth
