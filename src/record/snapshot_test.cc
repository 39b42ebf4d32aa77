#include "record/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "ingest/video_source.h"

namespace argus::record {
namespace {

namespace fs = std::filesystem;
constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("argus_snap_" + std::to_string(getpid()) + "_" + name))
      .string();
}

// A real frame: the 100th of vtest.avi.
cv::Mat RealFrame() {
  auto src = ingest::VideoSource::Open({.url = kVtest}, core::SystemClock::Instance());
  if (!src.ok()) return {};
  ingest::Frame f;
  for (int i = 0; i < 100; ++i) {
    if ((*src)->Read(&f) != ingest::ReadStatus::kFrame) return {};
  }
  return f.bgr;
}

// Mean absolute difference, per channel, from the box colour over `r`.
double DistanceFromBoxColor(const cv::Mat& img, const cv::Rect& r) {
  cv::Scalar mean = cv::mean(img(r));
  double d = 0;
  for (int c = 0; c < 3; ++c) d += std::abs(mean[c] - kSnapshotBoxColor[c]);
  return d / 3;
}

TEST(Snapshot, DrawsTheBoxAndLabelOnACopyAndWritesAJpeg) {
  if (!fs::exists(kVtest)) GTEST_SKIP() << kVtest << " is missing (Debian package opencv-doc)";
  const cv::Mat frame = RealFrame();
  ASSERT_FALSE(frame.empty());
  const cv::Mat before = frame.clone();
  const std::string path = TempPath("a.jpg");
  const core::Box box{300, 200, 120, 220};
  ASSERT_TRUE(WriteSnapshot(path, frame, box, "person 0.91").ok());
  EXPECT_EQ(cv::norm(frame, before, cv::NORM_INF), 0) << "the caller's frame is untouched";
  EXPECT_FALSE(fs::exists(path + ".part"));

  cv::Mat jpg = cv::imread(path);
  fs::remove(path);
  ASSERT_EQ(jpg.size(), frame.size());
  // The four edges of the box are the alert colour (JPEG blurs them a little)...
  const int x = 300, y = 200, w = 120, h = 220;
  EXPECT_LT(DistanceFromBoxColor(jpg, {x, y + 10, 2, h - 20}), 40);          // left
  EXPECT_LT(DistanceFromBoxColor(jpg, {x + w - 2, y + 10, 2, h - 20}), 40);  // right
  EXPECT_LT(DistanceFromBoxColor(jpg, {x + 10, y + h - 2, w - 20, 2}), 40);  // bottom
  // ...the label bar sits above the box...
  EXPECT_LT(DistanceFromBoxColor(jpg, {x + 2, y - 4, 10, 2}), 60);
  // ...while the inside of the box and the rest of the frame are the scene.
  EXPECT_GT(DistanceFromBoxColor(before, {x + 10, y + 10, w - 20, h - 20}), 80);
  EXPECT_GT(cv::PSNR(jpg(cv::Rect(x + 6, y + 6, w - 12, h - 12)),
                     before(cv::Rect(x + 6, y + 6, w - 12, h - 12))),
            30);
  EXPECT_GT(cv::PSNR(jpg(cv::Rect(0, 0, 250, 150)), before(cv::Rect(0, 0, 250, 150))), 30);
}

TEST(Snapshot, BoxPartlyOutsideIsClippedAndOutsideDrawsNothing) {
  cv::Mat img(100, 160, CV_8UC3, cv::Scalar(0, 255, 0));
  cv::Mat drawn = img.clone();
  DrawAlertBox(drawn, {-50, -50, 100, 90}, "x");  // top-left corner only
  EXPECT_GT(cv::norm(drawn, img, cv::NORM_L1), 0);
  EXPECT_EQ(drawn.at<cv::Vec3b>(39, 20), cv::Vec3b(0, 0, 255));  // its bottom edge
  cv::Mat untouched = img.clone();
  DrawAlertBox(untouched, {500, 500, 10, 10}, "far away");
  EXPECT_EQ(cv::norm(untouched, img, cv::NORM_INF), 0);
}

TEST(Snapshot, RejectsAnEmptyFrameAndAnUnwritablePath) {
  EXPECT_EQ(WriteSnapshot(TempPath("e.jpg"), cv::Mat(), {0, 0, 1, 1}, "").code(),
            core::StatusCode::kInvalidArgument);
  cv::Mat img(64, 64, CV_8UC3, cv::Scalar::all(128));
  EXPECT_EQ(WriteSnapshot("/nonexistent_dir_argus/x.jpg", img, {1, 1, 10, 10}, "a").code(),
            core::StatusCode::kIoError);
}

}  // namespace
}  // namespace argus::record
