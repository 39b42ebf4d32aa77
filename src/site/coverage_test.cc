#include "site/coverage.h"

#include <gtest/gtest.h>

#include <cmath>

#include "site/visibility.h"

namespace argus::site {
namespace {

// A 20 x 10 m room (y up), ground floor, no walls yet.
Floor Room() {
  Floor f;
  f.id = "g";
  f.name = "Ground";
  f.outline = {{0, 0}, {20, 0}, {20, 10}, {0, 10}};
  return f;
}

// A camera that sees the floor right below it (tilt 90) at any density, so a
// test controls one thing at a time.
Camera Cam(const std::string& id, Point at, double heading, double hfov = 90) {
  Camera c;
  c.id = id;
  c.at = at;
  c.heading_deg = heading;
  c.hfov_deg = hfov;
  c.vfov_deg = 60;
  c.tilt_deg = 90;
  c.range_m = 100;
  return c;
}

Asset AssetAt(const std::string& id, Point at) {
  Asset a;
  a.id = id;
  a.at = at;
  return a;
}

AnalysisSettings NoDensity() {
  AnalysisSettings s;
  s.min_density_px_per_m = 0;
  return s;
}

CoverageReport Analyze(const Site& site, const AnalysisSettings& s) {
  auto r = AnalyzeCoverage(site, s);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

const AssetResult& AssetNamed(const CoverageReport& r, const std::string& id) {
  for (const auto& a : r.assets) {
    if (a.asset->id == id) return a;
  }
  ADD_FAILURE() << "no asset " << id;
  return r.assets.front();
}

TEST(VisibilityTest, WallHidesWhatIsBehindIt) {
  Site site;
  Floor f = Room();
  f.walls.push_back({{{8, 3}, {8, 7}}});
  f.cameras.push_back(Cam("c1", {2, 5}, 0));
  f.assets.push_back(AssetAt("behind", {12, 5}));
  f.assets.push_back(AssetAt("before", {6, 5}));
  f.assets.push_back(AssetAt("beside", {12, 9.5}));  // line of sight passes the wall's end
  site.floors.push_back(f);
  const CoverageReport r = Analyze(site, NoDensity());
  EXPECT_TRUE(AssetNamed(r, "behind").seen_by.empty());
  ASSERT_EQ(AssetNamed(r, "before").seen_by.size(), 1u);
  EXPECT_EQ(AssetNamed(r, "before").seen_by[0].camera_id, "c1");
  EXPECT_EQ(AssetNamed(r, "beside").seen_by.size(), 1u);
  // The visibility polygon leaves the shadow out too.
  EXPECT_FALSE(core::PointInPolygon({12, 5}, r.cameras[0].visible));
  EXPECT_TRUE(core::PointInPolygon({6, 5}, r.cameras[0].visible));
  // The uncovered asset is listed as the first finding.
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].kind, FindingKind::kAssetUncovered);
  EXPECT_EQ(r.findings[0].id, "behind");
}

TEST(VisibilityTest, CameraFacingAwaySeesNothingBehind) {
  Site site;
  Floor f = Room();
  f.cameras.push_back(Cam("c1", {10, 5}, 180));
  f.assets.push_back(AssetAt("east", {15, 5}));
  f.assets.push_back(AssetAt("west", {5, 5}));
  site.floors.push_back(f);
  const CoverageReport r = Analyze(site, NoDensity());
  EXPECT_TRUE(AssetNamed(r, "east").seen_by.empty());
  EXPECT_EQ(AssetNamed(r, "west").seen_by.size(), 1u);
}

TEST(VisibilityTest, RangeLimit) {
  Site site;
  Floor f = Room();
  Camera c = Cam("c1", {1, 5}, 0);
  c.range_m = 10;
  f.cameras.push_back(c);
  f.assets.push_back(AssetAt("near", {9, 5}));
  f.assets.push_back(AssetAt("far", {13, 5}));
  site.floors.push_back(f);
  const CoverageReport r = Analyze(site, NoDensity());
  EXPECT_EQ(AssetNamed(r, "near").seen_by.size(), 1u);
  EXPECT_TRUE(AssetNamed(r, "far").seen_by.empty());
  for (const Point& p : r.cameras[0].visible) EXPECT_LE(core::Distance(p, {1, 5}), 10 + 1e-9);
}

TEST(VisibilityTest, PixelDensityLimit) {
  Camera c = Cam("c1", {0, 5}, 0);
  c.res_w = 1920;  // 90 deg: density = 1920 / (2 d tan 45) = 960 / d
  EXPECT_NEAR(DensityAt(c, 10), 96, 1e-9);
  EXPECT_NEAR(DensityRange(c, 25), 38.4, 1e-9);
  Site site;
  Floor f = Room();
  f.outline = {{0, 0}, {60, 0}, {60, 10}, {0, 10}};
  f.cameras.push_back(c);
  f.assets.push_back(AssetAt("sharp", {30, 5}));    // 32 px/m
  f.assets.push_back(AssetAt("blurred", {45, 5}));  // 21 px/m
  site.floors.push_back(f);
  AnalysisSettings s;
  s.min_density_px_per_m = 25;
  CoverageReport r = Analyze(site, s);
  ASSERT_EQ(AssetNamed(r, "sharp").seen_by.size(), 1u);
  EXPECT_NEAR(AssetNamed(r, "sharp").seen_by[0].density_px_per_m, 32, 1e-9);
  EXPECT_TRUE(AssetNamed(r, "blurred").seen_by.empty());
  // A stricter level (observe) loses the sharper one too.
  s.min_density_px_per_m = kObserveDensityPxPerM;
  r = Analyze(site, s);
  EXPECT_TRUE(AssetNamed(r, "sharp").seen_by.empty());
}

TEST(VisibilityTest, NearBlindZoneUnderTheCamera) {
  Camera c = Cam("c1", {1, 5}, 0);
  c.height_m = 3;
  c.tilt_deg = 30;
  c.vfov_deg = 40;  // lower edge 50 deg below horizontal: floor seen from 3/tan(50) = 2.52 m
  EXPECT_NEAR(NearBlindDistance(c), 3 / std::tan(50 * M_PI / 180), 1e-9);
  Site site;
  Floor f = Room();
  f.cameras.push_back(c);
  f.assets.push_back(AssetAt("under", {3, 5}));
  f.assets.push_back(AssetAt("ahead", {5, 5}));
  site.floors.push_back(f);
  const CoverageReport r = Analyze(site, NoDensity());
  EXPECT_TRUE(AssetNamed(r, "under").seen_by.empty());
  EXPECT_EQ(AssetNamed(r, "ahead").seen_by.size(), 1u);
  // The grid does not count the blind zone either.
  EXPECT_EQ(r.floors[0].grid.CountAt({2, 5}), 0);
  EXPECT_EQ(r.floors[0].grid.CountAt({5, 5}), 1);
}

TEST(VisibilityTest, WallIndexMatchesBruteForce) {
  std::vector<Segment> segs;
  for (int k = 0; k < 200; ++k) {
    const double x = (k * 37) % 97, y = (k * 53) % 89;
    segs.push_back({{x, y}, {x + ((k % 7) - 3) * 1.7, y + ((k % 5) - 2) * 2.3 + 0.1}});
  }
  const WallIndex index(segs, 3.0);
  for (int q = 0; q < 300; ++q) {
    const Point a{static_cast<double>((q * 13) % 97), static_cast<double>((q * 29) % 89)};
    const Point b{static_cast<double>((q * 71) % 97), static_cast<double>((q * 31) % 89)};
    bool brute = false;
    for (const auto& s : segs) {
      const WallIndex one({s});
      brute = brute || one.Blocked(a, b);
    }
    EXPECT_EQ(index.Blocked(a, b), brute) << q;
  }
}

// A long wall along y = 0 with a 2 m window in it; the room lies at y > 0.
Site FacadeSite() {
  Site site;
  Floor f = Room();
  f.level = 2;
  f.walls.push_back({{{0, 0}, {20, 0}}});
  Opening w;
  w.id = "win";
  w.type = OpeningType::kWindow;
  w.shape = {{10, 0}, {12, 0}};
  f.openings.push_back(w);
  site.floors.push_back(f);
  return site;
}

TEST(OpeningTest, GrazingViewDoesNotCount) {
  Site site = FacadeSite();
  // Looking along the wall from 0.5 m away: the window is 2.6 deg off the line of sight.
  site.floors[0].cameras.push_back(Cam("along", {0, 0.5}, 0));
  CoverageReport r = Analyze(site, NoDensity());
  ASSERT_EQ(r.openings.size(), 1u);
  EXPECT_TRUE(r.openings[0].seen_by.empty());
  ASSERT_EQ(r.openings[0].grazing.size(), 1u);
  EXPECT_EQ(r.openings[0].grazing[0].camera_id, "along");
  EXPECT_LT(r.openings[0].grazing[0].incidence_deg, kDefaultMinGrazingDeg);
  EXPECT_EQ(r.openings[0].priority, Priority::kCritical);  // exterior window, level 2
  EXPECT_TRUE(r.openings[0].exterior);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].id, "win");
  EXPECT_NE(r.findings[0].message.find("edge-on"), std::string::npos);
  // With the rule relaxed to 1 degree the same camera counts.
  AnalysisSettings s = NoDensity();
  s.min_grazing_deg = 1;
  r = Analyze(site, s);
  EXPECT_EQ(r.openings[0].seen_by.size(), 1u);
}

