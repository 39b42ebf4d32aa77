// Rules on real video: `argus analyze` with a tripwire across the PETS09-S2L1
// walkway and a zone on its lawn must count about what the ground-truth
// trajectories give for the same line and zone. The expected numbers are not
// written here: they come from gt.txt through rules::CountGtCrossings /
// CountGtZoneEntries (the rules' own tripwire and zone logic on gt boxes).
//
// The builtin detector (MOTA ~0.53 on this video) misses some crossings: in
// the first 60 frames a group walking up through the line is detected only
// once above it, one walker is undetected for 3.7 s along the line, and one
// crosses in the last frames. Measured (RelWithDebInfo): gt 7 a->b, 11 b->a, 18
// zone entries; builtin 5, 8, 19; yolox_nano 7, 10, 19 (bench/rules_counts.sh).
// The tolerances below are that error plus a margin; double counting from
// identity switches, swapped directions or split incidents would exceed them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/ground_truth.h"
#include "rules/line_crossing.h"
#include "tests/cli_support.h"

namespace argus::testing {
namespace {

// vtest.avi is PETS09-S2L1 view 1, frame-aligned with its gt.txt.
constexpr int kWidth = 768;
constexpr int kHeight = 576;
// A tripwire across the walkway (side A above it) and a rectangle on the lawn.
constexpr core::Point kLineA{0.05, 0.6};
constexpr core::Point kLineB{0.95, 0.6};
constexpr double kLawnX0 = 0.0, kLawnY0 = 0.3, kLawnX1 = 0.45, kLawnY1 = 0.65;

// Allowed |argus - gt|: the larger of an absolute and a relative bound.
constexpr int kCrossingSlack = 3;
constexpr double kCrossingFraction = 0.40;  // measured: 2/7 and 3/11 missed
constexpr int kEntrySlack = 2;
constexpr double kEntryFraction = 0.25;  // measured: 1/18 extra

std::string SharedDir() {
  if (const char* d = std::getenv("ARGUS_SHARED_DIR")) return d;
  return std::string(ARGUS_SOURCE_DIR) + "/../shared";
}

std::vector<rules::GtBox> ReadGt(const std::string& path) {
  std::istringstream in(ReadFile(path));
  std::vector<rules::GtBox> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    rules::GtBox r;
    ss >> r.frame >> r.id >> r.box.x >> r.box.y >> r.box.w >> r.box.h;
    if (ss) rows.push_back(r);
  }
  return rows;
}

double Tolerance(int64_t expected, int slack, double fraction) {
  return std::max<double>(slack, fraction * static_cast<double>(expected));
}

// The config as a user would write it. With cooldown_s 0 an intrusion start
// is an entry only because a track missed for a few frames keeps its incident
// open (an occlusion must not count as leaving and re-entering).
std::string Config() {
  std::ostringstream c;
  c << "detector:\n  classes: [person]\n"
    << "cameras:\n  - name: pets\n    source: " << kVtest << "\n    detect_fps: 0\n"
    << "    zones:\n      - name: lawn\n        polygon: [[" << kLawnX0 << ", " << kLawnY0 << "], ["
    << kLawnX1 << ", " << kLawnY0 << "], [" << kLawnX1 << ", " << kLawnY1 << "], [" << kLawnX0
    << ", " << kLawnY1 << "]]\n"
    << "    lines:\n      - name: walkway\n        a: [" << kLineA.x << ", " << kLineA.y
    << "]\n        b: [" << kLineB.x << ", " << kLineB.y << "]\n"
    << "    rules:\n"
    << "      - name: walkway-count\n        kind: line_crossing\n        line: walkway\n"
    << "        direction: any\n        labels: [person]\n        cooldown_s: 0\n"
    << "      - name: lawn-entry\n        kind: intrusion\n        zone: lawn\n"
    << "        labels: [person]\n        cooldown_s: 0\n";
  return c.str();
}

TEST(RulesVtest, LineAndZoneCountsMatchGroundTruth) {
  if (!std::filesystem::exists(kVtest)) {
    GTEST_SKIP() << kVtest << " is missing: install Debian's opencv-doc package";
  }
  const std::string gt_path = SharedDir() + "/data/mot15/PETS09-S2L1/gt/gt.txt";
  if (!std::filesystem::exists(gt_path)) {
    GTEST_SKIP() << "no PETS09-S2L1 ground truth at " << gt_path << " (set ARGUS_SHARED_DIR)";
  }

  const std::vector<rules::GtBox> gt = ReadGt(gt_path);
  ASSERT_FALSE(gt.empty()) << gt_path;
  const int inertia = config::kDefaultZoneInertiaFrames;
  const rules::LineCounts want_line = rules::CountGtCrossings(
      gt, kLineA, kLineB, rules::kLineDefaultBand, inertia, kWidth, kHeight);
  const core::Polygon lawn = {
      {kLawnX0, kLawnY0}, {kLawnX1, kLawnY0}, {kLawnX1, kLawnY1}, {kLawnX0, kLawnY1}};
  const int want_entries = rules::CountGtZoneEntries(gt, lawn, inertia, kWidth, kHeight);
  // The line and zone were drawn where people walk both ways: a test that
  // expects zeros could not tell a dead rule from a working one.
  ASSERT_GE(want_line.a_to_b, 4);
  ASSERT_GE(want_line.b_to_a, 4);
  ASSERT_GE(want_entries, 8);

  const auto dir = TempDir("rules_vtest");
  std::ofstream(dir / "site.yaml") << Config();
  const auto r = RunArgus(std::string("analyze ") + kVtest + " --config " +
                          (dir / "site.yaml").string() + " --events " + (dir / "e.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("768x576"), std::string::npos) << r.output;

  // Tally the events: every crossing is a start or update of the line rule
  // with details.direction; every entry starts an intrusion incident.
  const double line_y = kLineA.y * kHeight;
  const double band_px = rules::kLineDefaultBand * std::hypot(kWidth, kHeight);
  int64_t a_to_b = 0, b_to_a = 0, entries = 0;
  nlohmann::json last_counts;
  std::istringstream events(ReadFile(dir / "e.jsonl"));
  std::string line;
  while (std::getline(events, line)) {
    const auto e = nlohmann::json::parse(line);
    const auto& bbox = e["bbox"];
    const double foot_x = bbox[0].get<double>() + bbox[2].get<double>() / 2;
    const double foot_y = bbox[1].get<double>() + bbox[3].get<double>();
    if (e["rule"] == "walkway-count" && e["phase"] != "end") {
      ASSERT_EQ(e["type"], "line_crossing") << line;
      const std::string direction = e["details"]["direction"];
      // A crossing is confirmed once the feet are clearly past the line; the
      // line is horizontal, so side B (right of a->b) is below it.
      if (direction == "a_to_b") {
        ++a_to_b;
        EXPECT_GT(foot_y, line_y + band_px) << line;
      } else {
        ASSERT_EQ(direction, "b_to_a") << line;
        ++b_to_a;
        EXPECT_LT(foot_y, line_y - band_px) << line;
      }
      last_counts = e["details"]["counts"];
    } else if (e["rule"] == "lawn-entry" && e["phase"] == "start") {
      ASSERT_EQ(e["type"], "intrusion") << line;
      ++entries;
      EXPECT_GE(foot_x, kLawnX0 * kWidth - 1) << line;
      EXPECT_LE(foot_x, kLawnX1 * kWidth + 1) << line;
      EXPECT_GE(foot_y, kLawnY0 * kHeight - 1) << line;
      EXPECT_LE(foot_y, kLawnY1 * kHeight + 1) << line;
    }
  }
  // With direction any, every crossing is an event, so the rule's running
  // counts end equal to the tally.
  ASSERT_FALSE(last_counts.is_null()) << "no line_crossing event at all";
  EXPECT_EQ(last_counts["a_to_b"], a_to_b);
  EXPECT_EQ(last_counts["b_to_a"], b_to_a);

  const std::string report = "argus a->b " + std::to_string(a_to_b) + ", b->a " +
                             std::to_string(b_to_a) + ", entries " + std::to_string(entries) +
                             "; gt " + std::to_string(want_line.a_to_b) + ", " +
                             std::to_string(want_line.b_to_a) + ", " + std::to_string(want_entries);
  EXPECT_LE(std::abs(a_to_b - want_line.a_to_b),
            Tolerance(want_line.a_to_b, kCrossingSlack, kCrossingFraction))
      << report;
  EXPECT_LE(std::abs(b_to_a - want_line.b_to_a),
            Tolerance(want_line.b_to_a, kCrossingSlack, kCrossingFraction))
      << report;
  EXPECT_LE(std::abs(entries - want_entries), Tolerance(want_entries, kEntrySlack, kEntryFraction))
      << report;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace argus::testing
