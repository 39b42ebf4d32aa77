#include "detect/blob_groups.h"

#include <algorithm>

namespace argus::detect {
namespace {

bool Joinable(const MaskBlob& a, const MaskBlob& b, double overlap, double gap) {
  const int cols = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  if (cols < overlap * std::min(a.w, b.w)) return false;
  const int rows_gap = std::max(a.y, b.y) - std::min(a.y + a.h, b.y + b.h);  // < 0: overlapping
  return rows_gap <= gap * std::max(a.h, b.h);
}

MaskBlob Union(const MaskBlob& a, const MaskBlob& b) {
  const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  const int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return {x0, y0, x1 - x0, y1 - y0, a.area + b.area};
}

}  // namespace

std::vector<MaskBlob> GroupStackedBlobs(std::vector<MaskBlob> blobs, double overlap, double gap) {
  // Few blobs per frame: join pairs until nothing changes.
  for (bool joined = true; joined;) {
    joined = false;
    for (size_t i = 0; i < blobs.size() && !joined; ++i) {
      for (size_t j = i + 1; j < blobs.size(); ++j) {
        if (!Joinable(blobs[i], blobs[j], overlap, gap)) continue;
        blobs[i] = Union(blobs[i], blobs[j]);
        blobs.erase(blobs.begin() + static_cast<std::ptrdiff_t>(j));
        joined = true;
        break;
      }
    }
  }
  return blobs;
}

}  // namespace argus::detect
