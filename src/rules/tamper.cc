#include "rules/tamper.h"

#include <algorithm>
#include <cmath>

#include "rules/rule_util.h"

namespace argus::rules {
namespace {

constexpr double kMaxSeconds = 3600;
// Luma floor for the sharpness normalisation: a black frame is noise, not detail.
constexpr double kMinNormLuma = 8.0;
constexpr const char* kReasonNames[] = {"covered", "defocused", "moved"};

}  // namespace

TamperRule::TamperRule(const RuleContext& ctx, const TamperParams& params)
    : p_(params), incidents_(ctx, "tamper") {}

double TamperRule::BaselineSharpness() const {
  if (static_cast<int>(sharpness_.size()) < kTamperMinBaselineSamples) return -1;
  std::vector<double> v(sharpness_.begin(), sharpness_.end());
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
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
  if (in.scene) ProcessScene(in, out);
  incidents_.Tick(in.t, in.frame, out);
}

void TamperRule::ProcessScene(const FrameInput& in, std::vector<events::Event>* out) {
  const SceneInput& s = *in.scene;
  const double t = in.t;
  const double luma = s.mean_luma;
  const double norm_sharp = s.sharpness / std::pow(std::max(luma, kMinNormLuma), 2);

  bool raw[kReasons] = {};
  raw[kCovered] = s.uniform_fraction >= p_.covered_uniform || luma <= p_.dark_luma;

  // A light switched on or off: the brightness jumps but the structure stays.
  while (!luma_.empty() && t - luma_.front().first > kTamperLightJumpSeconds) luma_.pop_front();
  const double ref_luma = luma_.empty() ? luma : luma_.front().second;
  luma_.emplace_back(t, luma);
  const bool jump =
      std::fabs(luma - ref_luma) > kTamperLightJumpRatio * std::max(ref_luma, kMinNormLuma);
  if (jump && !raw[kCovered] && s.background_match >= p_.moved_match) {
    sharpness_.clear();
    since_[kDefocused] = -1;
  }

  const double baseline = BaselineSharpness();
  raw[kDefocused] = !raw[kCovered] && baseline > 0 && norm_sharp < p_.defocus_ratio * baseline;
  raw[kMoved] = !raw[kCovered] && !raw[kDefocused] && s.background_match < p_.moved_match;

  bool any = false;
  for (int r = 0; r < kReasons; ++r) {
    if (!raw[r]) {
      since_[r] = -1;
    } else {
      any = true;
      if (since_[r] < 0) since_[r] = t;
    }
  }
  // Learn what "normal" looks like only from normal frames.
  if (!any && t - last_sample_t_ >= kTamperBaselineSampleSeconds) {
    sharpness_.push_back(norm_sharp);
    last_sample_t_ = t;
    const size_t max_samples =
        static_cast<size_t>(kTamperBaselineWindowSeconds / kTamperBaselineSampleSeconds);
    while (sharpness_.size() > max_samples) sharpness_.pop_front();
  }

  for (int r = 0; r < kReasons; ++r) {
    if (since_[r] < 0 || t - since_[r] < p_.min_duration_s) continue;
    Observation o;
    o.t = t;
    o.frame = in.frame;
    o.bbox = {0, 0, static_cast<double>(in.width), static_cast<double>(in.height)};
    o.details = {{"reason", kReasonNames[r]},
                 {"mean_luma", luma},
                 {"uniform_fraction", s.uniform_fraction},
                 {"background_match", s.background_match}};
    if (baseline > 0) o.details["sharpness_ratio"] = norm_sharp / baseline;
    incidents_.Observe(kReasonNames[r], o, out);
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
  fields.GetDouble("covered_uniform", &p.covered_uniform, 0.05, 1);
  fields.GetDouble("dark_luma", &p.dark_luma, 0, 255);
  fields.GetDouble("defocus_ratio", &p.defocus_ratio, 0, 1);
  fields.GetDouble("moved_match", &p.moved_match, 0, 1);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<TamperRule>(ctx, p));
}

}  // namespace argus::rules
