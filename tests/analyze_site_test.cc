// `argus analyze-site` as a user runs it: vtest.avi cut into two adjacent cameras (its
// left and right 45%), the site model saying they are adjacent; people who walk from one
// view into the other keep their global id in both cameras' tracks.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/cli_support.h"
#include "tests/video_strips.h"

namespace argus::testing {
namespace {

namespace fs = std::filesystem;

// Enough of vtest for several people to cross the gap, and short under ASan.
constexpr int kFrames = 400;

// The ids of a MOTChallenge tracks file; false when a line is malformed.
bool TrackIds(const fs::path& file, std::set<int>* ids) {
  std::istringstream in(ReadFile(file));
  std::string line;
  while (std::getline(in, line)) {
    long long frame;
    int id;
    double x, y, w, h;
    if (std::sscanf(line.c_str(), "%lld,%d,%lf,%lf,%lf,%lf", &frame, &id, &x, &y, &w, &h) != 6 ||
        frame < 1 || frame > kFrames || id <= 0 || w <= 0 || h <= 0) {
      return false;
    }
    ids->insert(id);
  }
  return true;
}

class AnalyzeSite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kVtest)) GTEST_SKIP() << kVtest << " is missing: install Debian's opencv-doc";
    // One directory per test: ctest runs them side by side.
    dir_ = TempDir(std::string("analyze_site_") +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  // A config of the two cameras, with `server` as its server section.
  fs::path Config(const std::string& server) {
    EXPECT_TRUE(WriteVtestStrip(dir_ / "west.avi", 0, 0.45));
    EXPECT_TRUE(WriteVtestStrip(dir_ / "east.avi", 0.55, 1));
    std::ofstream(dir_ / "wing.yaml") << TwoAdjacentCamerasSite("west", "east");
    const fs::path p = dir_ / "site.yaml";
    std::ofstream(p) << server
                     << "cameras:\n  - {name: west, source: " << (dir_ / "west.avi").string()
                     << "}\n  - {name: east, source: " << (dir_ / "east.avi").string() << "}\n";
    return p;
  }
  fs::path dir_;
};

TEST_F(AnalyzeSite, PeopleKeepTheirGlobalIdFromOneCameraToTheNext) {
  const fs::path cfg = Config("server: {site_model: " + (dir_ / "wing.yaml").string() + "}\n");
  const auto r = RunArgus("analyze-site --config " + cfg.string() + " --max-frames " +
                          std::to_string(kFrames) + " --tracks-dir " + (dir_ / "out").string() +
                          " --events " + (dir_ / "e.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::set<int> west, east;
  ASSERT_TRUE(TrackIds(dir_ / "out" / "west.txt", &west)) << ReadFile(dir_ / "out" / "west.txt");
  ASSERT_TRUE(TrackIds(dir_ / "out" / "east.txt", &east));
  EXPECT_GE(west.size(), 3u);
  EXPECT_GE(east.size(), 3u);
  std::vector<int> both;
  std::set_intersection(west.begin(), west.end(), east.begin(), east.end(),
                        std::back_inserter(both));
  EXPECT_FALSE(both.empty()) << "nobody was linked across the gap\n" << r.output;
  EXPECT_NE(r.output.find("camera     west: " + std::to_string(kFrames) + " frames"),
            std::string::npos)
      << r.output;
  // "people     N global ids, H hand-offs between 1 adjacent pairs"
  const size_t at = r.output.find(" hand-offs between 1 adjacent");
  ASSERT_NE(at, std::string::npos) << r.output;
  const size_t from = r.output.rfind(' ', at - 1) + 1;
  const int handoffs = std::atoi(r.output.substr(from, at - from).c_str());
  EXPECT_GE(handoffs, static_cast<int>(both.size())) << r.output;  // a shared id needs a link
  EXPECT_TRUE(fs::exists(dir_ / "e.jsonl"));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "west.txt.part"));
}

TEST_F(AnalyzeSite, WithoutAdjacentCamerasNobodyIsLinkedAndItSaysSo) {
  const auto r = RunArgus("analyze-site --config " + Config("").string() + " --max-frames 150" +
                          " --tracks-dir " + (dir_ / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no adjacent cameras"), std::string::npos) << r.output;
  std::set<int> west, east;
  ASSERT_TRUE(TrackIds(dir_ / "out" / "west.txt", &west));
  ASSERT_TRUE(TrackIds(dir_ / "out" / "east.txt", &east));
  for (int id : west) EXPECT_EQ(east.count(id), 0u) << "id " << id << " in both cameras";
}

TEST_F(AnalyzeSite, LiveStreamsAndMissingFilesAreRefusedWithTheField) {
  const fs::path p = dir_ / "live.yaml";
  std::ofstream(p) << "cameras:\n  - {name: a, source: " << kVtest
                   << "}\n  - {name: b, source: rtsp://127.0.0.1:9/x}\n";
  auto r = RunArgus("analyze-site --config " + p.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cameras[1].source: analyze-site reads files"), std::string::npos)
      << r.output;
  std::ofstream(p) << "cameras:\n  - {name: a, source: " << (dir_ / "nope.avi").string() << "}\n";
  r = RunArgus("analyze-site --config " + p.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("nope.avi"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace argus::testing
