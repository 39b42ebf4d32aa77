// Constant-velocity Kalman filter in box space (ByteTrack / DeepSORT form).
// State: centre x, centre y, aspect ratio w/h, height, and their rates of
// change per SECOND, so the filter works at any detection rate.
// Pure value type; one thread per instance.
#pragma once

#include <Eigen/Core>

#include "core/affine.h"
#include "core/geometry.h"

namespace argus::track {

struct KalmanParams {
  // Noise is proportional to the box height, as in ByteTrack; the weights are
  // ByteTrack's per-frame values at kReferenceFps and are rescaled for other rates.
  static constexpr double kReferenceFps = 30.0;
  static constexpr double kByteTrackPositionWeight = 1.0 / 20;
  static constexpr double kByteTrackVelocityWeight = 1.0 / 160;
  double std_weight_position = kByteTrackPositionWeight;
  double std_weight_velocity = kByteTrackVelocityWeight;
};

class KalmanBoxFilter {
 public:
  using Vector8 = Eigen::Matrix<double, 8, 1>;
  using Matrix8 = Eigen::Matrix<double, 8, 8>;

  KalmanBoxFilter() = default;
  KalmanBoxFilter(const core::Box& box, const KalmanParams& params);

  // Advances the state by dt seconds (dt <= 0 leaves it unchanged).
  void Predict(double dt);
  // Corrects the state with a measured box.
  void Update(const core::Box& box);
  // Freezes the height rate (ByteTrack does this for lost tracks so their
  // boxes do not grow or shrink without evidence).
  void StopHeightChange() { mean_(7) = 0; }
  // Moves the state into the coordinates of a frame related to the current one
  // by the camera motion `m` (BoT-SORT's GMC): centre by the full map,
  // velocity by its linear part, height and height rate by its scale.
  void Warp(const core::Affine2D& m);

  core::Box box() const;
  // Velocity of the box centre and of its height, per second.
  core::Point CenterVelocity() const { return {mean_(4), mean_(5)}; }
  double HeightVelocity() const { return mean_(7); }
  const Vector8& mean() const { return mean_; }
  const Matrix8& covariance() const { return cov_; }

 private:
  KalmanParams params_;
  Vector8 mean_ = Vector8::Zero();
  Matrix8 cov_ = Matrix8::Identity();
};

}  // namespace argus::track
