#include "rules/proximity.h"

namespace argus::rules {

namespace {
constexpr double kMaxRelativeDistance = 1.0;
constexpr double kMaxMetres = 100.0;
constexpr double kMaxDwellSeconds = 3600;
}  // namespace

ProximityRule::ProximityRule(const RuleContext& ctx, const config::Zone& artwork, double warning,
                             double alarm, double min_dwell_s)
    : artwork_(artwork.name),
      polygon_(artwork.polygon),
      ground_(CameraGround(ctx)),
      warning_(warning),
      alarm_(alarm),
      min_dwell_s_(min_dwell_s),
      inertia_(ctx.camera->zone_inertia_frames),
      labels_(ctx, {"person"}),
      incidents_(ctx, "proximity") {
  if (ground_) {
    for (const core::Point& p : artwork.polygon)
      ground_polygon_.push_back(ground_->RelativeToGround(p));
  }
}

double ProximityRule::DistanceOf(core::Point foot_px, const FrameInput& in) {
  if (ground_) {
    return core::DistanceToPolygon(ground_->ImageToGround(foot_px, in.width, in.height),
                                   ground_polygon_);
  }
  return core::DistanceToPolygon(foot_px, polygon_.Get(in.width, in.height)) / FrameDiagonal(in);
}

void ProximityRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      auto [it, added] =
          tracks_.try_emplace(tr.id, TrackState{Debounced(inertia_), Debounced(inertia_)});
      TrackState& s = it->second;
      s.last_seen = in.t;
      const double d = DistanceOf(tr.box.BottomCenter(), in);
      if (s.near.Update(d <= warning_) && s.near.state()) s.near_since = in.t;
      if (s.close.Update(d <= alarm_) && s.close.state()) s.close_since = in.t;
      const bool alarm = s.close.state() && in.t - s.close_since >= min_dwell_s_;
      const bool warning = s.near.state() && in.t - s.near_since >= min_dwell_s_;
      if (!alarm && !warning) continue;
      Observation o = TrackObservation(tr, in, artwork_);
      o.severity = alarm ? std::nullopt : std::optional(events::Severity::kWarning);
      o.details = {{"tier", alarm ? "alarm" : "warning"},
                   {"distance", d},
                   {"units", ground_ ? "m" : "diagonal"},
                   {"dwell_s", in.t - (alarm ? s.close_since : s.near_since)}};
      incidents_.Observe(std::to_string(tr.id), o, out);
    }
  }
  const ActiveIds active(in);
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    it = active.StillActive(it->first, it->second.last_seen) ? std::next(it) : tracks_.erase(it);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void ProximityRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeProximityRule(const RuleContext& ctx,
                                                      config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* artwork = ReadZone(ctx, fields, "artwork", true);
  const bool metres = ctx.camera->calibration.has_value();
  const double max = metres ? kMaxMetres : kMaxRelativeDistance;
  double warning = 0, alarm = 0, min_dwell_s = 0;
  const bool have_warning = fields.GetDouble("warning", &warning, 0, max, true);
  const bool have_alarm = fields.GetDouble("alarm", &alarm, 0, max, true);
  if (have_warning && have_alarm && alarm >= warning) {
    fields.Error("alarm", "must be smaller than warning (" + std::to_string(warning) +
                              (metres ? " m" : " of the frame diagonal") + ")");
  }
  fields.GetDouble("min_dwell_s", &min_dwell_s, 0, kMaxDwellSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(
      std::make_unique<ProximityRule>(ctx, *artwork, warning, alarm, min_dwell_s));
}

}  // namespace argus::rules
