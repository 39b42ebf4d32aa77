#include "rules/abandoned_object.h"

#include <algorithm>
#include <cmath>

namespace argus::rules {
namespace {

constexpr double kMaxSeconds = 3600;
// Owner look-up: a memory entry this close in time to the appearance counts.
constexpr double kOwnerTimeTolerance = 1.0;
// A person who stood at a blob has their feet this close (share of their
// height) to its bottom; people farther back overlap it only in the image.
constexpr double kStoodFootTolerance = 0.25;
// A track last seen with its feet still for this long stood there.
constexpr double kStoodSeconds = 1.0;
// A track that starts this soon after another was lost, with its feet this close
// (share of the lost one's height), is the same person under a new id.
constexpr double kContinuedSeconds = 3.0;
constexpr double kContinuedFootTolerance = 0.5;

DualBackgroundParams BackgroundParams(const AbandonedParams& p) {
  DualBackgroundParams b;
  b.static_s = p.static_s;
  return b;
}

core::Box Scaled(const core::Box& b, double s) { return {b.x * s, b.y * s, b.w * s, b.h * s}; }

// A blob and an object are the same when their boxes overlap at all: one static thing
// often comes as a few blobs that change from frame to frame (a small piece first, the
// whole later), and two things touching are one alert.
bool SameObject(const core::Box& a, const core::Box& b) { return core::IntersectionArea(a, b) > 0; }

}  // namespace

AbandonedObjectRule::AbandonedObjectRule(const RuleContext& ctx, const AbandonedParams& params,
                                         const config::Zone* zone)
    : p_(params),
      zone_name_(zone ? zone->name : ""),
      ground_(CameraGround(ctx)),
      persons_(ctx, {"person"}),
      background_(BackgroundParams(params)),
      incidents_(ctx, "abandoned_object") {
  if (zone) zone_ = zone->polygon;
}

double AbandonedObjectRule::Metres(const core::Box& person, core::Point p,
                                   const FrameInput& in) const {
  const core::Point foot = person.BottomCenter();
  if (ground_) {
    return core::Distance(ground_->ImageToGround(foot, in.width, in.height),
                          ground_->ImageToGround(p, in.width, in.height));
  }
  return core::Distance(foot, p) / std::max(1.0, person.h) * p_.person_height_m;
}

void AbandonedObjectRule::UpdateMemory(const FrameInput& in) {
  if (in.tracks) {
    for (const track::Track& tr : *in.tracks) {
      if (persons_.Matches(tr.label)) memory_[tr.id].push_back({in.t, tr.box});
    }
  }
  for (auto it = memory_.begin(); it != memory_.end();) {
    auto& q = it->second;
    while (!q.empty() && in.t - q.front().t > kAbandonedTrackMemorySeconds) q.pop_front();
    it = q.empty() ? memory_.erase(it) : std::next(it);
  }
}

core::HeightLine AbandonedObjectRule::PersonHeights() const {
  core::HeightLine line(/*decay=*/1.0, kAbandonedMinPersonSamples);
  for (const auto& [id, q] : memory_) {
    for (const Seen& s : q) line.Add(s.box.Bottom(), s.box.h);
  }
  return line;
}

double AbandonedObjectRule::MinAreaAt(const core::HeightLine& people, double foot_y) const {
  if (!people.Calibrated()) return p_.min_area_px;
  const double side = kAbandonedMinShareOfPerson * people.Height(foot_y, 0);
  return std::max(kAbandonedMinAreaFloorPx, side * side);
}

void AbandonedObjectRule::ResolveOwner(Object* obj, const FrameInput& in) const {
  obj->owner_resolved = true;
  const core::Point spot = obj->box.BottomCenter();
  double best = p_.owner_distance_m;
  for (const auto& [id, q] : memory_) {
    const Seen* nearest = nullptr;
    for (const Seen& s : q) {
      if (!nearest || std::fabs(s.t - obj->appeared_t) < std::fabs(nearest->t - obj->appeared_t)) {
        nearest = &s;
      }
    }
    if (!nearest || std::fabs(nearest->t - obj->appeared_t) > kOwnerTimeTolerance) continue;
    const double d = Metres(nearest->box, spot, in);
    if (d <= best) {
      best = d;
      obj->owner = id;
    }
  }
  if (obj->owner < 0) {  // nobody brought it in view: unattended from the start
    obj->unattended_since = obj->appeared_t;
    return;
  }
  // Replay the owner's walk since the appearance: when did they last stand near it?
  double since = -1;
  double last_t = obj->appeared_t;
  for (const Seen& s : memory_.at(obj->owner)) {
    if (s.t < obj->appeared_t) continue;
    last_t = s.t;
    if (Metres(s.box, spot, in) <= p_.owner_distance_m) {
      since = -1;
    } else if (since < 0) {
      since = s.t;
    }
  }
  const bool present = last_t >= in.t;
  obj->unattended_since = since >= 0 ? since : (present ? -1 : last_t);
}

bool AbandonedObjectRule::PersonLostThere(const core::Box& box, double since, double now) const {
  auto at_blob = [&](const Seen& s) {
    return box.h >= kAbandonedPersonSizedHeight * s.box.h &&
           std::fabs(box.Bottom() - s.box.Bottom()) <= kStoodFootTolerance * s.box.h &&
           core::IntersectionArea(s.box, box) >= kAbandonedPersonOverlap * box.Area();
  };
  for (const auto& [id, q] : memory_) {
    const Seen& last = q.back();
    if (last.t < since - kOwnerTimeTolerance || now - last.t < kAbandonedObjectLostSeconds ||
        !at_blob(last)) {
      continue;
    }
    // Standing, not passing: at the blob, feet still, for the last kStoodSeconds
    // it was seen (a passer-by lost behind someone was walking).
    bool stood = false;
    for (auto it = q.rbegin(); it != q.rend() && at_blob(*it); ++it) {
      if (core::Distance(it->box.BottomCenter(), last.box.BottomCenter()) >
          kStoodFootTolerance * last.box.h) {
        break;
      }
      stood = stood || last.t - it->t >= kStoodSeconds;
    }
    if (stood && !Continued(id, last)) return true;
  }
  return false;
}

bool AbandonedObjectRule::Continued(int id, const Seen& last) const {
  for (const auto& [other, q] : memory_) {
    const Seen& first = q.front();
    if (other != id && first.t >= last.t && first.t - last.t <= kContinuedSeconds &&
        core::Distance(first.box.BottomCenter(), last.box.BottomCenter()) <=
            kContinuedFootTolerance * last.box.h) {
      return true;
    }
  }
  return false;
}

void AbandonedObjectRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  UpdateMemory(in);
  const SceneInput* s = in.scene;
  if (!s || !s->gray || s->gray->empty()) {
    incidents_.Tick(in.t, in.frame, out);
    return;
  }
  background_.Update(*s->gray, s->mask, in.t);
  const double scale = s->scale > 0 ? s->scale : 1.0;
  // Blobs from the smallest size any row allows; each is then held to its own row's.
  const int min_area =
      std::max(1, static_cast<int>(std::lround(kAbandonedMinAreaFloorPx / (scale * scale))));
  const double max_area = kAbandonedMaxAreaFraction * s->gray->width * s->gray->height;

