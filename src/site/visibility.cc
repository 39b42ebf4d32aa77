#include "site/visibility.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace argus::site {
namespace {

constexpr double kDegToRad = M_PI / 180.0;
// A hit closer than this to the ray's origin is the wall the camera hangs on.
constexpr double kSelfHitM = 1e-6;
// Rays cast this far either side of a wall corner see past it and onto it.
constexpr double kCornerEpsRad = 1e-5;
// Grid cells cap: a huge floor gets coarser index cells instead of memory blow-up.
constexpr int64_t kMaxIndexCells = 1 << 20;

// Distance t along the unit ray p + t*d to segment s, or +inf.
double RayHit(Point p, Point d, const Segment& s) {
  const Point e = s.b - s.a;
  const double denom = core::Cross(d, e);
  if (std::abs(denom) < 1e-12) return std::numeric_limits<double>::infinity();
  const Point ap = s.a - p;
  const double t = core::Cross(ap, e) / denom;
  const double u = core::Cross(ap, d) / denom;
  if (t <= kSelfHitM || u < -1e-9 || u > 1 + 1e-9) return std::numeric_limits<double>::infinity();
  return t;
}

// Slack around index cells so that segments along a cell border land in both cells.
constexpr double kCellPadM = 1e-6;

// Liang-Barsky: does the segment meet the axis-aligned box?
bool SegmentMeetsBox(const Segment& s, Point lo, Point hi) {
  double t0 = 0, t1 = 1;
  const Point d = s.b - s.a;
  const double p[4] = {-d.x, d.x, -d.y, d.y};
  const double q[4] = {s.a.x - lo.x, hi.x - s.a.x, s.a.y - lo.y, hi.y - s.a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
    } else {
      const double t = q[i] / p[i];
      if (p[i] < 0) {
        t0 = std::max(t0, t);
      } else {
        t1 = std::min(t1, t);
      }
      if (t0 > t1) return false;
    }
  }
  return true;
}

double NormalizeAngle(double a) {  // to (-pi, pi]
  a = std::fmod(a, 2 * M_PI);
  if (a <= -M_PI) a += 2 * M_PI;
  if (a > M_PI) a -= 2 * M_PI;
  return a;
}

}  // namespace

WallIndex::WallIndex(std::vector<Segment> segments, double cell_m)
    : segments_(std::move(segments)), cell_(cell_m) {
  if (segments_.empty()) return;
  Point lo{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  Point hi{-lo.x, -lo.y};
  for (const auto& s : segments_) {
    lo = {std::min({lo.x, s.a.x, s.b.x}), std::min({lo.y, s.a.y, s.b.y})};
    hi = {std::max({hi.x, s.a.x, s.b.x}), std::max({hi.y, s.a.y, s.b.y})};
  }
  while ((hi.x - lo.x) / cell_ * (hi.y - lo.y) / cell_ > kMaxIndexCells) cell_ *= 2;
  origin_ = lo;
  nx_ = static_cast<int>((hi.x - lo.x) / cell_) + 1;
  ny_ = static_cast<int>((hi.y - lo.y) / cell_) + 1;
  cells_.resize(static_cast<size_t>(nx_) * ny_);
  stamp_.assign(segments_.size(), 0);
  for (size_t id = 0; id < segments_.size(); ++id) {
    const auto& s = segments_[id];
    // Every cell the segment touches (a conservative supercover).
    const int x0 =
        std::clamp(static_cast<int>((std::min(s.a.x, s.b.x) - origin_.x) / cell_), 0, nx_ - 1);
    const int x1 =
        std::clamp(static_cast<int>((std::max(s.a.x, s.b.x) - origin_.x) / cell_), 0, nx_ - 1);
    const int y0 =
        std::clamp(static_cast<int>((std::min(s.a.y, s.b.y) - origin_.y) / cell_), 0, ny_ - 1);
    const int y1 =
        std::clamp(static_cast<int>((std::max(s.a.y, s.b.y) - origin_.y) / cell_), 0, ny_ - 1);
    for (int iy = y0; iy <= y1; ++iy) {
      for (int ix = x0; ix <= x1; ++ix) {
        const Point lo{origin_.x + ix * cell_ - kCellPadM, origin_.y + iy * cell_ - kCellPadM};
        const Point hi{lo.x + cell_ + 2 * kCellPadM, lo.y + cell_ + 2 * kCellPadM};
        if (SegmentMeetsBox(s, lo, hi))
          cells_[static_cast<size_t>(iy) * nx_ + ix].push_back(static_cast<int>(id));
      }
    }
  }
}

void WallIndex::Query(Point lo, Point hi, std::vector<int>* out) const {
  if (segments_.empty()) return;
  const int x0 = std::clamp(static_cast<int>(std::floor((lo.x - origin_.x) / cell_)), 0, nx_ - 1);
  const int x1 = std::clamp(static_cast<int>(std::floor((hi.x - origin_.x) / cell_)), 0, nx_ - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor((lo.y - origin_.y) / cell_)), 0, ny_ - 1);
  const int y1 = std::clamp(static_cast<int>(std::floor((hi.y - origin_.y) / cell_)), 0, ny_ - 1);
  if (++query_ == 0) {  // wrapped: reset stamps
    std::fill(stamp_.begin(), stamp_.end(), 0);
    query_ = 1;
  }
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      for (int id : cells_[static_cast<size_t>(y) * nx_ + x]) {
        if (stamp_[id] == query_) continue;
        stamp_[id] = query_;
        out->push_back(id);
      }
    }
  }
}

