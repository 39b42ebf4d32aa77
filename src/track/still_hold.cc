#include "track/still_hold.h"

namespace argus::track {

std::vector<core::Box> StillHold::Update(const std::vector<Track>& active, double t) {
  std::unordered_map<int, State> next;
  std::vector<core::Box> held;
  for (const Track& tr : active) {
    if (tr.label != "person" || tr.state == TrackState::kNew) continue;
    const core::Point foot = tr.box.BottomCenter();
    auto it = states_.find(tr.id);
    State s = it != states_.end() ? it->second : State{foot, foot, t, false};
    const double step = p_.travel_fraction * tr.box.h;
    if (core::Distance(foot, s.origin) >= step) s.travelled = true;
    // Movement of a quarter of the travel distance re-arms the hold.
    if (core::Distance(foot, s.anchor) >= 0.25 * step) {
      s.anchor = foot;
      s.last_move_t = t;
    }
    if (s.travelled && t - s.last_move_t <= p_.max_still_s) held.push_back(tr.box);
    next.emplace(tr.id, s);
  }
  states_ = std::move(next);
  return held;
}

}  // namespace argus::track
