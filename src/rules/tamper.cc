#include "rules/tamper.h"

#include <algorithm>
#include <cmath>

#include "core/structure_match.h"
#include "rules/rule_util.h"
#include "rules/scene_signals.h"

namespace argus::rules {
namespace {

constexpr double kMaxSeconds = 3600;
// Luma floor for the sharpness normalisation: a black frame is noise, not detail.
constexpr double kMinNormLuma = 8.0;
constexpr const char* kReasonNames[] = {"covered", "defocused", "moved"};

// Median of a baseline window, or -1 before it has kTamperMinBaselineSamples.
double Median(const std::deque<double>& samples) {
  if (static_cast<int>(samples.size()) < kTamperMinBaselineSamples) return -1;
  std::vector<double> v(samples.begin(), samples.end());
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

TamperRule::TamperRule(const RuleContext& ctx, const TamperParams& params)
    : p_(params), incidents_(ctx, "tamper") {}

void TamperRule::ClearBaselines() {
  sharpness_.clear();
  uniform_.clear();
}

void TamperRule::ObserveLost(const FrameInput& in, double t, double gap,
                             std::vector<events::Event>* out) {
  Observation o;
  o.t = t;
  o.frame = in.frame;
  o.bbox = {0, 0, static_cast<double>(in.width), static_cast<double>(in.height)};
  o.details = {{"reason", "signal_lost"}, {"gap_s", gap}};
  incidents_.Observe("signal_lost", o, out);
}

void TamperRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  if (in.frame_missing) {
    if (have_frame_ && in.t - last_frame_t_ >= p_.signal_lost_s) {
      ObserveLost(in, in.t, in.t - last_frame_t_, out);
    }
    incidents_.Tick(in.t, in.frame, out);
    return;
  }
  // Frames are back after a gap nobody ticked through: report the loss late
  // (dated when it became one) rather than never.
  const double gap = in.t - last_frame_t_;
  if (have_frame_ && gap >= p_.signal_lost_s && !incidents_.IsOpen("signal_lost")) {
    ObserveLost(in, last_frame_t_ + p_.signal_lost_s, gap, out);
  }
  have_frame_ = true;
  last_frame_t_ = in.t;
  if (in.scene) {
    ObserveFrozen(in, out);
    ProcessScene(in, out);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void TamperRule::ObserveFrozen(const FrameInput& in, std::vector<events::Event>* out) {
  const core::GrayImage* gray = in.scene->gray;
  if (!gray || gray->empty()) return;
  const int delta = previous_.empty() ? -1 : MaxAbsDiff(*gray, previous_);
  if (delta < 0 || delta >= kTamperFrozenMaxDelta) {
    // Compared with the first frame of a run, so slow drift cannot hide a change.
    frozen_since_ = -1;
    previous_ = *gray;
    previous_t_ = in.t;
    return;
  }
  if (frozen_since_ < 0) frozen_since_ = previous_t_;
  if (in.t - frozen_since_ < p_.frozen_s) return;
  Observation o = SceneObservation(in, "frozen", in.scene->background_match);
  o.details["frozen_s"] = in.t - frozen_since_;
  incidents_.Observe("frozen", o, out);
}

Observation TamperRule::SceneObservation(const FrameInput& in, const char* reason,
                                         double match) const {
  const SceneInput& s = *in.scene;
  Observation o;
  o.t = in.t;
  o.frame = in.frame;
  o.bbox = {0, 0, static_cast<double>(in.width), static_cast<double>(in.height)};
  o.details = {{"reason", reason},
               {"mean_luma", s.mean_luma},
               {"uniform_fraction", s.uniform_fraction},
               {"background_match", match},
               {"background_cells", s.background_cells}};
  return o;
}

void TamperRule::ProcessScene(const FrameInput& in, std::vector<events::Event>* out) {
  const SceneInput& s = *in.scene;
  const double t = in.t;
  const double luma = s.mean_luma;
  const double norm_sharp = s.sharpness / std::pow(std::max(luma, kMinNormLuma), 2);
  const double base_sharp = Median(sharpness_);
  const double base_uniform = Median(uniform_);

  bool raw[kReasons] = {};
  const bool dark = luma <= p_.dark_luma;
  const bool blinded = luma >= kTamperBlindedLuma && s.uniform_fraction >= kTamperMinCoveredUniform;
  const bool rise = base_uniform >= 0 && s.uniform_fraction >= kTamperMinCoveredUniform &&
                    s.uniform_fraction - base_uniform >= p_.covered_rise;
  raw[kCovered] = s.uniform_fraction >= p_.covered_uniform || dark || blinded || rise;

  // A light switched on or off: the brightness jumps but the structure stays.
  while (!luma_.empty() && t - luma_.front().first > kTamperLightJumpSeconds) luma_.pop_front();
  const double ref_luma = luma_.empty() ? luma : luma_.front().second;
  luma_.emplace_back(t, luma);
  const bool jump =
      std::fabs(luma - ref_luma) > kTamperLightJumpRatio * std::max(ref_luma, kMinNormLuma);

  // A defocused lens keeps the structure of the view. When the view changed,
  // it is "moved" if nearly all of it went (a turning camera, also blurred),
  // and nothing if part of it stayed in place (people close to the lens).
  const double match = s.background_match;
  const bool view_changed = match < p_.moved_match;
  raw[kMoved] = !raw[kCovered] && view_changed && s.background_cells < p_.moved_cells;
  raw[kDefocused] = !raw[kCovered] && !view_changed && base_sharp > 0 &&
                    norm_sharp < p_.defocus_ratio * base_sharp;
  if (jump && !raw[kCovered] && !view_changed && episode_since_ < 0) ClearBaselines();

  const bool any = raw[kCovered] || raw[kDefocused] || raw[kMoved];
  for (int r = 0; r < kReasons; ++r) {
    if (raw[r]) last_seen_[r] = t;
  }
  if (any) {
    if (episode_since_ < 0) episode_since_ = t;
    episode_last_ = t;
    if (raw[kMoved]) episode_moved_ = true;
  } else if (episode_since_ >= 0 && t - episode_last_ > kTamperGapSeconds) {
    // The episode is over. A camera that moved and settled shows a new normal view.
    if (episode_reported_ && episode_moved_) ClearBaselines();
    episode_since_ = -1;
    episode_reported_ = false;
    episode_moved_ = false;
  }

  // Learn what "normal" looks like only from frames outside any episode.
  if (episode_since_ < 0 && t - last_sample_t_ >= kTamperBaselineSampleSeconds) {
    sharpness_.push_back(norm_sharp);
    uniform_.push_back(s.uniform_fraction);
    last_sample_t_ = t;
    const size_t max_samples =
        static_cast<size_t>(kTamperBaselineWindowSeconds / kTamperBaselineSampleSeconds);
    while (sharpness_.size() > max_samples) sharpness_.pop_front();
    while (uniform_.size() > max_samples) uniform_.pop_front();
  }

  if (episode_since_ < 0 || t - episode_since_ < p_.min_duration_s) return;
  episode_reported_ = true;
  for (int r = 0; r < kReasons; ++r) {
    if (t - last_seen_[r] > kTamperReasonWindowSeconds) continue;
    Observation o = SceneObservation(in, kReasonNames[r], match);
    if (base_sharp > 0) o.details["sharpness_ratio"] = norm_sharp / base_sharp;
    if (r == kCovered) o.details["cause"] = dark ? "dark" : blinded ? "blinded" : "uniform";
    incidents_.Observe(kReasonNames[r], o, out);
    break;
  }
}

void TamperRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeTamperRule(const RuleContext& ctx,
                                                   config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  TamperParams p;
  fields.GetDouble("min_duration_s", &p.min_duration_s, 0, kMaxSeconds);
  fields.GetDouble("signal_lost_s", &p.signal_lost_s, 0.1, kMaxSeconds);
  fields.GetDouble("frozen_s", &p.frozen_s, 0.1, kMaxSeconds);
  fields.GetDouble("covered_uniform", &p.covered_uniform, 0.05, 1);
  fields.GetDouble("covered_rise", &p.covered_rise, 0.05, 1);
  fields.GetDouble("dark_luma", &p.dark_luma, 0, 255);
  fields.GetDouble("defocus_ratio", &p.defocus_ratio, 0, 1);
  fields.GetDouble("moved_match", &p.moved_match, 0, core::kCellsJudgedBelowMatch);
  fields.GetDouble("moved_cells", &p.moved_cells, 0, 1);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<TamperRule>(ctx, p));
}

}  // namespace argus::rules