TEST(OpeningTest, SquareViewCountsAndApproachOutside) {
  Site site = FacadeSite();
  site.floors[0].cameras.push_back(Cam("inside", {11, 6}, -90));
  CoverageReport r = Analyze(site, NoDensity());
  ASSERT_EQ(r.openings[0].seen_by.size(), 1u);
  EXPECT_NEAR(r.openings[0].seen_by[0].incidence_deg, 90, 1e-6);
  // The approach strip is outside (y < 0), which the inside camera cannot see
  // through the wall.
  ASSERT_EQ(r.openings[0].approach.size(), 1u);
  for (const Point& p : r.openings[0].approach[0]) EXPECT_LE(p.y, 1e-9);
  EXPECT_EQ(r.openings[0].approach_fraction, 0);
  bool approach_finding = false;
  for (const auto& f : r.findings) approach_finding |= f.kind == FindingKind::kApproachUnwatched;
  EXPECT_TRUE(approach_finding);

  // A facade camera outside, on the same floor level, watches the strip.
  site.floors[0].cameras.push_back(Cam("facade", {4, -6}, 30));
  r = Analyze(site, NoDensity());
  EXPECT_EQ(r.openings[0].seen_by.size(), 2u);
  EXPECT_GT(r.openings[0].approach_fraction, 0.9);
}

