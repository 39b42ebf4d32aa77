#include "track/mot_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace argus::track {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("argus_mot_io_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void WriteText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(MotIo, ParsesDetGtAndResultLines) {
  const auto rows = ParseMot(
      "1,-1,1691.97,381.048,152.23,352.617,0.995616,-1,-1,-1\n"
      "\n"
      "2 3 10 20 30 40 1 1 0.5\r\n"
      "3, 4, 1, 2, 3, 4\n",
      "mem");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].frame, 1);
  EXPECT_EQ((*rows)[0].id, -1);
  EXPECT_DOUBLE_EQ((*rows)[0].box.w, 152.23);
  EXPECT_DOUBLE_EQ((*rows)[0].conf, 0.995616);
  EXPECT_EQ((*rows)[0].columns, 10);
  EXPECT_EQ((*rows)[1].id, 3);
  EXPECT_DOUBLE_EQ((*rows)[1].extra[0], 1);
  EXPECT_DOUBLE_EQ((*rows)[1].extra[1], 0.5);
  EXPECT_DOUBLE_EQ((*rows)[1].extra[2], -1);
  EXPECT_EQ((*rows)[2].columns, 6);
  EXPECT_DOUBLE_EQ((*rows)[2].conf, 1.0);
}

TEST(MotIo, MalformedLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"1,1,0,0,1,1,1\n1,2,x,0,1,1,1\n", "f.txt:2: field 3 is not a number: 'x'"},
      {"1,1,0,0,1\n", "f.txt:1: expected at least 6 fields"},
      {"0,1,0,0,1,1\n", "f.txt:1: frame must be a positive integer"},
      {"1.5,1,0,0,1,1\n", "f.txt:1: frame must be a positive integer"},
      {"1,1.5,0,0,1,1\n", "f.txt:1: id must be an integer"},
      {"\n\n1,1,0,0,-1,1\n", "f.txt:3: negative box width or height"},
      {"1,1,,0,1,1\n", "f.txt:1: empty field 3"},
      {"1,1,0,0,1,1,\n", "f.txt:1: empty field 7"},
      {"1,1,0,0,1,1,1,1,1,1,1\n", "f.txt:1: more than 10 fields"},
      {"1,1,0,0,1,nan\n", "f.txt:1: field 6 is not a number"},
  };
  for (const Case& c : cases) {
    const auto rows = ParseMot(c.text, "f.txt");
    ASSERT_FALSE(rows.ok()) << c.text;
    EXPECT_EQ(rows.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(rows.status().message().rfind(c.message, 0), 0u)
        << "got: " << rows.status().message() << "\nwant prefix: " << c.message;
  }
}

TEST(MotIo, MissingFileIsNotFound) {
  const auto rows = ReadMotFile("/nonexistent/det.txt");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(rows.status().message().find("/nonexistent/det.txt"), std::string::npos);
}

// Found by fuzz/mot_fuzz.cc: a coordinate of 1e120 printed past a 160-byte buffer
// (ASan: stack-buffer-overflow in FormatMotResults).
TEST(MotIo, HugeCoordinatesAreWrittenWholeAndReadBack) {
  auto rows = ParseMot("2,1,1e120,21,30,60,0.8\n", "t.txt");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const std::string text = FormatMotResults(*rows);
  EXPECT_GT(text.size(), 120u);
  EXPECT_EQ(text.substr(text.size() - 35), ",21.00,30.00,60.00,0.8000,-1,-1,-1\n");
  auto back = ParseMot(text, "written.txt");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_DOUBLE_EQ((*back)[0].box.x, 1e120);
}

// Found by fuzz/mot_fuzz.cc: imWidth=1e300 was cast to int (undefined behaviour).
TEST(MotIo, SeqInfoSizesMustBeIntegersAnIntHolds) {
  for (const char* bad : {"imWidth=1e300", "imHeight=-1", "seqLength=2.5", "imWidth=3000000000"}) {
    auto info = ParseSeqInfo(std::string("[Sequence]\n") + bad + "\n", "seqinfo.ini");
    ASSERT_FALSE(info.ok()) << bad;
    EXPECT_NE(info.status().message().find("seqinfo.ini:2: "), std::string::npos)
        << info.status().message();
    EXPECT_NE(info.status().message().find("must be a non-negative integer"), std::string::npos);
  }
  auto info = ParseSeqInfo("imWidth=1920\nimHeight=1080\nseqLength=795\n", "seqinfo.ini");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->width, 1920);
  EXPECT_EQ(info->height, 1080);
  EXPECT_EQ(info->seq_length, 795);
}

TEST(MotIo, ResultsRoundTripThroughAnAtomicWrite) {
  TempDir dir;
  std::vector<MotRow> rows(2);
  rows[0] = {1, 7, {10.5, 20.25, 30, 40}, 0.9};
  rows[1] = {2, 8, {1, 2, 3, 4}, 1.0};
  const std::string text = FormatMotResults(rows);
  EXPECT_EQ(text,
            "1,7,10.50,20.25,30.00,40.00,0.9000,-1,-1,-1\n"
            "2,8,1.00,2.00,3.00,4.00,1.0000,-1,-1,-1\n");
  const fs::path out = dir / "res.txt";
  WriteText(out, "old content");
  ASSERT_TRUE(WriteFileAtomically(out.string(), text).ok());
  const auto back = ReadMotFile(out.string());
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].id, 8);
  EXPECT_DOUBLE_EQ((*back)[0].box.y, 20.25);
  // No temporary file is left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out.parent_path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(MotIo, FailedAtomicWriteLeavesNothing) {
  TempDir dir;
  const fs::path out = dir / "missing_dir" / "res.txt";
  const core::Status s = WriteFileAtomically(out.string(), "x");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(out));
}

TEST(MotIo, SeqInfoIsFoundBesideDetAndGt) {
  TempDir dir;
  WriteText(dir / "SEQ/seqinfo.ini",
            "[Sequence]\nname=SEQ\nimDir=img1\nframeRate=14\nseqLength=354\nimWidth=640\n"
            "imHeight=480\nimExt=.jpg\n");
  WriteText(dir / "SEQ/det/det.txt", "");
  EXPECT_EQ(FindSeqInfo((dir / "SEQ/det/det.txt").string()), (dir / "SEQ/seqinfo.ini").string());
  EXPECT_EQ(FindSeqInfo((dir / "elsewhere/det.txt").string()), "");
  const auto info = ReadSeqInfo((dir / "SEQ/seqinfo.ini").string());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name, "SEQ");
  EXPECT_DOUBLE_EQ(info->frame_rate, 14);
  EXPECT_EQ(info->seq_length, 354);
  EXPECT_EQ(info->width, 640);

  WriteText(dir / "bad.ini", "[Sequence]\nframeRate=fast\n");
  const auto bad = ReadSeqInfo((dir / "bad.ini").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.ini:2: frameRate"), std::string::npos);
}

}  // namespace
}  // namespace argus::track
