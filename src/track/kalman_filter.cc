#include "track/kalman_filter.h"

#include <Eigen/Cholesky>
#include <algorithm>

namespace argus::track {
namespace {

using Vector4 = Eigen::Matrix<double, 4, 1>;
using Matrix4 = Eigen::Matrix<double, 4, 4>;

Vector4 Measure(const core::Box& b) {
  const double h = std::max(b.h, 1e-6);
  return {b.x + b.w / 2, b.y + b.h / 2, b.w / h, h};
}

}  // namespace

KalmanBoxFilter::KalmanBoxFilter(const core::Box& box, const KalmanParams& params)
    : params_(params) {
  const Vector4 z = Measure(box);
  mean_.setZero();
  mean_.head<4>() = z;
  const double f = KalmanParams::kReferenceFps;  // per-frame -> per-second velocity
  const double pos = 2 * params_.std_weight_position * z(3);
  const double vel = 10 * params_.std_weight_velocity * z(3) * f;
  Vector8 std;
  std << pos, pos, 1e-2, pos, vel, vel, 1e-5 * f, vel;
  cov_ = std.array().square().matrix().asDiagonal();
}

void KalmanBoxFilter::Predict(double dt) {
  if (!(dt > 0)) return;
  const double f = KalmanParams::kReferenceFps;
  // Random-walk noise: variance grows linearly with elapsed time, measured in
  // reference frames, so one step at kReferenceFps equals ByteTrack's step.
  const double steps = dt * f;
  const double h = mean_(3);
  const double pos = params_.std_weight_position * h;
  const double vel = params_.std_weight_velocity * h * f;
  Vector8 std;
  std << pos, pos, 1e-2, pos, vel, vel, 1e-5 * f, vel;
  const Vector8 q = std.array().square().matrix() * steps;

  // x' = F x with F = [I dt*I; 0 I], written out to avoid 8x8 products.
  mean_.head<4>() += dt * mean_.tail<4>();
  // P' = F P F^T + Q, using the block structure of F.
  const Matrix4 p11 = cov_.topLeftCorner<4, 4>();
  const Matrix4 p12 = cov_.topRightCorner<4, 4>();
  const Matrix4 p22 = cov_.bottomRightCorner<4, 4>();
  const Matrix4 n12 = p12 + dt * p22;
  cov_.topLeftCorner<4, 4>() = p11 + dt * (p12 + p12.transpose()) + dt * dt * p22;
  cov_.topRightCorner<4, 4>() = n12;
  cov_.bottomLeftCorner<4, 4>() = n12.transpose();
  cov_.diagonal() += q;
}

void KalmanBoxFilter::Update(const core::Box& box) {
  const Vector4 z = Measure(box);
  const double h = mean_(3);
  const double pos = params_.std_weight_position * h;
  Vector4 r;
  r << pos * pos, pos * pos, 1e-1 * 1e-1, pos * pos;
  // H = [I 0]: the projected covariance is the top-left block.
  Matrix4 s = cov_.topLeftCorner<4, 4>();
  s.diagonal() += r;
  const Eigen::Matrix<double, 8, 4> pht = cov_.leftCols<4>();
  // K = P H^T S^-1, solved through the Cholesky factor of S.
  const Eigen::LLT<Matrix4> llt(s);
  const Eigen::Matrix<double, 8, 4> gain = llt.solve(pht.transpose()).transpose();
  mean_ += gain * (z - mean_.head<4>());
  cov_ -= gain * pht.transpose();
  cov_ = 0.5 * (cov_ + cov_.transpose());  // keep it symmetric against round-off
}

void KalmanBoxFilter::Warp(const core::Affine2D& m) {
  const core::Point c = m.Apply({mean_(0), mean_(1)});
  const core::Point v = m.ApplyLinear({mean_(4), mean_(5)});
  const double s = m.Scale();
  mean_(0) = c.x;
  mean_(1) = c.y;
  mean_(3) *= s;
  mean_(4) = v.x;
  mean_(5) = v.y;
  mean_(7) *= s;
  // P' = J P J^T with J block-diagonal: the 2x2 linear part on each (x, y)
  // pair, the scale on each height term, 1 on the aspect terms.
  Matrix8 j = Matrix8::Identity();
  for (int k : {0, 4}) {
    j(k, k) = m.a;
    j(k, k + 1) = m.b;
    j(k + 1, k) = m.c;
    j(k + 1, k + 1) = m.d;
    j(k + 3, k + 3) = s;
  }
  cov_ = j * cov_ * j.transpose();
}

core::Box KalmanBoxFilter::box() const {
  const double h = mean_(3);
  const double w = mean_(2) * h;
  return {mean_(0) - w / 2, mean_(1) - h / 2, w, h};
}

}  // namespace argus::track
