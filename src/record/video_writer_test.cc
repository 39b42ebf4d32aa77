#include "record/video_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "ingest/video_source.h"

namespace argus::record {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("argus_record_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// Smooth colour gradients that move with `i`, plus a soft disc: codec-friendly and
// different in every frame.
cv::Mat TestImage(int w, int h, int i) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y) {
    auto* row = img.ptr<cv::Vec3b>(y);
    for (int x = 0; x < w; ++x) {
      row[x] = cv::Vec3b(static_cast<uchar>((x + 2 * i) * 255 / (w + 100)),
                         static_cast<uchar>(y * 255 / h),
                         static_cast<uchar>(128 + 100 * std::sin((x + y + 3 * i) / 40.0)));
    }
  }
  cv::circle(img, {w / 4 + 2 * i, h / 2}, h / 6, cv::Scalar(40, 200, 90), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, {0, 0}, 2);
  return img;
}

TEST(Mp4Writer, FiftyFramesRoundTripThroughVideoSource) {
  TempDir dir;
  const std::string path = dir / "clip.mp4";
  constexpr int kW = 320, kH = 240, kFrames = 50;
  constexpr double kFps = 12.5;
  auto w = Mp4Writer::Open(path, kW, kH, kFps);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::cout << "encoder: " << (*w)->codec_name() << "\n";
  for (int i = 0; i < kFrames; ++i) ASSERT_TRUE((*w)->Write(TestImage(kW, kH, i)).ok());
  EXPECT_TRUE(fs::exists(path + kPartialSuffix));
  EXPECT_FALSE(fs::exists(path)) << "the final name appears only when complete";
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_TRUE((*w)->Close().ok());  // idempotent
  EXPECT_EQ((*w)->frames_written(), kFrames);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + kPartialSuffix));

  auto src = ingest::VideoSource::Open({.url = path}, core::SystemClock::Instance());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->width(), kW);
  EXPECT_EQ((*src)->height(), kH);
  EXPECT_NEAR((*src)->nominal_fps(), kFps, 1e-3);
  EXPECT_EQ((*src)->codec_name(), (*w)->codec_name() == "libx264" ? "h264" : "mpeg4");
  ingest::Frame f;
  int n = 0;
  double min_psnr = 1e9;
  while ((*src)->Read(&f) == ingest::ReadStatus::kFrame) {
    ASSERT_EQ(f.bgr.size(), cv::Size(kW, kH));
    EXPECT_NEAR(f.t, n / kFps, 1e-3);
    min_psnr = std::min(min_psnr, cv::PSNR(f.bgr, TestImage(kW, kH, n)));
    ++n;
  }
  EXPECT_EQ(n, kFrames);
  EXPECT_GT(min_psnr, 30) << "decoded frames differ from what was written";
  // And the wrong frame is clearly worse: the check can tell frames apart.
  EXPECT_LT(cv::PSNR(TestImage(kW, kH, 0), TestImage(kW, kH, 25)), min_psnr - 5);
}

TEST(Mp4Writer, MoovAtomIsAtTheFrontForFastStart) {
  TempDir dir;
  const std::string path = dir / "fast.mp4";
  auto w = Mp4Writer::Open(path, 64, 48, 25);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->Write(TestImage(64, 48, i)).ok());
  ASSERT_TRUE((*w)->Close().ok());
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  ASSERT_NE(fp, nullptr);
  std::string head(4096, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), fp));
  std::fclose(fp);
  size_t moov = head.find("moov"), mdat = head.find("mdat");
  ASSERT_NE(moov, std::string::npos) << "moov not in the first 4 KiB";
  EXPECT_TRUE(mdat == std::string::npos || moov < mdat);
}

TEST(Mp4Writer, DestroyedWithoutCloseLeavesNothing) {
  TempDir dir;
  const std::string path = dir / "aborted.mp4";
  {
    auto w = Mp4Writer::Open(path, 64, 48, 25);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*w)->Write(TestImage(64, 48, i)).ok());
    EXPECT_TRUE(fs::exists(path + kPartialSuffix));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + kPartialSuffix));
}

TEST(Mp4Writer, RejectsBadArgumentsClearly) {
  TempDir dir;
  EXPECT_EQ(Mp4Writer::Open(dir / "a.mp4", 63, 48, 25).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(Mp4Writer::Open(dir / "a.mp4", 64, 48, 0).status().code(),
            core::StatusCode::kInvalidArgument);
  auto missing_dir = Mp4Writer::Open(dir / "no/such/dir/a.mp4", 64, 48, 25);
  EXPECT_EQ(missing_dir.status().code(), core::StatusCode::kIoError);
  EXPECT_NE(missing_dir.status().message().find("no/such/dir"), std::string::npos);

  auto w = Mp4Writer::Open(dir / "a.mp4", 64, 48, 25);
  ASSERT_TRUE(w.ok());
  auto wrong_size = (*w)->Write(cv::Mat(40, 64, CV_8UC3, cv::Scalar::all(0)));
  EXPECT_EQ(wrong_size.code(), core::StatusCode::kInvalidArgument);
  auto grey = (*w)->Write(cv::Mat(48, 64, CV_8UC1, cv::Scalar::all(0)));
  EXPECT_EQ(grey.code(), core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace argus::record