  std::vector<const track::Track*> people;
  for (const auto* list : {in.tracks, in.active}) {
    if (!list) continue;
    for (const track::Track& tr : *list) {
      if (persons_.Matches(tr.label)) people.push_back(&tr);
    }
  }

  const std::vector<StaticBlob> blobs = background_.StaticBlobs(min_area);
  const core::HeightLine heights =
      blobs.empty() ? core::HeightLine(1, kAbandonedMinPersonSamples) : PersonHeights();
  for (const StaticBlob& blob : blobs) {
    const core::Box box = Scaled(blob.box, scale);
    if (blob.area * scale * scale < MinAreaAt(heights, box.Bottom())) continue;  // too small
    // Someone who stood there while the model learned has left; or a shadow,
    // a light patch, a reflection over the unchanged background texture.
    if (blob.ghost || blob.lighting) {
      background_.Absorb(blob);
      continue;
    }
    if (blob.area > max_area) continue;
    if (zone_) {
      const core::Point foot = box.BottomCenter();
      if (!core::PointInPolygon({foot.x / in.width, foot.y / in.height}, *zone_)) continue;
    }
    // A person standing still is not an object.
    bool person = false;
    for (const track::Track* tr : people) {
      person =
          person || core::IntersectionArea(tr->box, box) >= kAbandonedPersonOverlap * box.Area();
    }
    Object* obj = nullptr;
    for (Object& o : objects_) {
      if (o.last_seen_t < in.t && SameObject(o.box, box)) {
        obj = &o;
        break;
      }
    }
    if (!obj) {
      if (person) continue;  // only objects seen on their own are followed
      // Another piece of an object a blob of this frame already stands for.
      if (std::ranges::any_of(objects_, [&](const Object& o) {
            return o.last_seen_t == in.t && SameObject(o.box, box);
          })) {
        continue;
      }
      objects_.push_back({});
      obj = &objects_.back();
      obj->key = next_key_++;
      obj->appeared_t = blob.appeared_t;
    }
    obj->box = box;
    obj->last_seen_t = in.t;
    // Once lost there, always that person (memory of the track fades, the person stays).
    obj->person = obj->person || PersonLostThere(box, obj->appeared_t, in.t);
    if (person || obj->person) continue;
    if (!obj->owner_resolved) ResolveOwner(obj, in);

    // Where is the owner now?
    if (obj->owner >= 0) {
      const track::Track* owner = nullptr;
      for (const track::Track* tr : people) {
        if (tr->id == obj->owner) owner = tr;
      }
      const bool near = owner && Metres(owner->box, box.BottomCenter(), in) <= p_.owner_distance_m;
      if (near) {
        obj->unattended_since = -1;
      } else if (obj->unattended_since < 0) {
        obj->unattended_since = in.t;
      }
    }
    if (obj->unattended_since < 0 || in.t - obj->unattended_since < p_.unattended_s) continue;
    // One alert per spot: a piece of something already reported is part of its alert.
    if (!obj->reported && std::ranges::any_of(objects_, [&](const Object& o) {
          return o.reported && SameObject(o.box, box);
        })) {
      continue;
    }
    obj->reported = true;
    Observation o;
    o.t = in.t;
    o.frame = in.frame;
    o.label = "object";
    o.bbox = box;
    o.zone = zone_name_;
    o.details = {{"unattended_s", in.t - obj->unattended_since}, {"static_since", obj->appeared_t}};
    if (obj->owner >= 0) o.details["owner_track_id"] = obj->owner;
    incidents_.Observe("object/" + std::to_string(obj->key), o, out);
  }
  std::erase_if(objects_, [&](const Object& o) {
    return in.t - o.last_seen_t > kAbandonedObjectLostSeconds;
  });
  incidents_.Tick(in.t, in.frame, out);
}

void AbandonedObjectRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeAbandonedObjectRule(const RuleContext& ctx,
                                                            config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", false);
  AbandonedParams p;
  fields.GetDouble("unattended_s", &p.unattended_s, 0, kMaxSeconds);
  fields.GetDouble("owner_distance_m", &p.owner_distance_m, 0.1, 100);
  fields.GetDouble("person_height_m", &p.person_height_m, 0.5, 2.5);
  fields.GetDouble("static_s", &p.static_s, 0.5, kMaxSeconds);
  fields.GetDouble("min_area_px", &p.min_area_px, 1, 1e7);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  return std::unique_ptr<Rule>(std::make_unique<AbandonedObjectRule>(ctx, p, zone));
}

}  // namespace argus::rules
