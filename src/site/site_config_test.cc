#include "site/site_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace argus::site {
namespace {

constexpr const char* kMinimal = R"(site:
  name: Test wing
floors:
  - id: f0
    level: 0
    outline: [[0, 0], [10, 0], [10, 8], [0, 8]]
    walls:
      - [[0, 0], [10, 0], [10, 8]]
    pillars:
      - [[4, 4], [5, 4], [5, 5], [4, 5]]
    openings:
      - {id: w1, type: window, at: [[2, 0], [4, 0]]}
    assets:
      - {id: a1, at: [5, 6], value: 2000000}
    sensors:
      - {id: s1, type: window_contact, at: [3, 0.1], opening: w1}
    cameras:
      - {id: c1, camera: lobby, at: [1, 7], heading: -45, hfov: 90, resolution: [1280, 720]}
)";

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find('\n', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

TEST(SiteConfigTest, LoadsMinimalSite) {
  auto r = LoadSiteYaml(kMinimal, "site.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Site& s = *r;
  EXPECT_EQ(s.name, "Test wing");
  ASSERT_EQ(s.floors.size(), 1u);
  const Floor& f = s.floors[0];
  EXPECT_EQ(f.name, "f0");  // defaults to the id
  ASSERT_EQ(f.walls.size(), 1u);
  EXPECT_EQ(f.walls[0].points.size(), 3u);
  EXPECT_EQ(f.walls[0].line, 8);
  ASSERT_EQ(f.openings.size(), 1u);
  EXPECT_EQ(f.openings[0].shape[1], (Point{4, 0}));
  EXPECT_EQ(f.sensors[0].opening, "w1");
  const Camera& c = f.cameras[0];
  EXPECT_EQ(c.config_camera, "lobby");
  EXPECT_EQ(c.heading_deg, -45);
  EXPECT_EQ(c.height_m, kDefaultCameraHeightM);
  EXPECT_EQ(c.tilt_deg, kDefaultTiltDeg);
  EXPECT_EQ(c.res_w, 1280);
  // vfov from the 16:9 aspect: 2 atan(tan(45) * 720 / 1280) = 58.7 deg.
  EXPECT_NEAR(c.vfov_deg, 58.7155, 1e-3);
  EXPECT_EQ(s.analysis.min_density_px_per_m, kDetectDensityPxPerM);
}

TEST(SiteConfigTest, DegeneratePolygonsAreClearErrors) {
  const std::string yaml = R"(floors:
  - id: f0
    level: 0
    outline: [[0, 0], [10, 0]]
    pillars:
      - [[1, 1], [2, 2], [3, 3]]
      - [[1, 1], [2, 2], [2, 1], [1, 2]]
    walls:
      - [[1, 1]]
      - [[2, 2], [2, 2]]
)";
  auto r = LoadSiteYaml(yaml, "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  const auto lines = Lines(r.status().message());
  ASSERT_EQ(lines.size(), 5u) << r.status().message();
  EXPECT_EQ(lines[0],
            "bad.yaml:4: floors[0].outline: degenerate polygon: 2 point(s), need at least 3");
  EXPECT_EQ(lines[1],
            "bad.yaml:6: floors[0].pillars[0]: degenerate polygon: zero area (collinear or "
            "repeated points)");
  // A bowtie: not "collinear", its edges cross.
  EXPECT_EQ(lines[2],
            "bad.yaml:7: floors[0].pillars[1]: polygon edges cross each other (point 0->1 and "
            "point 2->3); list the points in order around the area");
  EXPECT_EQ(lines[3],
            "bad.yaml:9: floors[0].walls[0]: degenerate wall: 1 point(s), need at least 2");
  EXPECT_EQ(lines[4],
            "bad.yaml:10: floors[0].walls[1]: degenerate wall: segment 0 has zero length");
}

TEST(SiteConfigTest, CollectsAllErrorsWithLines) {
  const std::string yaml = R"(floors:
  - id: f0
    level: 0
    outline: [[0, 0], [10, 0], [10, 8], [0, 8]]
    colour: red
    cameras:
      - id: c1
        at: [1, 1]
        heading: 0
        hfov: wide
      - id: c1
        at: [1]
        heading: 10
        hfov: 400
    sensors:
      - {id: s1, type: smoke, at: [1, 1], opening: nowhere}
)";
  auto r = LoadSiteYaml(yaml, "bad.yaml");
  ASSERT_FALSE(r.ok());
  const auto lines = Lines(r.status().message());
  const std::vector<std::string> expected = {
      "bad.yaml:5: floors[0].colour: unknown key (allowed: id, name, level, outline, plan, "
      "walls, pillars, areas, openings, assets, sensors, cameras)",
      "bad.yaml:10: floors[0].cameras[0].hfov: expected a number, got 'wide'",
      "bad.yaml:11: floors[0].cameras[1].id: duplicate id 'c1' (first used on line 7)",
      "bad.yaml:12: floors[0].cameras[1].at: expected a point [x, y] in metres",
      "bad.yaml:14: floors[0].cameras[1].hfov: must be in (0, 360], got 400",
      "bad.yaml:16: floors[0].sensors[0].type: unknown value 'smoke' (allowed: door_contact, "
      "window_contact, vibration, glass_break, motion)",
      "bad.yaml:16: floors[0].sensors[0].opening: unknown id 'nowhere'",
  };
  EXPECT_EQ(lines, expected) << r.status().message();
}

TEST(SiteConfigTest, MissingFieldsAndBadYaml) {
  auto r = LoadSiteYaml("floors:\n  - id: f0\n", "m.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("m.yaml:2: floors[0].level: missing required field"),
            std::string::npos);
  EXPECT_NE(r.status().message().find("m.yaml:2: floors[0].outline: missing required field"),
            std::string::npos);
  r = LoadSiteYaml("floors: [\n", "y.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("y.yaml:", 0), 0u) << r.status().message();
  r = LoadSiteFile("/nonexistent/site.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(SiteConfigTest, PlanImageResolvedAgainstTheSiteFile) {
  const auto dir = std::filesystem::temp_directory_path() / "argus_site_config_test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "plan.png") << "\x89PNG"; }
  const std::string yaml = R"(floors:
  - id: f0
    level: 0
    outline: [[0, 0], [10, 0], [10, 8], [0, 8]]
    plan: {image: plan.png, px_per_m: 20, origin: [0, 8]}
  - id: f1
    level: 1
    outline: [[0, 0], [10, 0], [10, 8], [0, 8]]
    plan: {image: missing.png, px_per_m: 20}
)";
  auto r = LoadSiteYaml(yaml, (dir / "site.yaml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            (dir / "site.yaml").string() +
                ":9: floors[1].plan.image: file not found: " + (dir / "missing.png").string());
  std::filesystem::remove_all(dir);
}

TEST(SiteConfigTest, CameraAdjacency) {
  const std::string ok =
      std::string(kMinimal) + R"(      - {id: c2, at: [9, 7], heading: -135, hfov: 90}
adjacency:
  - {cameras: [c1, c2], max_transit_s: 25}
)";
  auto r = LoadSiteYaml(ok, "site.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->adjacency.size(), 1u);
  EXPECT_EQ(r->adjacency[0].a, "c1");
  EXPECT_EQ(r->adjacency[0].b, "c2");
  EXPECT_EQ(r->adjacency[0].max_transit_s, 25);
  EXPECT_EQ(r->adjacency[0].line, 21);

  const std::string bad =
      std::string(kMinimal) + R"(      - {id: c2, at: [9, 7], heading: -135, hfov: 90}
adjacency:
  - {cameras: [c1, a1]}
  - {cameras: [c2, c2]}
  - {cameras: [c2, c1], max_transit_s: 0}
  - {cameras: [c1, c2], max_transit_s: 20}
  - {cameras: [c1]}
  - {between: [c1, c2]}
)";
  r = LoadSiteYaml(bad, "bad.yaml");
  ASSERT_FALSE(r.ok());
  const std::vector<std::string> expected = {
      "bad.yaml:21: adjacency[0].cameras: unknown camera id 'a1'",
      "bad.yaml:22: adjacency[1].cameras: a camera is not adjacent to itself ('c2')",
      "bad.yaml:23: adjacency[2].max_transit_s: must be in (0, 86400], got 0",
      "bad.yaml:24: adjacency[3].cameras: cameras c1 and c2 are already adjacent (line 23)",
      "bad.yaml:25: adjacency[4].cameras: expected two camera ids [A, B]",
      "bad.yaml:26: adjacency[5].cameras: missing required field",
      "bad.yaml:26: adjacency[5].between: unknown key (allowed: max_transit_s, cameras)",
  };
  EXPECT_EQ(Lines(r.status().message()), expected) << r.status().message();
}

TEST(SiteConfigTest, MuseumExampleLoads) {
  auto r = LoadSiteFile(std::string(ARGUS_SOURCE_DIR) + "/config/museum_site.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GE(r->floors.size(), 2u);
  EXPECT_FALSE(r->adjacency.empty());
}

}  // namespace
}  // namespace argus::site
