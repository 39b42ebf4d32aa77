#include "rules/rule_util.h"

#include <algorithm>
#include <cmath>

namespace argus::rules {

namespace {

template <typename T>
const T* ReadRef(const std::vector<T>& items, const char* what, const RuleContext& ctx,
                 config::MapReader& fields, const char* key, bool required) {
  std::string name;
  if (!fields.GetString(key, &name, required)) return nullptr;
  for (const T& it : items) {
    if (it.name == name) return &it;
  }
  std::string known;
  for (const T& it : items) known += (known.empty() ? "" : ", ") + it.name;
  fields.Error(key, std::string(what) + " '" + name + "' does not exist on camera '" +
                        ctx.camera->name + "' (" + what + "s: " + (known.empty() ? "none" : known) +
                        ")");
  return nullptr;
}

}  // namespace

const config::Zone* ReadZone(const RuleContext& ctx, config::MapReader& fields, const char* key,
                             bool required) {
  return ReadRef(ctx.camera->zones, "zone", ctx, fields, key, required);
}

const config::Line* ReadLine(const RuleContext& ctx, config::MapReader& fields, const char* key,
                             bool required) {
  return ReadRef(ctx.camera->lines, "line", ctx, fields, key, required);
}

LabelFilter::LabelFilter(const RuleContext& ctx, std::vector<std::string> defaults)
    : labels_(ctx.rule && !ctx.rule->labels.empty() ? ctx.rule->labels : std::move(defaults)) {}

bool LabelFilter::Matches(const std::string& label) const {
  return labels_.empty() || std::find(labels_.begin(), labels_.end(), label) != labels_.end();
}

std::optional<GroundPlane> CameraGround(const RuleContext& ctx) {
  if (!ctx.camera || !ctx.camera->calibration) return std::nullopt;
  auto g = GroundPlane::Make(*ctx.camera->calibration);
  if (!g.ok()) return std::nullopt;
  return *g;
}

core::Status FieldsStatus(const config::MapReader& fields, size_t before) {
  const auto& items = fields.diagnostics()->items();
  if (items.size() > before) return core::InvalidArgument(items[before].ToString());
  return core::Status::Ok();
}

double FootSpeed(const track::Track& tr, const FrameInput& in, const GroundPlane* ground) {
  const double height = std::max(tr.box.h, 1.0);
  auto to_units = [&](core::Point p) {
    return ground ? ground->ImageToGround(p, in.width, in.height) : p * (1.0 / height);
  };
  if (tr.history.size() >= 2) {
    const track::TrackPoint& last = tr.history.back();
    // Oldest point still within the window.
    const track::TrackPoint* first = &tr.history.back();
    for (auto it = tr.history.rbegin(); it != tr.history.rend(); ++it) {
      if (last.t - it->t > kSpeedWindowSeconds) break;
      first = &*it;
    }
    if (first == &last && tr.history.size() >= 2) first = &tr.history[tr.history.size() - 2];
    const double dt = last.t - first->t;
    if (dt > 0) return core::Distance(to_units(last.foot), to_units(first->foot)) / dt;
  }
  if (ground) {
    const core::Point foot = tr.box.BottomCenter();
    return core::Distance(to_units(foot), to_units(foot + tr.velocity));
  }
  return core::Norm(tr.velocity) / height;
}

Observation TrackObservation(const track::Track& tr, const FrameInput& in,
                             const std::string& zone) {
  Observation o;
  o.t = in.t;
  o.frame = in.frame;
  o.track_id = tr.id;
  o.label = tr.label;
  o.bbox = tr.box;
  o.zone = zone;
  return o;
}

double FrameDiagonal(const FrameInput& in) { return std::hypot(in.width, in.height); }

}  // namespace argus::rules
