// 2-D visibility of one camera on one floor: what it sees is its horizontal
// field of view, cut by walls (angular sweep of rays), by the usable range (the
// nearer of the lens range and the distance where pixel density falls below the
// minimum), and by the near blind zone under the camera (vertical field of view).
#pragma once

#include <cstdint>
#include <vector>

#include "core/geometry.h"
#include "site/site_model.h"

namespace argus::site {

using core::Segment;

// Cell size of the wall index; walls are metres long, rooms a few metres wide.
inline constexpr double kDefaultWallIndexCellM = 4.0;
// Angular step of the range arc in visibility polygons.
inline constexpr double kArcStepDeg = 1.0;

// A uniform grid over the sight-blocking segments of one floor, so that a ray or
// a line of sight only tests the walls near it.
// Thread safety: queries use scratch space; one thread per index.
class WallIndex {
 public:
  explicit WallIndex(std::vector<Segment> segments, double cell_m = kDefaultWallIndexCellM);

  const std::vector<Segment>& segments() const { return segments_; }
  // Appends the ids of segments whose cells meet the box, each once.
  void Query(Point lo, Point hi, std::vector<int>* out) const;
  // True when a wall crosses the segment a->b strictly after leaving a (so a
  // camera mounted on a wall still sees the room) and before b.
  bool Blocked(Point a, Point b) const;

 private:
  std::vector<Segment> segments_;
  double cell_;
  Point origin_;
  int nx_ = 0;
  int ny_ = 0;
  std::vector<std::vector<int>> cells_;
  mutable std::vector<uint32_t> stamp_;
  mutable uint32_t query_ = 0;
  mutable std::vector<int> scratch_;
};

// Walls and pillar outlines of a floor as segments.
std::vector<Segment> BlockingSegments(const Floor& floor);

// Pixels per metre across the image at distance d (horizontal resolution spread
// over the width of the field of view at that distance).
double DensityAt(const Camera& cam, double distance_m);
// Distance at which density drops to `min_px_per_m` (infinity when min is 0).
double DensityRange(const Camera& cam, double min_px_per_m);
// Ground distance from the camera's foot where its image of the floor starts:
// height / tan(tilt + vfov/2); 0 when the lower edge of the view points straight down.
double NearBlindDistance(const Camera& cam);

// The derived geometry of a camera that the analysis needs.
struct CameraView {
  Point at;
  double heading_rad = 0;
  double half_fov_rad = 0;
  bool full_circle = false;
  double near_m = 0;  // near blind zone radius
  double far_m = 0;   // usable range: min(range, density range)
};

CameraView MakeView(const Camera& cam, double min_density_px_per_m);
// The same camera turned to another heading.
CameraView WithHeading(CameraView v, double heading_deg);

// Angle in radians of `dir` relative to the view's heading, in (-pi, pi].
double RelativeAngle(const CameraView& v, Point dir);
bool InFieldOfView(const CameraView& v, Point q);
// In the field of view, between near and far distance, and not behind a wall.
bool Sees(const CameraView& v, const WallIndex& walls, Point q);

// The region the camera sees (ignoring the near blind zone, which callers test
// by distance): a fan from the camera position for a limited field of view, or a
// star-shaped ring for a 360-degree camera. Empty when far_m is 0.
Polygon VisibilityPolygon(const CameraView& v, const WallIndex& walls);

}  // namespace argus::site
