#include "detect/static_filter.h"

#include <algorithm>
#include <cmath>

namespace argus::detect {

double MotionShareInBox(const motion::MotionResult& m, const core::Box& box) {
  if (m.mask.empty() || m.scale <= 0) return 0;
  const int x0 = std::clamp(static_cast<int>(std::floor(box.x / m.scale)), 0, m.mask.width);
  const int y0 = std::clamp(static_cast<int>(std::floor(box.y / m.scale)), 0, m.mask.height);
  const int x1 = std::clamp(static_cast<int>(std::ceil(box.Right() / m.scale)), 0, m.mask.width);
  const int y1 = std::clamp(static_cast<int>(std::ceil(box.Bottom() / m.scale)), 0, m.mask.height);
  if (x1 <= x0 || y1 <= y0) return 0;
  int on = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) on += m.mask.at(x, y) != 0;
  }
  return static_cast<double>(on) / ((x1 - x0) * (y1 - y0));
}

std::vector<track::Detection> StaticObjectFilter::Filter(std::vector<track::Detection> dets,
                                                         const motion::MotionResult* motion) {
  if (p_.after_s <= 0 || motion == nullptr || motion->warming_up) return dets;
  const double t = motion->t;
  // Something seen in place for long is forgotten slowly: a detector's
  // intermittent misses must not restart its clock.
  std::erase_if(candidates_, [&](const Candidate& c) {
    return t - c.last_t > std::max(p_.forget_s, 0.5 * (c.last_t - c.first_t));
  });
  std::vector<track::Detection> kept;
  for (track::Detection& d : dets) {
    if (std::find(p_.labels.begin(), p_.labels.end(), d.label) == p_.labels.end()) {
      kept.push_back(std::move(d));
      continue;
    }
    // The oldest matching candidate: its clock is the one that counts.
    Candidate* best = nullptr;
    for (Candidate& c : candidates_) {
      if (c.label == d.label && c.last_t < t && core::IoU(c.first, d.box) >= p_.min_iou &&
          (best == nullptr || c.first_t < best->first_t)) {
        best = &c;
      }
    }
    const bool moving = MotionShareInBox(*motion, d.box) > p_.motion_pixels;
    if (best == nullptr) {
      candidates_.push_back({d.box, d.label, t, t, 1, moving ? 1 : 0});
      kept.push_back(std::move(d));
      continue;
    }
    best->last_t = t;
    ++best->seen;
    best->moving += moving ? 1 : 0;
    const bool is_static =
        t - best->first_t >= p_.after_s && best->moving <= p_.max_moving_share * best->seen;
    if (!is_static) kept.push_back(std::move(d));
  }
  return kept;
}

}  // namespace argus::detect
