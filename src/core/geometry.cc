#include "core/geometry.h"

#include <limits>

namespace argus::core {

double IntersectionArea(const Box& a, const Box& b) {
  const double w = std::min(a.Right(), b.Right()) - std::max(a.x, b.x);
  const double h = std::min(a.Bottom(), b.Bottom()) - std::max(a.y, b.y);
  return (w <= 0 || h <= 0) ? 0.0 : w * h;
}

double IoU(const Box& a, const Box& b) {
  const double inter = IntersectionArea(a, b);
  const double uni = a.Area() + b.Area() - inter;
  return uni <= 0 ? 0.0 : inter / uni;
}

double DistanceToSegment(Point p, const Segment& s) {
  const Point d = s.b - s.a;
  const double len2 = Dot(d, d);
  if (len2 == 0) return Distance(p, s.a);
  const double t = std::clamp(Dot(p - s.a, d) / len2, 0.0, 1.0);
  return Distance(p, s.a + d * t);
}

bool PointInPolygon(Point p, const Polygon& poly) {
  const size_t n = poly.size();
  if (n < 3) return false;
  bool inside = false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point a = poly[j];
    const Point b = poly[i];
    if (DistanceToSegment(p, {a, b}) < 1e-9) return true;
    if ((b.y > p.y) != (a.y > p.y)) {
      const double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (p.x < x) inside = !inside;
    }
  }
  return inside;
}

double SignedArea(const Polygon& poly) {
  double s = 0;
  for (size_t i = 0, n = poly.size(), j = n - 1; i < n; j = i++) s += Cross(poly[j], poly[i]);
  return s / 2;
}

double Area(const Polygon& poly) { return std::abs(SignedArea(poly)); }

double DistanceToPolygon(Point p, const Polygon& poly) {
  if (PointInPolygon(p, poly)) return 0;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0, n = poly.size(), j = n - 1; i < n; j = i++) {
    best = std::min(best, DistanceToSegment(p, {poly[j], poly[i]}));
  }
  return best;
}

double SideOfLine(Point p, const Segment& s) { return Cross(s.b - s.a, p - s.a); }

bool SegmentsIntersect(const Segment& s, const Segment& t) {
  const double d1 = SideOfLine(t.a, s), d2 = SideOfLine(t.b, s);
  const double d3 = SideOfLine(s.a, t), d4 = SideOfLine(s.b, t);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
    return true;
  }
  auto on = [](const Segment& seg, Point p) { return DistanceToSegment(p, seg) < 1e-12; };
  return on(s, t.a) || on(s, t.b) || on(t, s.a) || on(t, s.b);
}

Point ToPixels(Point rel, double width, double height) { return {rel.x * width, rel.y * height}; }

Polygon ToPixels(const Polygon& rel, double width, double height) {
  Polygon out;
  out.reserve(rel.size());
  for (const Point& p : rel) out.push_back(ToPixels(p, width, height));
  return out;
}

}  // namespace argus::core
