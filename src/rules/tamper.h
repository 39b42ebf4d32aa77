// tamper: the camera itself is attacked or failing. One incident per reason
// (details.reason):
// - covered: most of the frame has no texture (SceneInput::uniform_fraction >=
//   `covered_uniform`) or is black (mean_luma <= `dark_luma`);
// - defocused: the luma-normalised sharpness (sharpness / mean_luma^2, so a
//   dimmer scene does not look blurred) falls below `defocus_ratio` of the
//   camera's own baseline (median over the last kTamperBaselineWindowSeconds of
//   normal frames);
// - moved: SceneInput::background_match below `moved_match`;
// - signal_lost: no frame for `signal_lost_s` (FrameInput::frame_missing ticks,
//   or a gap in stream time noticed when frames come back).
// A condition must hold for `min_duration_s` before it counts (people crossing
// close to the lens are short). A higher-priority condition hides the lower
// ones it implies (covered > defocused > moved: a covered lens also looks
// blurred and moved). A brightness jump with the structure kept (lights
// switched on or off) re-learns the sharpness baseline.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rules/incident.h"
#include "rules/rule.h"

namespace argus::rules {

inline constexpr double kDefaultTamperMinDurationSeconds = 4.0;
inline constexpr double kDefaultSignalLostSeconds = 5.0;
inline constexpr double kDefaultCoveredUniform = 0.8;
inline constexpr double kDefaultDarkLuma = 8.0;
inline constexpr double kDefaultDefocusRatio = 0.3;
inline constexpr double kDefaultMovedMatch = 0.5;
inline constexpr double kTamperBaselineWindowSeconds = 60.0;
inline constexpr double kTamperBaselineSampleSeconds = 0.5;
// Sharpness samples needed before "defocused" is judged.
inline constexpr int kTamperMinBaselineSamples = 10;
// A relative mean-luma change this big within kTamperLightJumpSeconds is a light switch.
inline constexpr double kTamperLightJumpRatio = 0.25;
inline constexpr double kTamperLightJumpSeconds = 1.0;

struct TamperParams {
  double min_duration_s = kDefaultTamperMinDurationSeconds;
  double signal_lost_s = kDefaultSignalLostSeconds;
  double covered_uniform = kDefaultCoveredUniform;
  double dark_luma = kDefaultDarkLuma;
  double defocus_ratio = kDefaultDefocusRatio;
  double moved_match = kDefaultMovedMatch;
};

// Thread safety: one thread per instance (the camera's pipeline thread).
class TamperRule final : public Rule {
 public:
  TamperRule(const RuleContext& ctx, const TamperParams& params);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  enum Reason { kCovered, kDefocused, kMoved, kReasons };
  void ProcessScene(const FrameInput& in, std::vector<events::Event>* out);
  void ObserveLost(const FrameInput& in, double t, double gap, std::vector<events::Event>* out);
  double BaselineSharpness() const;

  TamperParams p_;
  IncidentTracker incidents_;
  bool have_frame_ = false;
  double last_frame_t_ = 0;
  // Per reason: time the raw condition started holding continuously (< 0: not holding).
  double since_[kReasons] = {-1, -1, -1};
  std::deque<double> sharpness_;  // luma-normalised samples of normal frames
  double last_sample_t_ = -1e9;
  std::deque<std::pair<double, double>> luma_;  // (t, mean luma) over the last second
};

core::Result<std::unique_ptr<Rule>> MakeTamperRule(const RuleContext& ctx,
                                                   config::MapReader& fields);

}  // namespace argus::rules
