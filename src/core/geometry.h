// Plain 2-D geometry shared by every pure algorithm (tracker, rules, coverage).
// No OpenCV types: adapters at the edges convert.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace argus::core {

struct Point {
  double x = 0;
  double y = 0;
  friend Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
  friend Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
  friend Point operator*(Point a, double s) { return {a.x * s, a.y * s}; }
  friend bool operator==(Point a, Point b) = default;
};

inline double Dot(Point a, Point b) { return a.x * b.x + a.y * b.y; }
inline double Cross(Point a, Point b) { return a.x * b.y - a.y * b.x; }
inline double Norm(Point a) { return std::hypot(a.x, a.y); }
inline double Distance(Point a, Point b) { return Norm(a - b); }

// Axis-aligned box: top-left corner, width and height (MOTChallenge convention).
struct Box {
  double x = 0;
  double y = 0;
  double w = 0;
  double h = 0;
  double Area() const { return std::max(0.0, w) * std::max(0.0, h); }
  double Right() const { return x + w; }
  double Bottom() const { return y + h; }
  Point Center() const { return {x + w / 2, y + h / 2}; }
  // The point that stands on the ground: what "inside a zone" means.
  Point BottomCenter() const { return {x + w / 2, y + h}; }
  friend bool operator==(const Box&, const Box&) = default;
};

double IoU(const Box& a, const Box& b);
double IntersectionArea(const Box& a, const Box& b);

using Polygon = std::vector<Point>;

// Even-odd rule; points on the boundary count as inside.
bool PointInPolygon(Point p, const Polygon& poly);
// Signed area (positive for counter-clockwise in a y-up frame).
double SignedArea(const Polygon& poly);
double Area(const Polygon& poly);
// Euclidean distance from p to the polygon's boundary; 0 when p is inside.
double DistanceToPolygon(Point p, const Polygon& poly);

struct Segment {
  Point a;
  Point b;
};

double DistanceToSegment(Point p, const Segment& s);
// >0 when p is left of a->b, <0 when right, 0 on the line (in a y-down image frame
// "left" is what a viewer looking from a to b sees on the left as drawn).
double SideOfLine(Point p, const Segment& s);
bool SegmentsIntersect(const Segment& s, const Segment& t);

// Scales relative (0..1) coordinates to pixels.
Point ToPixels(Point rel, double width, double height);
Polygon ToPixels(const Polygon& rel, double width, double height);

}  // namespace argus::core
