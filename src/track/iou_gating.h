// Finds the pairs of boxes that overlap, without testing every pair, so the
// association cost grows with the number of boxes rather than its square.
// Pure function: callable from any thread.
#pragma once

#include <vector>

#include "core/geometry.h"

namespace argus::track {

struct OverlapPair {
  int a = 0;  // index into the first list
  int b = 0;  // index into the second list
  double iou = 0;
};

// Every pair (a, b) with IoU(a, b) > min_iou (min_iou >= 0), in no particular order.
// Sort-and-sweep on x: O((n + m) log m + candidates).
std::vector<OverlapPair> OverlappingPairs(const std::vector<core::Box>& a,
                                          const std::vector<core::Box>& b, double min_iou = 0);

}  // namespace argus::track
