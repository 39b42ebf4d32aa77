#include "rules/line_crossing.h"

#include <cmath>

#include "rules/zone.h"

namespace argus::rules {

namespace {
constexpr double kMaxBand = 0.5;
}  // namespace

int Tripwire::SideOf(core::Point p) const {
  const double len = core::Distance(seg_.a, seg_.b);
  // Cross < 0: left of a->b as drawn on a y-down image (side A).
  const double d = core::Cross(seg_.b - seg_.a, p - seg_.a) / len;
  if (d < -band_px_) return -1;
  if (d > band_px_) return 1;
  return 0;
}

int CrossingDirection(core::Point p0, core::Point p1, const core::Segment& seg, double band_px) {
  const Tripwire wire(seg, band_px, 1);
  const int s0 = wire.SideOf(p0), s1 = wire.SideOf(p1);
  if (s0 == 0 || s1 == 0 || s0 == s1) return 0;
  // Where the path meets the line, as a position along a->b.
  const core::Point ab = seg.b - seg.a;
  const double d0 = core::Cross(ab, p0 - seg.a), d1 = core::Cross(ab, p1 - seg.a);
  const core::Point x = p0 + (p1 - p0) * (d0 / (d0 - d1));
  const double u = core::Dot(x - seg.a, ab) / core::Dot(ab, ab);
  if (u < 0 || u > 1) return 0;
  return s1 > s0 ? 1 : -1;
}

int Tripwire::Feed(State* s, core::Point foot) const {
  const int side = SideOf(foot);
  if (side == 0) {  // on the line: neither side is clear, wait
    s->candidate = 0;
    s->streak = 0;
    return 0;
  }
  if (side == s->side) {
    s->side_point = foot;
    s->candidate = 0;
    s->streak = 0;
    return 0;
  }
  if (side != s->candidate) {
    s->candidate = side;
    s->streak = 0;
    s->candidate_point = foot;
  }
  if (++s->streak < inertia_) return 0;
  const int previous = s->side;
  const core::Point from = s->side_point;
  s->side = side;
  s->side_point = foot;
  s->candidate = 0;
  s->streak = 0;
  if (previous == 0) return 0;  // first sighting: no crossing yet
  return CrossingDirection(from, s->candidate_point, seg_, band_px_);
}

LineCrossingRule::LineCrossingRule(const RuleContext& ctx, const config::Line& line,
                                   Direction direction, double band)
    : line_name_(line.name),
      a_rel_(line.a),
      b_rel_(line.b),
      direction_(direction),
      band_(band),
      inertia_(ctx.camera->zone_inertia_frames),
      labels_(ctx, {}),
      incidents_(ctx, "line_crossing") {}

void LineCrossingRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  const Tripwire wire(
      {core::ToPixels(a_rel_, in.width, in.height), core::ToPixels(b_rel_, in.width, in.height)},
      band_ * FrameDiagonal(in), inertia_);
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (!labels_.Matches(tr.label)) continue;
      TrackSide& ts = tracks_[tr.id];
      ts.last_seen = in.t;
      const int dir = wire.Feed(&ts.state, tr.box.BottomCenter());
      if (dir == 0) continue;
      (dir > 0 ? counts_.a_to_b : counts_.b_to_a)++;
      if ((dir > 0 && direction_ == Direction::kBToA) ||
          (dir < 0 && direction_ == Direction::kAToB)) {
        continue;
      }
      Observation o = TrackObservation(tr, in, line_name_);
      o.details = {{"direction", dir > 0 ? "a_to_b" : "b_to_a"},
                   {"counts", {{"a_to_b", counts_.a_to_b}, {"b_to_a", counts_.b_to_a}}}};
      o.significant = true;  // every crossing is news
      incidents_.Observe(std::to_string(tr.id), o, out);
    }
  }
  const ActiveIds active(in);
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    it = active.StillActive(it->first, it->second.last_seen) ? std::next(it) : tracks_.erase(it);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void LineCrossingRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeLineCrossingRule(const RuleContext& ctx,
                                                         config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Line* line = ReadLine(ctx, fields, "line", true);
  std::string direction = "any";
  fields.GetEnum("direction", &direction, {"a_to_b", "b_to_a", "any"});
  double band = kLineDefaultBand;
  fields.GetDouble("band", &band, 0, kMaxBand);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  const auto dir = direction == "a_to_b"   ? LineCrossingRule::Direction::kAToB
                   : direction == "b_to_a" ? LineCrossingRule::Direction::kBToA
                                           : LineCrossingRule::Direction::kAny;
  return std::unique_ptr<Rule>(std::make_unique<LineCrossingRule>(ctx, *line, dir, band));
}

}  // namespace argus::rules
