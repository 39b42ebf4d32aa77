#include "rules/crowd.h"

#include <algorithm>
#include <cmath>

namespace argus::rules {

namespace {
constexpr int kMaxCount = 100000;
constexpr double kMaxDurationSeconds = 3600;
const core::Polygon kWholeFrame = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};

core::Box Union(const core::Box& a, const core::Box& b) {
  if (a.Area() == 0) return b;
  const double x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  return {x, y, std::max(a.Right(), b.Right()) - x, std::max(a.Bottom(), b.Bottom()) - y};
}
}  // namespace

CrowdRule::CrowdRule(const RuleContext& ctx, const config::Zone* zone, int max_count,
                     int clear_count, double min_duration_s)
    : zone_name_(zone ? zone->name : ""),
      max_count_(max_count),
      clear_count_(clear_count),
      min_duration_s_(min_duration_s),
      labels_(ctx, {"person"}),
      membership_(zone ? zone->polygon : kWholeFrame, ctx.camera->zone_inertia_frames),
      incidents_(ctx, "crowd") {}

void CrowdRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  core::Box bbox;
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      membership_.Update(tr, in);
      if (membership_.Inside(tr.id)) bbox = Union(bbox, tr.box);
    }
  }
  membership_.Prune(in);
  const int count = static_cast<int>(membership_.InsideIds().size());

  if (series_.empty() || series_.back().count != count ||
      in.t - series_.back().t >= kCrowdSeriesPeriodSeconds) {
    series_.push_back({in.t, count});
    if (series_.size() > kCrowdSeriesMaxSamples) series_.pop_front();
  }

  over_since_ = count > max_count_ ? (over_since_ < 0 ? in.t : over_since_) : -1;
  clear_since_ = count <= clear_count_ ? (clear_since_ < 0 ? in.t : clear_since_) : -1;
  if (!crowded_ && over_since_ >= 0 && in.t - over_since_ >= min_duration_s_) {
    crowded_ = true;
    peak_ = 0;
  } else if (crowded_ && clear_since_ >= 0 && in.t - clear_since_ >= min_duration_s_) {
    crowded_ = false;
  }
  if (crowded_) {
    Observation o;
    o.t = in.t;
    o.frame = in.frame;
    o.bbox = bbox;
    o.zone = zone_name_;
    o.significant = count > peak_ && peak_ > 0;  // a new peak is news
    peak_ = std::max(peak_, count);
    o.details = {{"count", count}, {"max_count", max_count_}, {"peak", peak_}};
    incidents_.Observe(zone_name_, o, out);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void CrowdRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeCrowdRule(const RuleContext& ctx,
                                                  config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", false);
  int max_count = 0;
  const bool have_max = fields.GetInt("max_count", &max_count, 1, kMaxCount, true);
  double clear_fraction = kCrowdDefaultClearFraction;
  fields.GetDouble("clear_fraction", &clear_fraction, 0, 1);
  int clear_count = static_cast<int>(std::floor(clear_fraction * max_count));
  if (fields.Has("clear_count") && fields.Has("clear_fraction")) {
    fields.Error("clear_count", "give clear_count or clear_fraction, not both");
  }
  if (fields.GetInt("clear_count", &clear_count, 0, kMaxCount) && have_max &&
      clear_count >= max_count) {
    fields.Error("clear_count",
                 "must be smaller than max_count (" + std::to_string(max_count) + ")");
  }
  double min_duration_s = kCrowdDefaultMinDuration;
  fields.GetDouble("min_duration_s", &min_duration_s, 0, kMaxDurationSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(
      std::make_unique<CrowdRule>(ctx, zone, max_count, clear_count, min_duration_s));
}

}  // namespace argus::rules
