// Which tracked people the background model must keep as foreground: a person
// who walked in and stopped (a visitor before a painting, someone who fell)
// would otherwise fade into the background within seconds and be lost.
// Only tracks that have travelled are held, so a ghost (the spot a person
// left, a flicker) is never held, and a hold ends after `max_still_s` without
// movement so a mistaken track cannot pin a box forever. Pure; one thread.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/geometry.h"
#include "track/track.h"

namespace argus::track {

struct StillHoldParams {
  static constexpr double kDefaultTravelFraction = 1.0;  // of the box height
  static constexpr double kDefaultMaxStillS = 60.0;
  // A track counts as "arrived" once its foot point is this far (in box
  // heights) from where it was first seen.
  double travel_fraction = kDefaultTravelFraction;
  // Longest hold after the last movement (stream seconds).
  double max_still_s = kDefaultMaxStillS;
};

class StillHold {
 public:
  explicit StillHold(const StillHoldParams& params = {}) : p_(params) {}
  // `active`: every track the tracker still holds; returns the boxes to hold.
  std::vector<core::Box> Update(const std::vector<Track>& active, double t);

 private:
  struct State {
    core::Point origin;  // first foot point
    core::Point anchor;  // foot point at the last movement
    double last_move_t = 0;
    bool travelled = false;
  };
  StillHoldParams p_;
  std::unordered_map<int, State> states_;
};

}  // namespace argus::track
