#include "track/coast_policy.h"

#include <algorithm>

namespace argus::track {

bool CoastPolicy::ShouldCoast(const std::vector<core::Box>& motion_regions,
                              const std::vector<Track>& active, bool motion_trusted) {
  const bool coast = p_.max_coasted > 0 && coasted_ < p_.max_coasted && motion_trusted &&
                     Explained(motion_regions, active);
  coasted_ = coast ? coasted_ + 1 : 0;
  return coast;
}

bool CoastPolicy::Explained(const std::vector<core::Box>& regions,
                            const std::vector<Track>& active) const {
  std::vector<core::Box> boxes;
  for (const Track& t : active) {
    if (t.state != TrackState::kTracked) return false;  // someone lost: look for them
    const core::Box& b = t.box;
    const double mx = p_.box_margin * b.w, my = p_.box_margin * b.h;
    boxes.push_back({b.x - mx, b.y - my, b.w + 2 * mx, b.h + 2 * my});
  }
  for (const core::Box& r : regions) {
    const double area = r.Area();
    if (area <= 0) continue;
    double inside = 0;
    for (const core::Box& b : boxes) inside += core::IntersectionArea(r, b);
    if (std::min(1.0, inside / area) < p_.min_cover) return false;
  }
  return true;
}

}  // namespace argus::track
