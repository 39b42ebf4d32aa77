// End-to-end checks of `argus track` and `argus eval mot` (skipped when the
// binary has not been built in this build tree).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

CliRun Argus(const std::string& args) {
  CliRun r;
  const std::string cmd = std::string(ARGUS_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ArgusCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(ARGUS_BINARY)) GTEST_SKIP() << ARGUS_BINARY << " not built";
    dir_ = fs::temp_directory_path() /
           ("argus_track_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(ArgusCli, TrackWritesResultsForAPersonStandingStill) {
  std::string det;
  for (int f = 1; f <= 5; ++f) det += std::to_string(f) + ",-1,100,50,40,100,0.95,-1,-1,-1\n";
  const std::string in = Write("SEQ/det/det.txt", det);
  Write("SEQ/seqinfo.ini", "[Sequence]\nname=SEQ\nframeRate=10\nseqLength=6\n");
  const fs::path out = dir_ / "res.txt";
  const CliRun r = Argus("track --det " + in + " --out " + out.string() + " --stats");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("frames=6"), std::string::npos) << r.out;  // seqLength from seqinfo.ini
  std::istringstream lines(Read(out));
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_EQ(line.rfind(std::to_string(rows) + ",1,", 0), 0u) << line;
    EXPECT_NE(line.find(",-1,-1,-1"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 5);
}

TEST_F(ArgusCli, TrackRejectsMalformedInputAndWritesNothing) {
  const std::string in = Write("det.txt", "1,-1,100,50,40,100,0.9,-1,-1,-1\n2,-1,abc,50,40,100\n");
  const fs::path out = dir_ / "res.txt";
  const CliRun r = Argus("track --det " + in + " --out " + out.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(in + ":2: field 3 is not a number"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(Argus("track --det " + (dir_ / "missing.txt").string() + " --out " + out.string()).code,
            1);
}

TEST_F(ArgusCli, TrackReportsAnUnwritableOutputAsARuntimeFailure) {
  const std::string in = Write("det.txt", "1,-1,100,50,40,100,0.9,-1,-1,-1\n");
  const CliRun r = Argus("track --det " + in + " --out " + (dir_ / "no/such/dir/res.txt").string());
  EXPECT_EQ(r.code, 2) << r.out;
}

TEST_F(ArgusCli, EvalMotPrintsTrackEvalFiguresAndCombines) {
  // Fixture 1 of mot_metrics_test.cc: MOTA 1/3, IDF1 3/6.5, HOTA 0.520416.
  std::string gt;
  for (int f = 1; f <= 6; ++f) gt += std::to_string(f) + ",1,0,0,10,10,1,-1,-1,-1\n";
  const std::string res =
      "1,1,0,0,10,10,1,-1,-1,-1\n2,1,0,0,10,10,1,-1,-1,-1\n3,3,100,100,10,10,1,-1,-1,-1\n"
      "4,2,0,0,10,10,1,-1,-1,-1\n5,2,0,0,10,10,1,-1,-1,-1\n6,2,0,0,10,10,1,-1,-1,-1\n"
      "6,3,100,100,10,10,1,-1,-1,-1\n";
  const std::string g = Write("A/gt/gt.txt", gt);
  const std::string t = Write("a.txt", res);
  CliRun r = Argus("eval mot --gt " + g + " --res " + t + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"name\":\"A\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"MOTA\":0.333333"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"IDF1\":0.461538"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"HOTA\":0.520416"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"IDSW\":1"), std::string::npos) << r.out;
  // Two copies combined: counts double, ratios stay.
  r = Argus("eval mot --gt " + g + " --res " + t + " --gt " + g + " --res " + t);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("COMBINED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 33.333 "), std::string::npos) << r.out;
}

TEST_F(ArgusCli, EvalMotRejectsBadInput) {
  const std::string g = Write("gt.txt", "1,1,0,0,10,10,1,-1,-1,-1\n");
  EXPECT_EQ(Argus("eval mot --gt " + g + " --gt " + g + " --res " + g).code, 1);
  const std::string bad = Write("bad.txt", "1,1,0,0,10\n");
  const CliRun r = Argus("eval mot --gt " + g + " --res " + bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(bad + ":1:"), std::string::npos) << r.out;
  const std::string dup = Write("dup.txt", "1,4,0,0,10,10\n1,4,0,0,10,10\n");
  EXPECT_EQ(Argus("eval mot --gt " + g + " --res " + dup).code, 1);
}

}  // namespace
