#include "rules/loitering.h"

namespace argus::rules {

namespace {
constexpr double kMaxDwellSeconds = 24 * 3600;
}  // namespace

LoiteringRule::LoiteringRule(const RuleContext& ctx, const config::Zone& zone, double min_dwell_s)
    : zone_name_(zone.name),
      min_dwell_s_(min_dwell_s),
      labels_(ctx, {"person"}),
      membership_(zone.polygon, ctx.camera->zone_inertia_frames),
      incidents_(ctx, "loitering") {}

void LoiteringRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      membership_.Update(tr, in);
      if (!membership_.Inside(tr.id)) continue;
      const double dwell = in.t - membership_.EnteredAt(tr.id);
      if (dwell < min_dwell_s_) continue;
      Observation o = TrackObservation(tr, in, zone_name_);
      o.details = {{"dwell_s", dwell}};
      incidents_.Observe(std::to_string(tr.id), o, out);
    }
  }
  membership_.Prune(in);
  incidents_.Tick(in.t, in.frame, out);
}

void LoiteringRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeLoiteringRule(const RuleContext& ctx,
                                                      config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", true);
  double min_dwell_s = kLoiteringDefaultDwellSeconds;
  fields.GetDouble("min_dwell_s", &min_dwell_s, 0, kMaxDwellSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<LoiteringRule>(ctx, *zone, min_dwell_s));
}

}  // namespace argus::rules