TEST(RedundancyTest, AssetsSeenByFewerThanKCameras) {
  Site site;
  Floor f = Room();
  f.cameras.push_back(Cam("c1", {1, 5}, 0));
  Asset a = AssetAt("crown", {10, 5});
  a.value = 5e6;
  f.assets.push_back(a);
  site.floors.push_back(f);
  AnalysisSettings s = NoDensity();
  s.min_blind_spot_m2 = 1e9;  // only redundancy findings here
  s.redundancy_k = 2;
  CoverageReport r = Analyze(site, s);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].kind, FindingKind::kAssetLowRedundancy);
  EXPECT_EQ(r.findings[0].id, "crown");
  EXPECT_EQ(r.findings[0].severity, Priority::kHigh);  // one below critical: it is seen
  EXPECT_FALSE(r.findings[0].uncovered);

  site.floors[0].cameras.push_back(Cam("c2", {19, 5}, 180));
  r = Analyze(site, s);
  EXPECT_EQ(AssetNamed(r, "crown").seen_by.size(), 2u);
  EXPECT_TRUE(r.findings.empty());
  s.redundancy_k = 3;
  r = Analyze(site, s);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].kind, FindingKind::kAssetLowRedundancy);
}

TEST(SuggestionTest, TurnsTheCameraThatCanSeeTheOpening) {
  Site site = FacadeSite();
  Floor& f = site.floors[0];
  // Looks east; the window (10..12, 0) is south of it, at relative -90..-68 deg.
  f.cameras.push_back(Cam("turnable", {10, 5}, 0));
  // Would see it by turning, but a wall stands between them.
  f.walls.push_back({{{3, 0.5}, {3, 9}}, 0});
  f.cameras.push_back(Cam("walled", {1, 3}, 90));
  // Too far for its range.
  Camera far = Cam("far", {19, 9.5}, 180);
  far.range_m = 5;
  f.cameras.push_back(far);
  CoverageReport r = Analyze(site, NoDensity());
  const OpeningResult& o = r.openings[0];
  ASSERT_TRUE(o.seen_by.empty());
  ASSERT_EQ(o.suggestions.size(), 1u);
  const Suggestion& sg = o.suggestions[0];
  EXPECT_EQ(sg.camera_id, "turnable");
  EXPECT_EQ(sg.from_deg, 0);
  // The smallest turn keeping the window 5 deg inside the 45 deg half-field:
  // the window's far edge (10, 0), at -90 deg, must come to -40 deg: heading -50.
  EXPECT_NEAR(sg.to_deg, 310, 1e-6);
  // Verify independently: turned that way the camera sees the window squarely.
  Camera turned = f.cameras[0];
  turned.heading_deg = sg.to_deg;
  const WallIndex walls(BlockingSegments(f));
  EXPECT_TRUE(SeeOpening(turned, MakeView(turned, 0), walls, f.openings[0], NoDensity()).seen);
  EXPECT_NE(r.findings[0].message.find("turn turnable"), std::string::npos);
}

