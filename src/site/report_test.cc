#include "site/report.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "site/site_config.h"

namespace argus::site {
namespace {

const std::string kMuseum = std::string(ARGUS_SOURCE_DIR) + "/config/museum_site.yaml";

class MuseumTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto site = LoadSiteFile(kMuseum);
    ASSERT_TRUE(site.ok()) << site.status().message();
    site_ = new Site(std::move(site).value());
    auto rep = AnalyzeCoverage(*site_, site_->analysis);
    ASSERT_TRUE(rep.ok()) << rep.status().message();
    report_ = new CoverageReport(std::move(rep).value());
  }
  static void TearDownTestSuite() {
    delete report_;
    delete site_;
  }
  static Site* site_;
  static CoverageReport* report_;
};
Site* MuseumTest::site_ = nullptr;
CoverageReport* MuseumTest::report_ = nullptr;

// The example is built around the Louvre case: the jewel room's balcony window
// on the first floor is hidden from every camera by a display panel.
TEST_F(MuseumTest, NamesTheUncoveredFacadeWindowFirst) {
  const CoverageReport& r = *report_;
  ASSERT_FALSE(r.findings.empty());
  const Finding& first = r.findings[0];
  EXPECT_EQ(first.id, "W1-5");
  EXPECT_EQ(first.kind, FindingKind::kOpeningUncovered);
  EXPECT_EQ(first.severity, Priority::kCritical);
  EXPECT_NE(first.message.find("window_contact S1-5"), std::string::npos) << first.message;
  // It is the only uncovered critical opening.
  int critical_openings = 0;
  for (const auto& f : r.findings) {
    critical_openings +=
        f.kind == FindingKind::kOpeningUncovered && f.severity == Priority::kCritical;
  }
  EXPECT_EQ(critical_openings, 1);
  // Its neighbour W1-6 is seen by the jewel-room camera.
  for (const auto& o : r.openings) {
    if (o.opening->id == "W1-6") {
      ASSERT_EQ(o.seen_by.size(), 1u);
      EXPECT_EQ(o.seen_by[0].camera_id, "C1-3");
    }
  }
  // Uncovered things first: every finding before the first covered one is uncovered.
  bool covered_seen = false;
  for (const auto& f : r.findings) {
    if (!f.uncovered) covered_seen = true;
    EXPECT_FALSE(covered_seen && f.uncovered) << f.id;
  }
}

TEST_F(MuseumTest, TextHtmlSvgAndJsonNameTheWindowFirst) {
  const CoverageReport& r = *report_;
  const std::string text = RenderText(r);
  EXPECT_NE(text.find("#1 [critical] exterior window W1-5"), std::string::npos) << text;

  const std::string html = RenderHtml(r);
  // Self-contained: no external resources.
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  const size_t table = html.find("<h2>Findings</h2>");
  ASSERT_NE(table, std::string::npos);
  const size_t first_row = html.find("<td>1</td>", table);
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_EQ(html.find("<td>W1-5</td>", table), html.find("<td>W1-5</td>", first_row));
  EXPECT_LT(html.find("<td>W1-5</td>", table), html.find("<td>2</td>", table));

  const std::string svg = RenderSvg(r);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("W1-5 #1 NOT COVERED"), std::string::npos);
  EXPECT_NE(svg.find("url(#f1hatch)"), std::string::npos);  // a blind spot on the first floor

  const nlohmann::json j = ReportToJson(r);
  ASSERT_TRUE(j["findings"].is_array());
  EXPECT_EQ(j["findings"][0]["id"], "W1-5");
  EXPECT_EQ(j["findings"][0]["kind"], "opening_uncovered");
  EXPECT_EQ(j["floors"].size(), 2u);
  // Round trip through text.
  const nlohmann::json back = nlohmann::json::parse(j.dump());
  EXPECT_EQ(back, j);
}

TEST_F(MuseumTest, QuayHasABlindSpotWhereATruckCouldPark) {
  const CoverageReport& r = *report_;
  // The east end of the quay, in front of the jewel room, is out of sight.
  const Point truck{55, -6};
  EXPECT_EQ(r.floors[0].grid.CountAt(truck), 0);
  bool in_spot = false;
  for (const auto& b : r.floors[0].blind_spots) {
    int inside = 0;  // even-odd over the rings
    for (const auto& ring : b.rings) inside += core::PointInPolygon(truck, ring) ? 1 : 0;
    if (inside % 2 == 1) {
      in_spot = true;
      EXPECT_EQ(b.where, "quay");
    }
  }
  EXPECT_TRUE(in_spot);
  bool quay = false;
  for (const auto& a : r.areas) {
    if (a.area->id != "quay") continue;
    quay = true;
    EXPECT_GT(a.fraction, 0.1);  // the lamp-post cameras see part of it
    EXPECT_LT(a.fraction, 0.5);
  }
  EXPECT_TRUE(quay);
}

// The command line: exit codes and atomic output. Needs the argus binary.
int RunShell(const std::string& cmd) {
  const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(CoverageCommandTest, WritesReportsAndRejectsBadInput) {
  const std::string bin = ARGUS_BINARY;
  if (!std::filesystem::exists(bin)) GTEST_SKIP() << "argus binary not built: " << bin;
  const auto dir = std::filesystem::temp_directory_path() / "argus_coverage_cmd_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string out = (dir / "museum.json").string();
  ASSERT_EQ(RunShell(bin + " coverage " + kMuseum + " --out " + out), 0);
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["findings"][0]["id"], "W1-5");
  EXPECT_EQ(RunShell(bin + " coverage " + kMuseum + " --out " + (dir / "m.svg").string()), 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "m.svg"));

  // Bad input: exit 1 and nothing written.
  const auto bad = dir / "bad.yaml";
  std::ofstream(bad) << "floors:\n  - id: f\n    level: 0\n    outline: [[0, 0], [1, 1]]\n";
  const std::string bad_out = (dir / "bad.html").string();
  EXPECT_EQ(RunShell(bin + " coverage " + bad.string() + " --out " + bad_out), 1);
  EXPECT_FALSE(std::filesystem::exists(bad_out));
  std::string err;
  {
    const std::string cmd = bin + " coverage " + bad.string() + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[512];
    while (fgets(buf, sizeof buf, p)) err += buf;
    pclose(p);
  }
  EXPECT_NE(err.find(bad.string() + ":4: floors[0].outline: degenerate polygon"), std::string::npos)
      << err;
  // Only the report is left in the directory: no temporary files.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 3);  // museum.json, m.svg, bad.yaml
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace argus::site
