// The site model: floors, walls, openings, protected assets, intrusion sensors
// and cameras, in metres. Pure data; site_config.h loads it from YAML and
// coverage.h analyses it.
//
// Conventions (shared by every floor, so plans of all floors line up):
//   x to the right (east), y up (north), metres;
//   headings in degrees counter-clockwise from +x (0 = east, 90 = north).
// A camera sees only the floor it is declared on: a camera fixed to the facade at
// the 2nd-floor level belongs to that floor, even when its position lies outside
// the floor's outline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/geometry.h"

namespace argus::site {

using core::Point;
using core::Polygon;

// Analysis defaults. Pixel densities follow IEC 62676-4 (DORI): detect 25 px/m,
// observe 62 px/m, recognise 125 px/m, identify 250 px/m.
inline constexpr double kDetectDensityPxPerM = 25.0;
inline constexpr double kObserveDensityPxPerM = 62.0;
inline constexpr double kDefaultCellSizeM = 0.25;
inline constexpr int kDefaultRedundancyK = 2;
inline constexpr double kDefaultApproachDepthM = 2.0;
// Below this angle between the line of sight and an opening's plane, a camera
// sees the opening edge-on (a sliver of pixels): it does not count as seeing it.
inline constexpr double kDefaultMinGrazingDeg = 15.0;
inline constexpr double kDefaultMinBlindSpotM2 = 1.0;
// An opening's approach strip counts as watched from this covered fraction on.
inline constexpr double kDefaultMinApproachFraction = 0.5;
// A camera sees an opening when at least this fraction of its sample points is visible.
inline constexpr double kDefaultMinOpeningSeenFraction = 0.5;

// Camera defaults when the site file leaves them out.
inline constexpr double kDefaultCameraHeightM = 3.0;
inline constexpr double kDefaultTiltDeg = 30.0;  // downwards from horizontal
inline constexpr double kDefaultRangeM = 50.0;   // lens / IR limit; density usually binds first
inline constexpr int kDefaultResolutionW = 1920;
inline constexpr int kDefaultResolutionH = 1080;

enum class Priority { kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

enum class OpeningType { kWindow, kDoor, kSkylight, kRoofHatch };

enum class SensorType { kDoorContact, kWindowContact, kVibration, kGlassBreak, kMotion };

// Which side of an opening its approach strip lies on. kAuto: the exterior side
// when the floor outline tells which one it is, else both.
enum class ApproachSide { kAuto, kExterior, kInterior, kBoth };

const char* PriorityName(Priority p);
const char* OpeningTypeName(OpeningType t);
const char* SensorTypeName(SensorType t);

// `line` fields hold the 1-based line of the entry in the site file (0 if built in code).

// A polyline that blocks sight (thin; draw gaps where doorways let sight through).
struct Wall {
  std::vector<Point> points;
  int line = 0;
};

// A solid polygon that blocks sight (pillar, stair core, display wall).
struct Pillar {
  Polygon polygon;
  int line = 0;
};

// A named region whose coverage is reported: a room, a facade strip, a street.
struct Area {
  std::string id;
  std::string name;
  std::string kind = "room";  // room | exterior | restricted
  Polygon polygon;
  Priority priority = Priority::kMedium;
  int line = 0;
};

struct Opening {
  std::string id;
  std::string name;
  OpeningType type = OpeningType::kWindow;
  // Two points: an opening in a wall. Three or more: a polygon (skylight, hatch).
  std::vector<Point> shape;
  std::optional<bool> exterior;  // unset: derived from the floor outline
  ApproachSide approach = ApproachSide::kAuto;
  std::optional<Priority> priority;  // unset: derived from type, side and floor level
  int line = 0;
};

struct Asset {
  std::string id;
  std::string name;
  std::string kind = "artwork";  // artwork | display_case | ...
  Point at;
  double value = 0;                  // insured value, any currency; ranks assets of equal priority
  std::optional<Priority> priority;  // unset: derived from value
  int line = 0;
};

struct Sensor {
  std::string id;
  SensorType type = SensorType::kDoorContact;
  Point at;
  std::string opening;  // id of the opening it guards, if any
  std::string asset;    // id of the asset it guards, if any
  int line = 0;
};

struct Camera {
  std::string id;
  std::string config_camera;  // name in the main config's `cameras:` section
  Point at;
  double height_m = kDefaultCameraHeightM;
  double heading_deg = 0;
  double hfov_deg = 90;
  double vfov_deg = 0;  // 0: derived from hfov and the aspect ratio
  double tilt_deg = kDefaultTiltDeg;
  double range_m = kDefaultRangeM;
  int res_w = kDefaultResolutionW;
  int res_h = kDefaultResolutionH;
  int line = 0;
};

// Optional floor-plan image drawn under the model.
struct FloorPlan {
  std::string image_path;  // absolute, or relative to the working directory
  double px_per_m = 0;
  Point origin;  // site coordinates (m) of the image's top-left pixel
};

struct Floor {
  std::string id;
  std::string name;
  int level = 0;    // 0 = ground floor
  Polygon outline;  // the building's footprint on this floor (interior)
  std::optional<FloorPlan> plan;
  std::vector<Wall> walls;
  std::vector<Pillar> pillars;
  std::vector<Area> areas;
  std::vector<Opening> openings;
  std::vector<Asset> assets;
  std::vector<Sensor> sensors;
  std::vector<Camera> cameras;
  int line = 0;
};

// Two cameras a person can walk between without passing a third one: where
// cross-camera hand-off (learn/handoff.h) looks for the person who just left.
inline constexpr double kDefaultMaxTransitS = 60.0;
struct CameraLink {
  std::string a, b;                            // camera ids of the site file
  double max_transit_s = kDefaultMaxTransitS;  // longer walks are never linked
  int line = 0;
};

struct AnalysisSettings {
  double cell_size_m = kDefaultCellSizeM;
  double min_density_px_per_m = kDetectDensityPxPerM;
  int redundancy_k = kDefaultRedundancyK;
  double approach_depth_m = kDefaultApproachDepthM;
  ApproachSide approach_side = ApproachSide::kExterior;  // used for kAuto openings
  double min_grazing_deg = kDefaultMinGrazingDeg;
  double min_blind_spot_m2 = kDefaultMinBlindSpotM2;
  double min_approach_fraction = kDefaultMinApproachFraction;
  double min_opening_seen_fraction = kDefaultMinOpeningSeenFraction;
};

struct Site {
  std::string name;
  std::string source_file;
  AnalysisSettings analysis;
  std::vector<Floor> floors;
  std::vector<CameraLink> adjacency;
};

}  // namespace argus::site
