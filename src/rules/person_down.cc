#include "rules/person_down.h"

#include <cmath>
#include <set>

namespace argus::rules {
namespace {
constexpr double kMaxSeconds = 3600;
}  // namespace

PersonDownRule::PersonDownRule(const RuleContext& ctx, const PersonDownParams& params)
    : p_(params), labels_(ctx, {"person"}), incidents_(ctx, "person_down") {}

void PersonDownRule::Update(const track::Track& tr, bool visible, const FrameInput& in,
                            std::vector<events::Event>* out) {
  const bool is_new = !persons_.count(tr.id);
  Person& p = persons_[tr.id];
  const double t = in.t;
  p.seen_t = t;
  if (visible && tr.box.w > 0 && tr.box.h > 0) {
    const double aspect = tr.box.w / tr.box.h;
    if (is_new && aspect >= p_.down_aspect) HandOver(tr.id, tr.box, t, &p);
    p.box = tr.box;
    const bool upright = aspect <= kPersonUprightAspect;
    if (p.stand_h > 0) p.stand_h *= std::exp(-(t - p.last_t) / kPersonStandTauSeconds);
    p.last_t = t;
    if (upright) p.stand_h = std::max(p.stand_h, tr.box.h);
    const bool standing = upright && tr.box.h >= kPersonStandHeightRatio * p.stand_h;
    const bool down = aspect >= p_.down_aspect || tr.box.h < kPersonDownHeightRatio * p.stand_h;
    if (standing) {
      p.stand_t = t;
      p.down_since = -1;  // up again
    } else if (down) {
      if (p.down_since < 0 && p.stand_t >= 0 && t - p.stand_t <= p_.fall_s) {
        p.down_since = t;
      }
      if (p.down_since >= 0) p.down_last = t;
    } else if (p.down_since >= 0 && t - p.down_last > kPersonDownGapSeconds) {
      p.down_since = -1;  // neither up nor down for long: sitting, kneeling
    }
  } else if (p.down_since >= 0) {
    p.down_last = t;  // lost while lying still: still down
  }
  if (p.down_since < 0 || t - p.down_since < p_.min_duration_s) return;
  Observation o = TrackObservation(tr, in, "");
  o.details = {{"down_s", t - p.down_since}};
  if (p.fell_as >= 0) o.details["fell_as_track"] = p.fell_as;
  incidents_.Observe(std::to_string(tr.id), o, out);
}

void PersonDownRule::HandOver(int id, const core::Box& box, double t, Person* p) {
  for (auto& [other_id, q] : persons_) {
    const bool stood_lately =
        q.stand_t >= 0 && t - q.stand_t <= p_.fall_s + kPersonFallHandOverSeconds;
    const bool gone = !visible_.count(other_id) && q.down_since < 0;  // not down already
    if (other_id == id || !stood_lately || !gone) continue;
    if (core::IntersectionArea(q.box, box) <= 0) continue;
    p->stand_h = q.stand_h;
    p->last_t = t;
    p->down_since = t;
    p->down_last = t;
    p->fell_as = other_id;
    q.stand_t = -1;  // one fall, one alert
    return;
  }
}

void PersonDownRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  // Who is seen in this frame is known before any track is judged (HandOver).
  visible_.clear();
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (labels_.Matches(tr.label)) visible_.insert(tr.id);
    }
    for (const track::Track& tr : *in.tracks) {
      if (labels_.Matches(tr.label)) Update(tr, true, in, out);
    }
  }
  if (in.active) {
    for (const track::Track& tr : *in.active) {
      if (labels_.Matches(tr.label) && !visible_.count(tr.id)) Update(tr, false, in, out);
    }
  }
  for (auto it = persons_.begin(); it != persons_.end();) {
    it = in.t - it->second.seen_t > kPersonForgetSeconds ? persons_.erase(it) : std::next(it);
  }
  incidents_.Tick(in.t, in.frame, out);
}

void PersonDownRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakePersonDownRule(const RuleContext& ctx,
                                                       config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  PersonDownParams p;
  fields.GetDouble("min_duration_s", &p.min_duration_s, 0, kMaxSeconds);
  fields.GetDouble("fall_s", &p.fall_s, 0.1, 60);
  fields.GetDouble("down_aspect", &p.down_aspect, kPersonUprightAspect, 10);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<PersonDownRule>(ctx, p));
}

}  // namespace argus::rules
