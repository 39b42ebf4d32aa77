// Pure image signals on core::GrayImage for the image-based rules (tamper,
// object removed) and for tests that must produce what the motion module
// (src/motion, OpenCV) computes in the pipeline. The definitions follow
// motion::ComputeFrameSignals so both give comparable numbers.
#pragma once

#include <vector>

#include "core/geometry.h"
#include "core/image.h"

namespace argus::rules {

inline constexpr int kDefaultUniformCellPx = 16;
inline constexpr double kDefaultUniformStdDev = 4.0;
inline constexpr double kDefaultMatchTauSeconds = 60.0;

double MeanLuma(const core::GrayImage& img);
// Fraction of `cell` x `cell` cells whose standard deviation is below `stddev`
// (a covered lens or a dark frame is almost all uniform).
double UniformFraction(const core::GrayImage& img, int cell = kDefaultUniformCellPx,
                       double stddev = kDefaultUniformStdDev);
// Variance of the 4-neighbour 3x3 Laplacian over the interior pixels.
double Sharpness(const core::GrayImage& img);

// Largest absolute pixel difference of two images of the same size (-1 when
// the sizes differ): 0 or 1 only when the picture repeats (frozen stream).
int MaxAbsDiff(const core::GrayImage& a, const core::GrayImage& b);

// Half-size copy (2x2 box average): removes pixel noise before gradients.
core::GrayImage HalfSize(const core::GrayImage& img);

// Signed Sobel gradients, interleaved (gx, gy) per pixel, interior only
// (border pixels are 0).
std::vector<float> Gradients(const std::vector<float>& img, int width, int height);
// Normalised correlation of two gradient fields, clamped to 0..1: invariant to
// a lighting gain, near 0 when the structure moved or disappeared.
double GradientCorrelation(const std::vector<float>& a, const std::vector<float>& b);

// SceneInput::background_match and background_cells.
struct StructureMatch {
  double match = 1;  // whole-frame gradient correlation
  double cells = 1;  // share of textured cells still in place (core::MatchedCellShare)
};

// The long-term structure reference behind StructureMatch: a running average
// of the half-size frame with time constant `tau_s`, compared by gradient
// correlation. Thread safety: one thread per instance.
class BackgroundMatcher {
 public:
  explicit BackgroundMatcher(double tau_s = kDefaultMatchTauSeconds) : tau_s_(tau_s) {}
  // Returns the match of `gray` against the reference before it is updated
  // (1 on the first frame or when the reference has no structure).
  StructureMatch Update(const core::GrayImage& gray, double t);

 private:
  double tau_s_;
  int width_ = 0;
  int height_ = 0;
  std::vector<float> reference_;
  std::vector<float> reference_grad_;
  double reference_energy_ = 0;
  double last_t_ = 0;
};

// Pixels of `poly` (analysis pixels) as indices into a width x height image;
// a pixel belongs when its centre is inside.
std::vector<int> PolygonPixels(const core::Polygon& poly, int width, int height);

// Zero-mean normalised cross-correlation of `a` and `b` over `pixels`
// (invariant to gain and offset). Returns 0 when either side is flat.
double RegionNcc(const std::vector<float>& a, const std::vector<float>& b,
                 const std::vector<int>& pixels);
// Standard deviation of `img` over `pixels`.
double RegionStdDev(const std::vector<float>& img, const std::vector<int>& pixels);

}  // namespace argus::rules
