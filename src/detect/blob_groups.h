// Motion masks break one person into pieces (head, torso, legs) wherever the
// clothes look like the background behind them. Pieces stacked one above the
// other with a small gap are joined back into one blob before anything
// measures its size. Pure: plain rectangles, any thread.
#pragma once

#include <vector>

namespace argus::detect {

struct MaskBlob {
  int x = 0, y = 0, w = 0, h = 0;  // bounding box, pixels
  int area = 0;                    // foreground pixels
};

inline constexpr double kDefaultGroupOverlap = 0.3;  // of the narrower width
inline constexpr double kDefaultGroupGap = 0.35;     // of the taller height

// Joins blobs whose columns overlap by at least `overlap` of the narrower one
// and whose vertical gap is at most `gap` times the taller one's height,
// repeatedly, so a chain of pieces becomes one blob. Areas add up.
std::vector<MaskBlob> GroupStackedBlobs(std::vector<MaskBlob> blobs,
                                        double overlap = kDefaultGroupOverlap,
                                        double gap = kDefaultGroupGap);

}  // namespace argus::detect
