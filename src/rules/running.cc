#include "rules/running.h"

namespace argus::rules {

namespace {
constexpr double kMaxSpeed = 100;
constexpr double kMaxDurationSeconds = 600;
}  // namespace

RunningRule::RunningRule(const RuleContext& ctx, const config::Zone* zone, double speed,
                         double min_duration_s)
    : zone_name_(zone ? zone->name : ""),
      ground_(CameraGround(ctx)),
      speed_(speed),
      min_duration_s_(min_duration_s),
      inertia_(ctx.camera->zone_inertia_frames),
      labels_(ctx, {"person"}),
      incidents_(ctx, "running") {
  if (zone) membership_.emplace(zone->polygon, inertia_);
}

void RunningRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      if (membership_) {
        membership_->Update(tr, in);
        if (!membership_->Inside(tr.id)) continue;
      }
      auto [it, added] = tracks_.try_emplace(tr.id, TrackState{Debounced(inertia_)});
      TrackState& s = it->second;
      s.last_seen = in.t;
      const double v = FootSpeed(tr, in, ground_ ? &*ground_ : nullptr);
      if (s.fast.Update(v > speed_) && s.fast.state()) s.fast_since = in.t;
      if (!s.fast.state() || in.t - s.fast_since < min_duration_s_) continue;
      Observation o = TrackObservation(tr, in, zone_name_);
      o.details = {{"speed", v},
                   {"units", ground_ ? "m/s" : "heights/s"},
                   {"duration_s", in.t - s.fast_since}};
      incidents_.Observe(std::to_string(tr.id), o, out);
    }
  }
  if (membership_) membership_->Prune(in);
  const ActiveIds active(in);
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    it = active.StillActive(it->first, it->second.last_seen) ? std::next(it) : tracks_.erase(it);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void RunningRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeRunningRule(const RuleContext& ctx,
                                                    config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", false);
  double speed = ctx.camera->calibration ? kRunningDefaultSpeedMps : kRunningDefaultSpeedHeights;
  fields.GetDouble("speed", &speed, 0, kMaxSpeed);
  double min_duration_s = kRunningDefaultMinDuration;
  fields.GetDouble("min_duration_s", &min_duration_s, 0, kMaxDurationSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<RunningRule>(ctx, zone, speed, min_duration_s));
}

}  // namespace argus::rules