bool WallIndex::Blocked(Point a, Point b) const {
  const double len = core::Distance(a, b);
  if (len <= kSelfHitM) return false;
  scratch_.clear();
  Query({std::min(a.x, b.x), std::min(a.y, b.y)}, {std::max(a.x, b.x), std::max(a.y, b.y)},
        &scratch_);
  const Point d = (b - a) * (1.0 / len);
  for (int id : scratch_) {
    if (RayHit(a, d, segments_[id]) < len) return true;
  }
  return false;
}

std::vector<Segment> BlockingSegments(const Floor& floor) {
  std::vector<Segment> out;
  for (const auto& w : floor.walls) {
    for (size_t i = 1; i < w.points.size(); ++i) out.push_back({w.points[i - 1], w.points[i]});
  }
  for (const auto& p : floor.pillars) {
    for (size_t i = 0, n = p.polygon.size(), j = n - 1; i < n; j = i++) {
      out.push_back({p.polygon[j], p.polygon[i]});
    }
  }
  return out;
}

double DensityAt(const Camera& cam, double distance_m) {
  const double half = std::min(cam.hfov_deg, 179.0) * kDegToRad / 2;
  // A panoramic (>= 180 degree) lens spreads its pixels over the whole angle.
  const double width =
      cam.hfov_deg < 180 ? 2 * distance_m * std::tan(half) : distance_m * cam.hfov_deg * kDegToRad;
  return width <= 0 ? std::numeric_limits<double>::infinity() : cam.res_w / width;
}

double DensityRange(const Camera& cam, double min_px_per_m) {
  if (min_px_per_m <= 0) return std::numeric_limits<double>::infinity();
  // DensityAt is res / (k d): solve for d.
  return DensityAt(cam, 1.0) / min_px_per_m;
}

double NearBlindDistance(const Camera& cam) {
  const double lower = (cam.tilt_deg + cam.vfov_deg / 2) * kDegToRad;
  if (lower >= M_PI / 2) return 0;
  if (lower <= 0) return std::numeric_limits<double>::infinity();  // never sees the floor
  return cam.height_m / std::tan(lower);
}

CameraView MakeView(const Camera& cam, double min_density_px_per_m) {
  CameraView v;
  v.at = cam.at;
  v.heading_rad = cam.heading_deg * kDegToRad;
  v.full_circle = cam.hfov_deg >= 360;
  v.half_fov_rad = std::min(cam.hfov_deg, 360.0) * kDegToRad / 2;
  v.near_m = NearBlindDistance(cam);
  v.far_m = std::min(cam.range_m, DensityRange(cam, min_density_px_per_m));
  if (v.near_m >= v.far_m) v.far_m = 0;  // nothing usable
  return v;
}

