#include "rules/vehicle_near_facade.h"

namespace argus::rules {

namespace {
constexpr double kMaxSpeed = 100;
constexpr double kMaxDwellSeconds = 24 * 3600;
}  // namespace

VehicleNearFacadeRule::VehicleNearFacadeRule(const RuleContext& ctx, const config::Zone& zone,
                                             double max_speed, double min_dwell_s,
                                             double min_area_fraction)
    : zone_name_(zone.name),
      ground_(CameraGround(ctx)),
      max_speed_(max_speed),
      min_dwell_s_(min_dwell_s),
      min_area_fraction_(min_area_fraction),
      inertia_(ctx.camera->zone_inertia_frames),
      labels_(ctx, {"car", "truck", "bus"}),
      membership_(zone.polygon, inertia_),
      incidents_(ctx, "vehicle_near_facade") {}

void VehicleNearFacadeRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  const double frame_area = static_cast<double>(in.width) * in.height;
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      const bool by_class = labels_.Matches(tr.label);
      const double area_fraction = frame_area > 0 ? tr.box.Area() / frame_area : 0;
      const bool by_size = min_area_fraction_ > 0 && area_fraction >= min_area_fraction_;
      if (!by_class && !by_size) continue;
      membership_.Update(tr, in);
      auto [it, added] = tracks_.try_emplace(tr.id, TrackState{Debounced(inertia_)});
      TrackState& s = it->second;
      s.last_seen = in.t;
      const double v = FootSpeed(tr, in, ground_ ? &*ground_ : nullptr);
      if (s.still.Update(v < max_speed_) && s.still.state()) s.still_since = in.t;
      if (!membership_.Inside(tr.id)) continue;
      const double dwell =
          s.still.state() ? in.t - std::max(s.still_since, membership_.EnteredAt(tr.id)) : 0;
      const bool class_hit = by_class && s.still.state() && dwell >= min_dwell_s_;
      if (!class_hit && !by_size) continue;
      Observation o = TrackObservation(tr, in, zone_name_);
      o.details = {{"mode", class_hit ? "class" : "size"},
                   {"dwell_s", dwell},
                   {"speed", v},
                   {"units", ground_ ? "m/s" : "heights/s"},
                   {"area_fraction", area_fraction}};
      incidents_.Observe(std::to_string(tr.id), o, out);
    }
  }
  membership_.Prune(in);
  const ActiveIds active(in);
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    it = active.StillActive(it->first, it->second.last_seen) ? std::next(it) : tracks_.erase(it);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void VehicleNearFacadeRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeVehicleNearFacadeRule(const RuleContext& ctx,
                                                              config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", true);
  double max_speed = ctx.camera->calibration ? kVehicleDefaultMaxSpeedMps : kVehicleDefaultMaxSpeed;
  fields.GetDouble("max_speed", &max_speed, 0, kMaxSpeed);
  double min_dwell_s = kVehicleDefaultDwellSeconds;
  fields.GetDouble("min_dwell_s", &min_dwell_s, 0, kMaxDwellSeconds);
  double min_area_fraction = 0;
  fields.GetDouble("min_area_fraction", &min_area_fraction, 0, 1);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<VehicleNearFacadeRule>(
      ctx, *zone, max_speed, min_dwell_s, min_area_fraction));
}

}  // namespace argus::rules
