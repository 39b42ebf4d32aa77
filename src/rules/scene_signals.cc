#include "rules/scene_signals.h"

#include <algorithm>
#include <cmath>

#include "core/structure_match.h"

namespace argus::rules {

double MeanLuma(const core::GrayImage& img) {
  if (img.empty()) return 0;
  double sum = 0;
  for (uint8_t v : img.pixels) sum += v;
  return sum / static_cast<double>(img.pixels.size());
}

double UniformFraction(const core::GrayImage& img, int cell, double stddev) {
  if (img.empty()) return 0;
  cell = std::max(1, cell);
  const int cw = std::max(1, img.width / cell);
  const int ch = std::max(1, img.height / cell);
  const double var_limit = stddev * stddev;
  int uniform = 0;
  for (int cy = 0; cy < ch; ++cy) {
    for (int cx = 0; cx < cw; ++cx) {
      const int x0 = cx * img.width / cw, x1 = (cx + 1) * img.width / cw;
      const int y0 = cy * img.height / ch, y1 = (cy + 1) * img.height / ch;
      double s = 0, s2 = 0;
      for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
          const double v = img.at(x, y);
          s += v;
          s2 += v * v;
        }
      }
      const double n = static_cast<double>(x1 - x0) * (y1 - y0);
      const double mean = s / n;
      if (s2 / n - mean * mean < var_limit) ++uniform;
    }
  }
  return static_cast<double>(uniform) / (cw * ch);
}

double Sharpness(const core::GrayImage& img) {
  if (img.width < 3 || img.height < 3) return 0;
  double s = 0, s2 = 0;
  for (int y = 1; y + 1 < img.height; ++y) {
    for (int x = 1; x + 1 < img.width; ++x) {
      const double lap = static_cast<double>(img.at(x - 1, y)) + img.at(x + 1, y) +
                         img.at(x, y - 1) + img.at(x, y + 1) - 4.0 * img.at(x, y);
      s += lap;
      s2 += lap * lap;
    }
  }
  const double n = static_cast<double>(img.width - 2) * (img.height - 2);
  const double mean = s / n;
  return s2 / n - mean * mean;
}

int MaxAbsDiff(const core::GrayImage& a, const core::GrayImage& b) {
  if (a.width != b.width || a.height != b.height) return -1;
  int m = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    m = std::max(m, std::abs(static_cast<int>(a.pixels[i]) - static_cast<int>(b.pixels[i])));
  }
  return m;
}

core::GrayImage HalfSize(const core::GrayImage& img) {
  const int w = std::max(1, img.width / 2);
  const int h = std::max(1, img.height / 2);
  core::GrayImage out(w, h);
  if (img.width < 2 || img.height < 2) {
    if (!img.empty()) out.pixels[0] = img.pixels[0];
    return out;
  }
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int sum = img.at(2 * x, 2 * y) + img.at(2 * x + 1, 2 * y) + img.at(2 * x, 2 * y + 1) +
                      img.at(2 * x + 1, 2 * y + 1);
      out.at(x, y) = static_cast<uint8_t>((sum + 2) / 4);
    }
  }
  return out;
}

std::vector<float> Gradients(const std::vector<float>& img, int width, int height) {
  std::vector<float> g(static_cast<size_t>(width) * height * 2, 0.0f);
  auto at = [&](int x, int y) { return img[static_cast<size_t>(y) * width + x]; };
  for (int y = 1; y + 1 < height; ++y) {
    for (int x = 1; x + 1 < width; ++x) {
      const float gx = (at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)) -
                       (at(x - 1, y - 1) + 2 * at(x - 1, y) + at(x - 1, y + 1));
      const float gy = (at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)) -
                       (at(x - 1, y - 1) + 2 * at(x, y - 1) + at(x + 1, y - 1));
      const size_t i = (static_cast<size_t>(y) * width + x) * 2;
      g[i] = gx;
      g[i + 1] = gy;
    }
  }
  return g;
}

double GradientCorrelation(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  if (aa <= 0 || bb <= 0) return 0;
  return std::clamp(ab / std::sqrt(aa * bb), 0.0, 1.0);
}

StructureMatch BackgroundMatcher::Update(const core::GrayImage& gray, double t) {
  const core::GrayImage half = HalfSize(gray);
  std::vector<float> cur(half.pixels.begin(), half.pixels.end());
  const std::vector<float> grad = Gradients(cur, half.width, half.height);
  auto set_reference_grad = [this](std::vector<float> g) {
    reference_grad_ = std::move(g);
    double e = 0;
    for (float v : reference_grad_) e += static_cast<double>(v) * v;
    reference_energy_ = e / std::max<size_t>(1, reference_grad_.size() / 2);
  };
  if (reference_.empty() || half.width != width_ || half.height != height_) {
    width_ = half.width;
    height_ = half.height;
    reference_ = std::move(cur);
    set_reference_grad(grad);
    last_t_ = t;
    return {};
  }
  StructureMatch match;
  if (reference_energy_ >= core::kMinGradientEnergy) {
    match.match = GradientCorrelation(grad, reference_grad_);
    if (match.match < core::kCellsJudgedBelowMatch) {
      match.cells = core::MatchedCellShare(grad.data(), reference_grad_.data(), width_, height_);
    }
  }
  const double dt = std::max(0.0, t - last_t_);
  last_t_ = t;
  const double alpha = std::clamp(dt / std::max(1e-6, tau_s_), 0.0, 1.0);
  if (alpha > 0) {
    for (size_t i = 0; i < reference_.size(); ++i) {
      reference_[i] += static_cast<float>(alpha) * (cur[i] - reference_[i]);
    }
    set_reference_grad(Gradients(reference_, width_, height_));
  }
  return match;
}

std::vector<int> PolygonPixels(const core::Polygon& poly, int width, int height) {
  std::vector<int> out;
  if (poly.size() < 3) return out;
  double x0 = poly[0].x, x1 = x0, y0 = poly[0].y, y1 = y0;
  for (const core::Point& p : poly) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  const int ix0 = std::max(0, static_cast<int>(std::floor(x0)));
  const int ix1 = std::min(width - 1, static_cast<int>(std::ceil(x1)));
  const int iy0 = std::max(0, static_cast<int>(std::floor(y0)));
  const int iy1 = std::min(height - 1, static_cast<int>(std::ceil(y1)));
  for (int y = iy0; y <= iy1; ++y) {
    for (int x = ix0; x <= ix1; ++x) {
      if (core::PointInPolygon({x + 0.5, y + 0.5}, poly)) out.push_back(y * width + x);
    }
  }
  return out;
}

double RegionNcc(const std::vector<float>& a, const std::vector<float>& b,
                 const std::vector<int>& pixels) {
  if (pixels.empty()) return 0;
  double sa = 0, sb = 0;
  for (int i : pixels) {
    sa += a[i];
    sb += b[i];
  }
  const double n = static_cast<double>(pixels.size());
  const double ma = sa / n, mb = sb / n;
  double ab = 0, aa = 0, bb = 0;
  for (int i : pixels) {
    const double da = a[i] - ma, db = b[i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  if (aa <= 0 || bb <= 0) return 0;
  return ab / std::sqrt(aa * bb);
}

double RegionStdDev(const std::vector<float>& img, const std::vector<int>& pixels) {
  if (pixels.empty()) return 0;
  double s = 0, s2 = 0;
  for (int i : pixels) {
    s += img[i];
    s2 += static_cast<double>(img[i]) * img[i];
  }
  const double n = static_cast<double>(pixels.size());
  const double m = s / n;
  return std::sqrt(std::max(0.0, s2 / n - m * m));
}

}  // namespace argus::rules
