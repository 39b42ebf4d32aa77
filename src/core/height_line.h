// Person height against foot row: a least-squares line h = a + b * y, learned from the
// boxes of people seen, with exponential forgetting. Far from the camera people are
// small, close to it big; the line says how tall a person standing at a row is.
// Thread safety: one thread per instance.
#pragma once

#include <algorithm>

namespace argus::core {

class HeightLine {
 public:
  // `decay` per sample (1: remembers everything); `min_samples` before Height() holds.
  HeightLine(double decay, int min_samples) : decay_(decay), min_samples_(min_samples) {}

  void Add(double foot_y, double h) {
    sw_ = sw_ * decay_ + 1;
    sy_ = sy_ * decay_ + foot_y;
    sh_ = sh_ * decay_ + h;
    syy_ = syy_ * decay_ + foot_y * foot_y;
    syh_ = syh_ * decay_ + foot_y * h;
    ++n_;
  }
  bool Calibrated() const { return n_ >= min_samples_; }
  // Expected height at a foot row, at least `min_h`; only meaningful once Calibrated().
  // The slope is held to [-0.2, 1]: a few boxes at nearly one row say little about it.
  double Height(double foot_y, double min_h) const {
    const double mean_y = sy_ / sw_;
    const double mean_h = sh_ / sw_;
    const double var = syy_ / sw_ - mean_y * mean_y;
    double b = 0;
    if (var > 1e-6) b = std::clamp((syh_ / sw_ - mean_y * mean_h) / var, -0.2, 1.0);
    return std::max(min_h, mean_h + b * (foot_y - mean_y));
  }

 private:
  double decay_;
  int min_samples_;
  double sw_ = 0, sy_ = 0, sh_ = 0, syy_ = 0, syh_ = 0;
  int n_ = 0;
};

}  // namespace argus::core
