// Ground-plane calibration: the homography that maps image points to metres on
// the floor, from 4 image points (relative to the frame) and the 4 matching
// ground points (metres), estimated by a normalised DLT. Gives distances and
// speeds in metres to proximity, running and vehicle rules.
#pragma once

#include <array>

#include "config/config.h"
#include "core/geometry.h"
#include "core/status.h"

namespace argus::rules {

// A 3x3 projective map, row-major.
class Homography {
 public:
  // Fails when 3 of the 4 points of either set are (nearly) collinear.
  static core::Result<Homography> FromPoints(const std::array<core::Point, 4>& src,
                                             const std::array<core::Point, 4>& dst);
  core::Point Apply(core::Point p) const;

 private:
  std::array<double, 9> h_{};
};

// Thread safety: immutable after construction; any thread.
class GroundPlane {
 public:
  static core::Result<GroundPlane> Make(const config::Calibration& calibration);
  // `px` in pixels of a width x height frame -> metres on the ground.
  core::Point ImageToGround(core::Point px, int width, int height) const;
  core::Point RelativeToGround(core::Point rel) const { return h_.Apply(rel); }

 private:
  explicit GroundPlane(Homography h) : h_(h) {}
  Homography h_;
};

}  // namespace argus::rules
