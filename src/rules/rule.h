// The contract between the pipeline and every rule kind. Rules are pure: they
// see tracks, a few scene signals and time, and emit events in the JSON Lines
// contract of DESIGN.md (one incident = start, updates, end; never one event
// per frame).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "core/clock.h"
#include "core/image.h"
#include "core/status.h"
#include "events/event.h"
#include "track/track.h"

namespace argus::rules {

// What the motion stage saw in this frame, as plain data. Images are at the
// analysis scale (`scale` source pixels per analysis pixel).
struct SceneInput {
  const core::GrayImage* gray = nullptr;  // downscaled grey frame
  const core::GrayImage* mask = nullptr;  // foreground mask, 0 or 255
  double scale = 1;
  double changed_fraction = 0;  // 0..1 of the frame in motion
  double mean_luma = 0;         // 0..255
  double uniform_fraction = 0;  // 0..1 of the frame with no texture
  double sharpness = 0;         // camera's own units; compare with its baseline
  double background_match = 1;  // 0..1 structure similarity to the long-term reference
  double background_cells = 1;  // 0..1 of the reference's textured cells still in place
};

struct FrameInput {
  int64_t frame = 0;    // 1-based
  double t = 0;         // stream seconds
  core::WallTime wall;  // wall-clock time of the frame, for schedules
  int width = 0;        // source frame size in pixels
  int height = 0;
  const std::vector<track::Track>* tracks = nullptr;  // confirmed, seen this frame
  const std::vector<track::Track>* active = nullptr;  // also lost (occluded) ones; may be null
  const SceneInput* scene = nullptr;                  // null when motion is off
  bool frame_missing = false;  // a live source delivered nothing (tick without a frame)
};

// Everything a rule may know about where it runs. Pointers outlive the rule.
struct RuleContext {
  const config::SiteConfig* site = nullptr;
  const config::CameraConfig* camera = nullptr;
  const config::RuleConfig* rule = nullptr;
  // Incident number of this rule, shared across rebuilds of the rule so ids stay
  // unique ("<camera>/<rule>/<n>"). Owned by the RuleEngine; null in unit tests
  // (the IncidentTracker then counts on its own).
  int64_t* incident_counter = nullptr;
};

// Thread safety: one thread per instance (the camera's pipeline thread).
// Lifetime: the RuleEngine applies the rule's schedule (`when`); when the rule
// becomes inactive it calls Finish() and destroys it, and builds a fresh one
// when it becomes active again. A rule never sees Process() after Finish().
class Rule {
 public:
  virtual ~Rule() = default;
  virtual void Process(const FrameInput& in, std::vector<events::Event>* out) = 0;
  // End of stream or shutdown: close every open incident with an `end` event.
  virtual void Finish(const FrameInput& last, std::vector<events::Event>* out) = 0;
};

// Builds one rule kind. `fields` reads the rule's mapping; common keys (name,
// kind, when, severity, cooldown_s, labels) are already known to it. Errors go
// through fields.Error(); the maker returns an error Status when any occurred.
using RuleMaker = core::Result<std::unique_ptr<Rule>> (*)(const RuleContext& ctx,
                                                          config::MapReader& fields);

}  // namespace argus::rules
