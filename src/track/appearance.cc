#include "track/appearance.h"

#include <algorithm>
#include <cmath>

namespace argus::track {
namespace {

// Only the middle of the box's width: its sides are mostly background.
constexpr double kSideSkip = 0.2;
// Samples per part and axis at most: a person of any size costs the same.
constexpr int kSamplesX = 12;
constexpr int kSamplesY = 16;
constexpr int kMinCropPixels = 4;       // per axis, after the skips
constexpr float kMinSaturation = 0.2f;  // below: a grey, counted by brightness
constexpr float kHighSaturation = 0.5f;
constexpr float kMinValue = 0.2f;  // below: too dark to have a hue
constexpr float kMidValue = 0.65f;
// Gradient below this share of the local brightness counts as flat.
constexpr float kFlatGradient = 0.12f;
constexpr double kColourWeight = 0.45;  // each of upper and lower; texture gets the rest

struct Pixel {
  float b, g, r;
};

Pixel At(const PixelView& f, int x, int y) {
  const uint8_t* p = f.bgr + static_cast<size_t>(y) * f.stride + static_cast<size_t>(x) * 3;
  return {static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2])};
}

float Luma(const Pixel& p) { return 0.114f * p.b + 0.587f * p.g + 0.299f * p.r; }

void AddColour(const Pixel& p, std::array<float, kColourBins>& h) {
  const float mx = std::max({p.b, p.g, p.r}), mn = std::min({p.b, p.g, p.r});
  const float v = mx / 255.0f;
  const float s = mx > 0 ? (mx - mn) / mx : 0;
  if (v < kMinValue || s < kMinSaturation) {
    h[2 * kHueBins + (v < kMinValue ? 0 : v < kMidValue ? 1 : 2)] += 1;
    return;
  }
  const float d = mx - mn;
  float hue;  // 0..6
  if (mx == p.r) {
    hue = std::fmod((p.g - p.b) / d + 6.0f, 6.0f);
  } else if (mx == p.g) {
    hue = (p.b - p.r) / d + 2.0f;
  } else {
    hue = (p.r - p.g) / d + 4.0f;
  }
  // Soft binning: a hue between two bin centres is shared by both.
  const float pos = hue / 6.0f * kHueBins - 0.5f;
  const float fl = std::floor(pos);
  const float frac = pos - fl;
  const int b0 = (static_cast<int>(fl) + kHueBins) % kHueBins;
  const int b1 = (b0 + 1) % kHueBins;
  const int base = s < kHighSaturation ? 0 : kHueBins;
  h[base + b0] += 1 - frac;
  h[base + b1] += frac;
}

// `top`: the first row that may be read (the face line): a gradient there would
// reach into the head.
void AddTexture(const PixelView& f, int x, int y, int top, std::array<float, kTextureBins>& h) {
  if (x < 1 || y - 1 < top || x >= f.width - 1 || y >= f.height - 1) return;
  const float gx = Luma(At(f, x + 1, y)) - Luma(At(f, x - 1, y));
  const float gy = Luma(At(f, x, y + 1)) - Luma(At(f, x, y - 1));
  const float mag = std::abs(gx) + std::abs(gy);
  if (mag < kFlatGradient * (Luma(At(f, x, y)) + 16.0f)) {
    h[4] += 1;
    return;
  }
  // Orientation modulo pi in 4 bins of 45 degrees, without atan2: turn the
  // gradient into the upper half-plane, then compare its components.
  const float ux = gy < 0 ? -gx : gx, uy = std::abs(gy);
  const int bin = ux > 0 ? (uy < ux ? 0 : 1) : (uy > -ux ? 2 : 3);
  h[bin] += 1;
}

template <size_t N>
bool Normalise(std::array<float, N>& h) {
  float sum = 0;
  for (float v : h) sum += v;
  if (sum <= 0) return false;
  for (float& v : h) v /= sum;
  return true;
}

template <size_t N>
double Hellinger(const std::array<float, N>& a, const std::array<float, N>& b) {
  double bc = 0;  // Bhattacharyya coefficient
  for (size_t i = 0; i < N; ++i) bc += std::sqrt(static_cast<double>(a[i]) * b[i]);
  return std::sqrt(std::max(0.0, 1.0 - bc));
}

// Samples the band [y0, y1) x [x0, x1) of the frame on a coarse grid.
// Rows above `top` are never read.
void SampleBand(const PixelView& f, int x0, int x1, int y0, int y1, int top,
                std::array<float, kColourBins>& colour, std::array<float, kTextureBins>& texture) {
  const int sx = std::max(1, (x1 - x0) / kSamplesX), sy = std::max(1, (y1 - y0) / kSamplesY);
  for (int y = y0; y < y1; y += sy) {
    for (int x = x0; x < x1; x += sx) {
      AddColour(At(f, x, y), colour);
      AddTexture(f, x, y, top, texture);
    }
  }
}

}  // namespace

std::optional<Appearance> Describe(const PixelView& f, const core::Box& box) {
  if (f.bgr == nullptr || f.width <= 0 || f.height <= 0) return std::nullopt;
  const int x0 = std::max(0, static_cast<int>(std::lround(box.x + kSideSkip * box.w)));
  const int x1 = std::min(f.width, static_cast<int>(std::lround(box.Right() - kSideSkip * box.w)));
  const int y0 = std::max(0, static_cast<int>(std::lround(box.y + kFaceSkip * box.h)));
  const int ym = std::clamp(static_cast<int>(std::lround(box.y + kUpperEnd * box.h)), 0, f.height);
  const int y1 = std::min(f.height, static_cast<int>(std::lround(box.y + kLowerEnd * box.h)));
  if (x1 - x0 < kMinCropPixels || ym - y0 < kMinCropPixels || y1 - ym < kMinCropPixels) {
    return std::nullopt;
  }
  Appearance a;
  SampleBand(f, x0, x1, y0, ym, y0, a.upper, a.texture);
  SampleBand(f, x0, x1, ym, y1, y0, a.lower, a.texture);
  if (!Normalise(a.upper) || !Normalise(a.lower)) return std::nullopt;
  if (!Normalise(a.texture)) a.texture[4] = 1;  // a crop too thin for gradients: flat
  return a;
}

double AppearanceDistance(const Appearance& a, const Appearance& b) {
  return kColourWeight * (Hellinger(a.upper, b.upper) + Hellinger(a.lower, b.lower)) +
         (1 - 2 * kColourWeight) * Hellinger(a.texture, b.texture);
}

bool CropUsable(const core::Box& box, const std::vector<core::Box>& others, int frame_width,
                int frame_height, const CropGate& gate) {
  if (box.h < gate.min_height || box.Area() <= 0) return false;
  if (box.x < gate.edge_margin || box.y < gate.edge_margin ||
      box.Right() > frame_width - gate.edge_margin ||
      box.Bottom() > frame_height - gate.edge_margin) {
    return false;
  }
  double covered = 0;
  for (const core::Box& o : others) covered += core::IntersectionArea(box, o);
  return covered <= gate.max_covered * box.Area();
}

void AppearanceModel::Add(const Appearance& a) {
  samples_ = std::min(samples_ + 1, kMaxSamples);
  const float w = 1.0f / static_cast<float>(samples_);  // running mean, then EMA
  auto blend = [w](auto& mean, const auto& x) {
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += w * (x[i] - mean[i]);
  };
  blend(mean_.upper, a.upper);
  blend(mean_.lower, a.lower);
  blend(mean_.texture, a.texture);
}

}  // namespace argus::track
