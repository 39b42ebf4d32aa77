#include "track/iou_gating.h"

#include <algorithm>
#include <numeric>

namespace argus::track {

std::vector<OverlapPair> OverlappingPairs(const std::vector<core::Box>& a,
                                          const std::vector<core::Box>& b, double min_iou) {
  std::vector<OverlapPair> out;
  if (a.empty() || b.empty()) return out;
  std::vector<int> order(b.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int i, int j) { return b[i].x < b[j].x; });
  std::vector<double> xs(order.size());
  double max_w = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    xs[k] = b[order[k]].x;
    max_w = std::max(max_w, b[order[k]].w);
  }
  for (int i = 0; i < static_cast<int>(a.size()); ++i) {
    const core::Box& box = a[i];
    // A b box overlaps in x only if b.x < box.Right() and b.x + b.w > box.x,
    // hence b.x > box.x - max_w.
    auto it = std::upper_bound(xs.begin(), xs.end(), box.x - max_w);
    for (; it != xs.end() && *it < box.Right(); ++it) {
      const int j = order[it - xs.begin()];
      const core::Box& other = b[j];
      if (other.Right() <= box.x || other.y >= box.Bottom() || other.Bottom() <= box.y) continue;
      const double iou = core::IoU(box, other);
      if (iou > min_iou) out.push_back({i, j, iou});
    }
  }
  return out;
}

}  // namespace argus::track
