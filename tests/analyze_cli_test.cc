// `argus analyze` and `argus config check` as a user runs them: real video,
// real files, exit codes and output formats of the DESIGN.md contracts.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.h"
#include "ingest/video_source.h"
#include "tests/cli_support.h"

namespace argus::testing {
namespace {

class AnalyzeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kVtest)) {
      GTEST_SKIP() << kVtest << " is missing: install Debian's opencv-doc package";
    }
  }
};

TEST_F(AnalyzeCli, WritesTracksEventsAndAnnotatedVideo) {
  const auto dir = TempDir("analyze");
  const std::string demo = std::string(ARGUS_SOURCE_DIR) + "/config/demo.yaml";
  const auto r = RunArgus(std::string("analyze ") + kVtest + " --config " + demo +
                          " --max-frames 120 --tracks " + (dir / "t.txt").string() + " --events " +
                          (dir / "e.jsonl").string() + " --annotate " + (dir / "a.mp4").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("frames     120 decoded"), std::string::npos) << r.output;

  // Tracks: frame,id,x,y,w,h,score,-1,-1,-1 with 1-based frames.
  std::istringstream tracks(ReadFile(dir / "t.txt"));
  std::string line;
  std::set<int> frames, ids;
  while (std::getline(tracks, line)) {
    int frame, id;
    double x, y, w, h, s, a, b, c;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &frame, &id, &x,
                          &y, &w, &h, &s, &a, &b, &c),
              10)
        << line;
    EXPECT_GE(frame, 1);
    EXPECT_LE(frame, 120);
    EXPECT_GT(w, 0);
    EXPECT_GT(h, w) << "people are taller than wide: " << line;
    EXPECT_EQ(a, -1);
    frames.insert(frame);
    ids.insert(id);
  }
  // PETS S2L1 shows 4 to 8 people walking in every one of these frames; the
  // first few pass while the background model warms up and tracks are born.
  EXPECT_GE(frames.size(), 80u);
  EXPECT_GE(ids.size(), 3u);

  std::istringstream events(ReadFile(dir / "e.jsonl"));
  while (std::getline(events, line)) {
    const auto j = nlohmann::json::parse(line);
    for (const char* key : {"id", "type", "phase", "camera", "rule", "severity", "t", "frame",
                            "track_id", "label", "bbox", "zone", "details"}) {
      EXPECT_TRUE(j.contains(key)) << key << " missing in " << line;
    }
    EXPECT_EQ(j["camera"], "pets");
  }

  core::FakeClock clock;
  auto video = ingest::VideoSource::Open({.url = (dir / "a.mp4").string()}, clock);
  ASSERT_TRUE(video.ok()) << video.status().message();
  EXPECT_EQ((*video)->width(), 768);
  EXPECT_EQ((*video)->height(), 576);
  ingest::Frame f;
  int n = 0;
  while ((*video)->Read(&f) == ingest::ReadStatus::kFrame) ++n;
  EXPECT_EQ(n, 120);
  EXPECT_FALSE(std::filesystem::exists(dir / "t.txt.part"));
  std::filesystem::remove_all(dir);
}

TEST_F(AnalyzeCli, MissingSourceIsBadInputAndLeavesNoFiles) {
  const auto dir = TempDir("analyze_missing");
  const auto r = RunArgus("analyze /nonexistent/cam.mp4 --tracks " + (dir / "t.txt").string() +
                          " --events " + (dir / "e.jsonl").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/cam.mp4"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "half-written output left behind";
  std::filesystem::remove_all(dir);
}

TEST_F(AnalyzeCli, BadDetectorOrCameraIsBadInput) {
  auto r = RunArgus(std::string("analyze ") + kVtest + " --detector yolo9000");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("yolo9000"), std::string::npos) << r.output;
  r = RunArgus(std::string("analyze ") + kVtest + " --detector onnx:/nonexistent/model.onnx");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  r = RunArgus(std::string("analyze ") + kVtest + " --config " + ARGUS_SOURCE_DIR +
               "/config/demo.yaml --camera nope");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no camera named 'nope'"), std::string::npos) << r.output;
}

// Issue 16.8: the same path for two outputs exited 2 but left a file behind.
TEST_F(AnalyzeCli, TwoOutputsOnOnePathAreRefusedBeforeAnything) {
  const auto dir = TempDir("analyze_clash");
  const std::string same = (dir / "out.txt").string();
  const auto r = RunArgus(std::string("analyze ") + kVtest + " --max-frames 5 --tracks " + same +
                          " --events " + (dir / "." / "out.txt").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--tracks and --events both name"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "a file was left behind";
  std::filesystem::remove_all(dir);
}

// Issue 16.8: an unwritable output directory was reported after the whole analysis.
TEST_F(AnalyzeCli, UnwritableOutputIsReportedBeforeTheAnalysis) {
  const auto r = RunArgus(std::string("analyze ") + kVtest + " --annotate /nonexistent-dir/a.mp4");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--annotate: cannot write /nonexistent-dir/a.mp4.part"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("frames "), std::string::npos) << "it analysed first: " << r.output;
}

TEST(ConfigCheckCli, AcceptsTheShippedConfigs) {
  const auto r = RunArgus(std::string("config check ") + ARGUS_SOURCE_DIR + "/config/demo.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok (1 camera)"), std::string::npos) << r.output;
}

TEST(ConfigCheckCli, ReportsEveryProblemWithFileLineAndField) {
  const auto dir = TempDir("config_check");
  const std::string path = (dir / "bad.yaml").string();
  std::ofstream(path) << R"(cameras:
  - name: hall
    source: rtsp://127.0.0.1/hall
    detect_fps: -1
    zones:
      - name: window
        polygon: [[0.1, 0.1], [0.2, 0.2]]
    rules:
      - name: r1
        kind: teleport
      - name: r2
        kind: intrusion
        zone: nowhere
)";
  const auto r = RunArgus("config check " + path);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(path + ":4: cameras[0].detect_fps: must be between 0 and 240"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(path + ":7: cameras[0].zones[0].polygon: a polygon needs at least 3"),
            std::string::npos)
      << r.output;
  // Rule problems come from the rules module, through the same reporting.
  EXPECT_NE(r.output.find(path + ":10: cameras[0].rules[0].kind"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(path + ":13: cameras[0].rules[1].zone"), std::string::npos) << r.output;

  std::ofstream(path) << "cameras: [unclosed\n";
  EXPECT_EQ(RunArgus("config check " + path).exit_code, 1);
  const auto missing = RunArgus("config check " + (dir / "none.yaml").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("cannot open config file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace argus::testing
