// Coverage analysis of a site model: which cameras see each opening, asset and
// sensor (and at what pixel density), how much of each floor and area is
// watched, where the blind spots are, and which camera could be turned to cover
// an uncovered opening. Pure: no I/O; the renderers live in report.h.
//
// Rules, in one place:
// - A camera sees a point when it lies in the horizontal field of view, between
//   the near blind distance (height / tan(tilt + vfov/2)) and the usable range
//   (the nearer of the lens range and the distance where the density
//   res_w / (2 d tan(hfov/2)) falls below the minimum), and no wall or pillar
//   crosses the line of sight. A camera sees only its own floor.
// - A camera sees an opening in a wall when at least `min_opening_seen_fraction`
//   of points sampled along it (probed 5 cm out on the camera's side) are seen
//   AND the line of sight to its middle meets the opening's plane at
//   `min_grazing_deg` or more. Seen at a flatter angle, the opening is only a
//   sliver of pixels: it is listed as "grazing" and does not count as covered.
// - An opening's approach is a strip `approach_depth_m` deep in front of it, on
//   the exterior side (the side outside the floor outline) or on both sides; its
//   coverage is the fraction of grid cells in it seen by any camera.
// - Coverage percentages sample a grid of `cell_size_m` cells at their centres.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "site/site_model.h"
#include "site/visibility.h"

namespace argus::site {

// Above this many grid cells on one floor, ask for a coarser cell size.
inline constexpr int64_t kMaxGridCells = 64LL * 1024 * 1024;
// Probes for an opening sit this far in front of it, on the camera's side.
inline constexpr double kOpeningProbeOffsetM = 0.05;
// Spacing of the sample points along an opening.
inline constexpr double kOpeningSampleStepM = 0.25;
// Heading margin kept inside the field of view by "minimal turn" suggestions.
inline constexpr double kSuggestionMarginDeg = 5.0;

// One camera's view of one object.
struct Sighting {
  std::string camera_id;
  double distance_m = 0;
  double density_px_per_m = 0;
  double incidence_deg = 90;  // angle between sight line and the opening plane
  double fraction = 1;        // share of the opening's sample points seen
};

// Turn `camera_id` from `from_deg` to `to_deg` to see the opening.
struct Suggestion {
  std::string camera_id;
  double from_deg = 0;
  double to_deg = 0;
  double density_px_per_m = 0;
  // Objects this camera alone covers today and would lose after turning.
  std::vector<std::string> loses;
};

struct OpeningResult {
  const Opening* opening = nullptr;
  int floor = 0;  // index into Site::floors
  bool exterior = false;
  Priority priority = Priority::kMedium;
  std::vector<Sighting> seen_by;
  std::vector<Sighting> grazing;  // cameras that see it only edge-on
  double approach_fraction = 0;
  std::vector<Polygon> approach;        // the strip(s) the fraction was measured on
  std::vector<Suggestion> suggestions;  // best first; empty when none works
};

struct AssetResult {
  const Asset* asset = nullptr;
  int floor = 0;
  Priority priority = Priority::kMedium;
  std::vector<Sighting> seen_by;
};

struct SensorResult {
  const Sensor* sensor = nullptr;
  int floor = 0;
  Priority priority = Priority::kMedium;
  std::vector<Sighting> seen_by;
};

struct CameraResult {
  const Camera* camera = nullptr;
  int floor = 0;
  CameraView view;
  double density_range_m = 0;  // where density falls to the minimum
  Polygon visible;             // field of view clipped by walls and range
  double covered_m2 = 0;       // grid area it sees
};

struct AreaResult {
  const Area* area = nullptr;
  int floor = 0;
  double area_m2 = 0;
  double covered_m2 = 0;
  double fraction = 0;
};

// Connected unseen cells, as outline rings (even-odd: holes are rings too).
struct BlindSpot {
  int floor = 0;
  std::vector<Polygon> rings;
  double area_m2 = 0;
  Point centroid;
  std::string where;  // id of the area holding the centroid, or "interior"
};

// Per-cell camera count on a floor; cells outside the watched region have mask 0.
struct CoverageGrid {
  Point origin;  // lower-left corner of cell (0, 0)
  double cell = 0;
  int nx = 0;
  int ny = 0;
  std::vector<uint16_t> count;
  std::vector<uint8_t> mask;  // 1: inside the outline or an area, and not a pillar
  Point Center(int i, int j) const {
    return {origin.x + (i + 0.5) * cell, origin.y + (j + 0.5) * cell};
  }
  // Cameras seeing the cell holding p; 0 outside the grid.
  int CountAt(Point p) const;
};

struct FloorResult {
  const Floor* floor = nullptr;
  double area_m2 = 0;  // interior (outline minus pillars)
  double covered_m2 = 0;
  double fraction = 0;
  double redundant_fraction = 0;       // interior seen by at least K cameras
  double blind_m2 = 0;                 // unseen interior and areas, all sizes
  std::vector<BlindSpot> blind_spots;  // those of at least min_blind_spot_m2, largest first
  CoverageGrid grid;
};

enum class FindingKind {
  kOpeningUncovered,
  kAssetUncovered,
  kSensorUnverified,
  kApproachUnwatched,
  kAssetLowRedundancy,
  kBlindSpot,
};
const char* FindingKindName(FindingKind k);

struct Finding {
  FindingKind kind;
  Priority severity = Priority::kMedium;
  bool uncovered = false;  // no camera at all: listed first
  std::string id;          // object id (blind spots: floor id + index)
  int floor = 0;
  std::string message;
  double value = 0;  // asset value: ranks findings of equal severity
};

// Holds pointers into the Site it was computed from: keep the Site alive.
struct CoverageReport {
  const Site* site = nullptr;
  AnalysisSettings settings;
  std::vector<FloorResult> floors;
  std::vector<CameraResult> cameras;
  std::vector<OpeningResult> openings;
  std::vector<AssetResult> assets;
  std::vector<SensorResult> sensors;
  std::vector<AreaResult> areas;
  // Uncovered openings, assets and unverified sensors first (by priority), then the rest.
  std::vector<Finding> findings;
};

// Called with (done, total) work units as the analysis advances.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

Priority OpeningPriority(const Opening& o, int level, bool exterior);
Priority AssetPriority(const Asset& a);

// How one camera sees one opening (the rule in the header comment).
struct OpeningSight {
  bool seen = false;
  bool grazing = false;
  Sighting sighting;
};
OpeningSight SeeOpening(const Camera& cam, const CameraView& view, const WallIndex& walls,
                        const Opening& o, const AnalysisSettings& s);

core::Result<CoverageReport> AnalyzeCoverage(const Site& site, const AnalysisSettings& settings,
                                             const ProgressFn& progress = {});

}  // namespace argus::site