TEST(SuggestionTest, ReportsWhatTheTurnWouldUncover) {
  Site site = FacadeSite();
  Floor& f = site.floors[0];
  f.cameras.push_back(Cam("only", {11, 5}, 90));
  f.assets.push_back(AssetAt("north", {11, 9}));
  const CoverageReport r = Analyze(site, NoDensity());
  ASSERT_FALSE(r.openings[0].suggestions.empty());
  EXPECT_EQ(r.openings[0].suggestions[0].loses, std::vector<std::string>{"north"});
}

TEST(CoverageTest, FloorFractionAndBlindSpotOutline) {
  Site site;
  Floor f = Room();
  f.outline = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  f.walls.push_back({{{5, 0}, {5, 10}}});  // splits the room in two halves
  f.cameras.push_back(Cam("dome", {2.5, 5}, 0, 360));
  site.floors.push_back(f);
  AnalysisSettings s = NoDensity();
  s.cell_size_m = 0.25;
  const CoverageReport r = Analyze(site, s);
  const FloorResult& fr = r.floors[0];
  EXPECT_NEAR(fr.area_m2, 100, 1e-9);
  EXPECT_NEAR(fr.fraction, 0.5, 0.01);
  ASSERT_EQ(fr.blind_spots.size(), 1u);
  const BlindSpot& b = fr.blind_spots[0];
  EXPECT_NEAR(b.area_m2, 50, 0.5);
  EXPECT_NEAR(b.centroid.x, 7.5, 0.1);
  EXPECT_NEAR(b.centroid.y, 5, 0.1);
  ASSERT_EQ(b.rings.size(), 1u);
  EXPECT_EQ(b.rings[0].size(), 4u);  // a rectangle: corners only
  EXPECT_NEAR(core::Area(b.rings[0]), b.area_m2, 1e-6);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].kind, FindingKind::kBlindSpot);
}

TEST(CoverageTest, BlindSpotWithHoleAndAreaCoverage) {
  Site site;
  Floor f = Room();
  f.outline = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  Area street;
  street.id = "street";
  street.kind = "exterior";
  street.polygon = {{0, -6}, {10, -6}, {10, -1}, {0, -1}};
  f.areas.push_back(street);
  // A dome in the middle sees a 2 m disc: the room's blind region has a hole.
  Camera dome = Cam("dome", {5, 5}, 0, 360);
  dome.range_m = 2;
  f.cameras.push_back(dome);
  site.floors.push_back(f);
  const CoverageReport r = Analyze(site, NoDensity());
  ASSERT_EQ(r.areas.size(), 1u);
  EXPECT_EQ(r.areas[0].fraction, 0);
  EXPECT_NEAR(r.areas[0].area_m2, 50, 1e-6);
  const FloorResult& fr = r.floors[0];
  EXPECT_NEAR(fr.fraction, M_PI * 4 / 100, 0.01);
  ASSERT_EQ(fr.blind_spots.size(), 2u);
  EXPECT_EQ(fr.blind_spots[0].where, "interior");
  EXPECT_EQ(fr.blind_spots[0].rings.size(), 2u);  // outer square and the seen disc
  EXPECT_EQ(fr.blind_spots[1].where, "street");
}

TEST(CoverageTest, SensorWithoutCameraIsListedWithItsOpeningsPriority) {
  Site site = FacadeSite();
  Sensor s;
  s.id = "contact";
  s.type = SensorType::kWindowContact;
  s.at = {11, 0.1};
  s.opening = "win";
  site.floors[0].sensors.push_back(s);
  const CoverageReport r = Analyze(site, NoDensity());
  ASSERT_EQ(r.sensors.size(), 1u);
  EXPECT_EQ(r.sensors[0].priority, Priority::kCritical);
  ASSERT_GE(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].id, "win");  // openings before sensors at equal severity
  EXPECT_EQ(r.findings[1].id, "contact");
  EXPECT_EQ(r.findings[1].kind, FindingKind::kSensorUnverified);
  EXPECT_NE(r.findings[0].message.find("window_contact contact"), std::string::npos);
}

TEST(CoverageTest, OpeningPriorityRule) {
  Opening w;
  w.type = OpeningType::kWindow;
  EXPECT_EQ(OpeningPriority(w, 2, true), Priority::kCritical);
  EXPECT_EQ(OpeningPriority(w, 0, true), Priority::kHigh);
  EXPECT_EQ(OpeningPriority(w, 2, false), Priority::kMedium);
  Opening d;
  d.type = OpeningType::kDoor;
  EXPECT_EQ(OpeningPriority(d, 1, true), Priority::kHigh);
  d.priority = Priority::kLow;
  EXPECT_EQ(OpeningPriority(d, 1, true), Priority::kLow);
}

}  // namespace
}  // namespace argus::site
