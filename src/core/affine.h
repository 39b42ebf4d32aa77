// A 2-D affine map in image pixels (the camera's global motion between two
// frames). Pure: no OpenCV types; motion/camera_motion.h converts.
#pragma once

#include <algorithm>
#include <cmath>

#include "core/geometry.h"

namespace argus::core {

// x' = a*x + b*y + tx, y' = c*x + d*y + ty (OpenCV's 2x3 row-major layout).
struct Affine2D {
  double a = 1, b = 0, tx = 0;
  double c = 0, d = 1, ty = 0;

  static Affine2D Translation(double dx, double dy) { return {1, 0, dx, 0, 1, dy}; }

  Point Apply(Point p) const { return {a * p.x + b * p.y + tx, c * p.x + d * p.y + ty}; }
  // The linear part applied to a vector (velocities move without the shift).
  Point ApplyLinear(Point v) const { return {a * v.x + b * v.y, c * v.x + d * v.y}; }
  // Isotropic scale of the linear part (sqrt |det|), for box heights.
  double Scale() const { return std::sqrt(std::abs(a * d - b * c)); }
  // Largest displacement of a corner of the width x height frame: how far any
  // pixel moves, the quantity to compare with "less than a pixel".
  double MaxCornerShift(double width, double height) const {
    double m = 0;
    for (const Point p : {Point{0, 0}, Point{width, 0}, Point{0, height}, Point{width, height}}) {
      m = std::max(m, Distance(Apply(p), p));
    }
    return m;
  }
  friend bool operator==(const Affine2D&, const Affine2D&) = default;
};

}  // namespace argus::core
