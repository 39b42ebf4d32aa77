#include "rules/intrusion.h"

#include "rules/rule_util.h"

namespace argus::rules {

namespace {
constexpr double kMaxDwellSeconds = 24 * 3600;
}  // namespace

IntrusionRule::IntrusionRule(const RuleContext& ctx, const config::Zone& zone, Per per,
                             double min_dwell_s)
    : zone_name_(zone.name),
      per_(per),
      min_dwell_s_(min_dwell_s),
      labels_(ctx, {kIntrusionDefaultLabel}),
      membership_(zone.polygon, ctx.camera->zone_inertia_frames),
      incidents_(ctx, "intrusion") {}

void IntrusionRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  const track::Track* first = nullptr;  // first intruder seen now (per zone)
  nlohmann::json ids = nlohmann::json::array();
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      membership_.Update(tr, in);
      if (!membership_.Inside(tr.id)) continue;
      const double dwell = in.t - membership_.EnteredAt(tr.id);
      if (dwell < min_dwell_s_) continue;
      if (per_ == Per::kTrack) {
        Observation o = TrackObservation(tr, in, zone_name_);
        o.details = {{"dwell_s", dwell}};
        incidents_.Observe(std::to_string(tr.id), o, out);
      } else {
        if (!first) first = &tr;
        ids.push_back(tr.id);
      }
    }
  }
  // A track missed for a few frames is still in the zone as far as anyone
  // knows: keep its incident open rather than let the cool-down split one
  // stay into several incidents.
  if (per_ == Per::kTrack && in.active) {
    for (const track::Track& tr : *in.active) {
      if (tr.state != track::TrackState::kLost || !labels_.Matches(tr.label)) continue;
      const std::string key = std::to_string(tr.id);
      if (!membership_.Inside(tr.id) || !incidents_.IsOpen(key)) continue;
      Observation o = TrackObservation(tr, in, zone_name_);
      o.details = {{"dwell_s", in.t - membership_.EnteredAt(tr.id)}, {"occluded", true}};
      incidents_.Observe(key, o, out);
    }
  }
  if (per_ == Per::kZone && first) {
    Observation o = TrackObservation(*first, in, zone_name_);
    const int count = static_cast<int>(ids.size());
    o.details = {{"count", count}, {"track_ids", ids}};
    o.significant = count != last_count_;
    last_count_ = count;
    incidents_.Observe(zone_name_, o, out);
  } else if (per_ == Per::kZone) {
    last_count_ = 0;
  }
  membership_.Prune(in);
  incidents_.Tick(in.t, in.frame, out);
}

void IntrusionRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeIntrusionRule(const RuleContext& ctx,
                                                      config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", true);
  std::string per = "track";
  fields.GetEnum("per", &per, {"track", "zone"});
  double min_dwell_s = 0;
  fields.GetDouble("min_dwell_s", &min_dwell_s, 0, kMaxDwellSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<IntrusionRule>(
      ctx, *zone, per == "zone" ? IntrusionRule::Per::kZone : IntrusionRule::Per::kTrack,
      min_dwell_s));
}

}  // namespace argus::rules
