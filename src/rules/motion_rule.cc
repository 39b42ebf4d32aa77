#include "rules/motion_rule.h"

#include <algorithm>

#include "rules/rule_util.h"

namespace argus::rules {

namespace {
constexpr double kMaxDurationSeconds = 3600;
const core::Polygon kWholeFrame = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
}  // namespace

MotionRule::MotionRule(const RuleContext& ctx, const config::Zone* zone, double min_fraction,
                       double min_duration_s)
    : zone_name_(zone ? zone->name : ""),
      zone_(zone ? zone->polygon : kWholeFrame),
      min_fraction_(min_fraction),
      min_duration_s_(min_duration_s),
      moving_(ctx.camera->zone_inertia_frames),
      incidents_(ctx, "motion") {}

void MotionRule::Rasterise(int width, int height) {
  mask_w_ = width;
  mask_h_ = height;
  pixels_.clear();
  // A mask pixel belongs to the zone when its centre does (the mask spans the frame).
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (core::PointInPolygon({(x + 0.5) / width, (y + 0.5) / height}, zone_)) {
        pixels_.push_back(y * width + x);
      }
    }
  }
}

void MotionRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  const core::GrayImage* mask = in.scene ? in.scene->mask : nullptr;
  if (mask && !mask->empty()) {
    if (mask->width != mask_w_ || mask->height != mask_h_) Rasterise(mask->width, mask->height);
    int on = 0, x0 = mask->width, y0 = mask->height, x1 = -1, y1 = -1;
    for (int i : pixels_) {
      if (!mask->pixels[i]) continue;
      ++on;
      const int x = i % mask->width, y = i / mask->width;
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
    const double fraction = pixels_.empty() ? 0 : static_cast<double>(on) / pixels_.size();
    if (moving_.Update(fraction > min_fraction_) && moving_.state()) moving_since_ = in.t;
    if (moving_.state() && in.t - moving_since_ >= min_duration_s_) {
      const double sx = static_cast<double>(in.width) / mask->width;
      const double sy = static_cast<double>(in.height) / mask->height;
      Observation o;
      o.t = in.t;
      o.frame = in.frame;
      o.zone = zone_name_;
      if (on > 0) o.bbox = {x0 * sx, y0 * sy, (x1 - x0 + 1) * sx, (y1 - y0 + 1) * sy};
      o.details = {{"fraction", fraction}, {"duration_s", in.t - moving_since_}};
      incidents_.Observe(zone_name_, o, out);
    }
  }
  incidents_.Tick(in.t, in.frame, out);
}

void MotionRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeMotionRule(const RuleContext& ctx,
                                                   config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", false);
  double min_fraction = kMotionDefaultMinFraction;
  fields.GetDouble("min_fraction", &min_fraction, 0, 1);
  double min_duration_s = kMotionDefaultMinDuration;
  fields.GetDouble("min_duration_s", &min_duration_s, 0, kMaxDurationSeconds);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(
      std::make_unique<MotionRule>(ctx, zone, min_fraction, min_duration_s));
}

}  // namespace argus::rules
