#include "rules/zone.h"

#include <algorithm>

namespace argus::rules {

bool Debounced::Update(bool raw) {
  if (raw == state_) {
    streak_ = 0;
    return false;
  }
  if (++streak_ < inertia_) return false;
  state_ = raw;
  streak_ = 0;
  return true;
}

const core::Polygon& PixelPolygon::Get(int width, int height) {
  if (width != width_ || height != height_) {
    pixels_ = core::ToPixels(relative_, width, height);
    width_ = width;
    height_ = height;
  }
  return pixels_;
}

bool ZoneMembership::RawInside(core::Point foot_px, const FrameInput& in) {
  return core::PointInPolygon(foot_px, polygon_.Get(in.width, in.height));
}

ZoneMembership::Change ZoneMembership::Update(const track::Track& tr, const FrameInput& in) {
  auto [it, added] = states_.try_emplace(tr.id, State{Debounced(inertia_), in.t});
  State& s = it->second;
  s.last_seen = in.t;
  const bool raw = RawInside(tr.box.BottomCenter(), in);
  Change c;
  if (s.inside.Update(raw)) {
    c.entered = s.inside.state();
    c.left = !s.inside.state();
    if (c.entered) s.entered_at = in.t;
  }
  return c;
}

bool ZoneMembership::Inside(int track_id) const {
  auto it = states_.find(track_id);
  return it != states_.end() && it->second.inside.state();
}

double ZoneMembership::EnteredAt(int track_id) const {
  auto it = states_.find(track_id);
  return it == states_.end() ? 0 : it->second.entered_at;
}

std::vector<int> ZoneMembership::InsideIds() const {
  std::vector<int> ids;
  for (const auto& [id, s] : states_) {
    if (s.inside.state()) ids.push_back(id);
  }
  return ids;
}

ActiveIds::ActiveIds(const FrameInput& in) : have_active_(in.active != nullptr), t_(in.t) {
  for (const auto* v : {in.tracks, in.active}) {
    if (!v) continue;
    for (const track::Track& tr : *v) ids_.push_back(tr.id);
  }
  std::sort(ids_.begin(), ids_.end());
}

bool ActiveIds::StillActive(int id, double last_seen) const {
  if (std::binary_search(ids_.begin(), ids_.end(), id)) return true;
  return !have_active_ && t_ - last_seen <= kDefaultLostTrackGraceSeconds;
}

std::vector<int> ZoneMembership::Prune(const FrameInput& in) {
  std::vector<int> gone;
  const ActiveIds active(in);
  for (auto it = states_.begin(); it != states_.end();) {
    if (!active.StillActive(it->first, it->second.last_seen)) {
      gone.push_back(it->first);
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

}  // namespace argus::rules
