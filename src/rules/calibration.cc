#include "rules/calibration.h"

#include <Eigen/Dense>
#include <cmath>

namespace argus::rules {

namespace {

// Relative tolerance for collinearity: triangle area vs the squared spread.
constexpr double kCollinearTolerance = 1e-6;

bool AnyThreeCollinear(const std::array<core::Point, 4>& p) {
  double spread = 0;
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j) spread = std::max(spread, core::Distance(p[i], p[j]));
  }
  if (spread == 0) return true;
  for (int skip = 0; skip < 4; ++skip) {
    std::array<core::Point, 3> t;
    int k = 0;
    for (int i = 0; i < 4; ++i) {
      if (i != skip) t[k++] = p[i];
    }
    if (std::abs(core::Cross(t[1] - t[0], t[2] - t[0])) <= kCollinearTolerance * spread * spread) {
      return true;
    }
  }
  return false;
}

// Hartley normalisation: centroid at 0, mean distance sqrt(2).
Eigen::Matrix3d Normaliser(const std::array<core::Point, 4>& p) {
  core::Point c;
  for (const auto& q : p) c = c + q * 0.25;
  double mean = 0;
  for (const auto& q : p) mean += core::Distance(q, c) / 4;
  const double s = std::sqrt(2.0) / mean;
  Eigen::Matrix3d t;
  t << s, 0, -s * c.x, 0, s, -s * c.y, 0, 0, 1;
  return t;
}

}  // namespace

core::Result<Homography> Homography::FromPoints(const std::array<core::Point, 4>& src,
                                                const std::array<core::Point, 4>& dst) {
  if (AnyThreeCollinear(src) || AnyThreeCollinear(dst)) {
    return core::InvalidArgument("3 of the 4 calibration points are collinear");
  }
  const Eigen::Matrix3d ts = Normaliser(src), td = Normaliser(dst);
  Eigen::Matrix<double, 8, 9> a;
  for (int i = 0; i < 4; ++i) {
    const Eigen::Vector3d s = ts * Eigen::Vector3d(src[i].x, src[i].y, 1);
    const Eigen::Vector3d d = td * Eigen::Vector3d(dst[i].x, dst[i].y, 1);
    const double x = s.x(), y = s.y(), u = d.x(), v = d.y();
    a.row(2 * i) << -x, -y, -1, 0, 0, 0, u * x, u * y, u;
    a.row(2 * i + 1) << 0, 0, 0, -x, -y, -1, v * x, v * y, v;
  }
  Eigen::JacobiSVD<Eigen::Matrix<double, 8, 9>> svd(a, Eigen::ComputeFullV);
  const Eigen::Matrix<double, 9, 1> n = svd.matrixV().col(8);
  Eigen::Matrix3d hn;
  hn << n(0), n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8);
  Eigen::Matrix3d h = td.inverse() * hn * ts;
  // Not divided by h(2,2): it is 0 when the horizon passes through the image origin.
  h /= h.norm();
  Homography out;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) out.h_[r * 3 + c] = h(r, c);
  }
  return out;
}

core::Point Homography::Apply(core::Point p) const {
  const double w = h_[6] * p.x + h_[7] * p.y + h_[8];
  return {(h_[0] * p.x + h_[1] * p.y + h_[2]) / w, (h_[3] * p.x + h_[4] * p.y + h_[5]) / w};
}

core::Result<GroundPlane> GroundPlane::Make(const config::Calibration& calibration) {
  auto h = Homography::FromPoints(calibration.image, calibration.ground);
  if (!h.ok()) return h.status();
  return GroundPlane(*h);
}

core::Point GroundPlane::ImageToGround(core::Point px, int width, int height) const {
  return h_.Apply({px.x / width, px.y / height});
}

}  // namespace argus::rules