CameraView WithHeading(CameraView v, double heading_deg) {
  v.heading_rad = heading_deg * kDegToRad;
  return v;
}

double RelativeAngle(const CameraView& v, Point dir) {
  return NormalizeAngle(std::atan2(dir.y, dir.x) - v.heading_rad);
}

bool InFieldOfView(const CameraView& v, Point q) {
  if (v.full_circle) return true;
  const Point d = q - v.at;
  if (d.x == 0 && d.y == 0) return false;
  return std::abs(RelativeAngle(v, d)) <= v.half_fov_rad;
}

bool Sees(const CameraView& v, const WallIndex& walls, Point q) {
  const double d = core::Distance(v.at, q);
  if (d > v.far_m || d < v.near_m || !InFieldOfView(v, q)) return false;
  return !walls.Blocked(v.at, q);
}

Polygon VisibilityPolygon(const CameraView& v, const WallIndex& walls) {
  Polygon out;
  if (v.far_m <= 0) return out;
  const double r = v.far_m;
  std::vector<int> cand;
  walls.Query(v.at - Point{r, r}, v.at + Point{r, r}, &cand);
  // Only walls that reach into the range circle can cut the view.
  std::erase_if(cand,
                [&](int id) { return core::DistanceToSegment(v.at, walls.segments()[id]) >= r; });

  const double start = v.full_circle ? v.heading_rad - M_PI : v.heading_rad - v.half_fov_rad;
  const double span = v.full_circle ? 2 * M_PI : 2 * v.half_fov_rad;
  std::vector<double> angles;  // relative to start, in [0, span]
  const int arc_steps = std::max(2, static_cast<int>(std::ceil(span / (kArcStepDeg * kDegToRad))));
  for (int k = 0; k <= arc_steps; ++k) angles.push_back(span * k / arc_steps);
  auto add = [&](double abs_angle) {
    double rel = std::fmod(abs_angle - start, 2 * M_PI);
    if (rel < 0) rel += 2 * M_PI;
    for (double a : {rel - kCornerEpsRad, rel, rel + kCornerEpsRad}) {
      if (a > 0 && a < span) angles.push_back(a);
    }
  };
  for (int id : cand) {
    const Segment& s = walls.segments()[id];
    for (Point e : {s.a, s.b}) {
      if (core::Distance(e, v.at) < r) add(std::atan2(e.y - v.at.y, e.x - v.at.x));
    }
    // Where the wall crosses the range circle, the outline turns from wall to arc.
    const Point d = s.b - s.a, f = s.a - v.at;
    const double a = core::Dot(d, d), b = 2 * core::Dot(f, d), c = core::Dot(f, f) - r * r;
    const double disc = b * b - 4 * a * c;
    if (a > 0 && disc >= 0) {
      for (double t : {(-b - std::sqrt(disc)) / (2 * a), (-b + std::sqrt(disc)) / (2 * a)}) {
        if (t >= 0 && t <= 1) {
          const Point p = s.a + d * t;
          add(std::atan2(p.y - v.at.y, p.x - v.at.x));
        }
      }
    }
  }
  std::sort(angles.begin(), angles.end());
  angles.erase(std::unique(angles.begin(), angles.end(),
                           [](double x, double y) { return std::abs(x - y) < 1e-12; }),
               angles.end());
  if (v.full_circle && !angles.empty() && angles.back() >= span - 1e-12) angles.pop_back();

  if (!v.full_circle) out.push_back(v.at);
  out.reserve(angles.size() + 1);
  for (double rel : angles) {
    const double a = start + rel;
    const Point dir{std::cos(a), std::sin(a)};
    double t = r;
    for (int id : cand) t = std::min(t, RayHit(v.at, dir, walls.segments()[id]));
    out.push_back(v.at + dir * t);
  }
  return out;
}

}  // namespace argus::site
