// What a person looks like without biometrics: coarse colour histograms of the
// upper and lower body and a little texture, from the box's crop. The top of
// the box (head and face) is never read, nothing of the image is kept, and a
// descriptor lives only as long as its track (track/relink_policy.h).
// Pure: the frame comes in as a view of 8-bit BGR bytes, no OpenCV types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/geometry.h"

namespace argus::track {

// 8-bit BGR pixels, row-major, `stride` bytes per row (cv::Mat's layout).
struct PixelView {
  const uint8_t* bgr = nullptr;
  int width = 0;
  int height = 0;
  size_t stride = 0;
};

// Box heights measured from the top: rows above kFaceSkip are never read.
constexpr double kFaceSkip = 0.2;
constexpr double kUpperEnd = 0.55;  // upper body: kFaceSkip .. kUpperEnd
constexpr double kLowerEnd = 0.92;  // lower body: kUpperEnd .. kLowerEnd (not the feet/shadow)

// Hue in 8 soft bins for two saturation levels, and 3 brightness bins for the
// colourless (grey, black, white) pixels; brightness only separates those, so
// a cloud passing changes little.
constexpr int kHueBins = 8;
constexpr int kColourBins = 2 * kHueBins + 3;
// Luminance gradient orientation (4 bins, by magnitude) and the share of flat pixels.
constexpr int kTextureBins = 5;

struct Appearance {
  // Each histogram sums to 1.
  std::array<float, kColourBins> upper{};
  std::array<float, kColourBins> lower{};
  std::array<float, kTextureBins> texture{};
};

// The descriptor of the person in `box` (pixels of `frame`), or nullopt when
// the box is too small or outside the frame.
std::optional<Appearance> Describe(const PixelView& frame, const core::Box& box);

// 0 (same) .. 1 (nothing in common): Hellinger distances of the histograms,
// weighted colour over texture.
double AppearanceDistance(const Appearance& a, const Appearance& b);

// Whether a crop is worth learning from: not cut by the frame's edge, tall
// enough, and not covered much by anyone else's box (a person in front would
// lend their colours).
struct CropGate {
  static constexpr double kDefaultMinHeight = 24;    // pixels
  static constexpr double kDefaultMaxCovered = 0.2;  // of the box's area
  static constexpr double kDefaultEdgeMargin = 2;    // pixels
  double min_height = kDefaultMinHeight;
  double max_covered = kDefaultMaxCovered;
  double edge_margin = kDefaultEdgeMargin;
};
bool CropUsable(const core::Box& box, const std::vector<core::Box>& others, int frame_width,
                int frame_height, const CropGate& gate = {});

// A track's look over its life: the running mean of its usable crops, turning
// into an exponential average after kMaxSamples so it follows slow change.
class AppearanceModel {
 public:
  static constexpr int kMaxSamples = 20;
  void Add(const Appearance& a);
  int samples() const { return samples_; }
  const Appearance& mean() const { return mean_; }

 private:
  Appearance mean_;
  int samples_ = 0;
};

}  // namespace argus::track
