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

// Mean absolute difference from `colour` over `r`.
double Distance(const cv::Mat& img, const cv::Rect& r, const cv::Scalar& colour) {
  const cv::Scalar mean = cv::mean(img(r));
  return (std::abs(mean[0] - colour[0]) + std::abs(mean[1] - colour[1]) +
          std::abs(mean[2] - colour[2])) /
         3;
}

// The issue: a line-crossing snapshot could not be checked (no line drawn, the person
// ~70 px from the line as drawn live) and labels collided. The zone, the line with its
// ends, the path and three labels all show, and no label covers another.
TEST(Snapshot, DrawsTheZoneTheLineThePathAndLabelsThatDoNotCollide) {
  cv::Mat img(480, 640, CV_8UC3, cv::Scalar(60, 60, 60));
  SnapshotOverlay o;
  // The box's top-left corner is the zone's: their labels want the same place.
  o.box = {100, 100, 60, 150};
  o.label = "person line_crossing";
  o.zone = {{100, 100}, {400, 100}, {400, 400}, {100, 400}};
  o.zone_name = "gallery";
  o.line = {{{50, 300}, {600, 300}}};
  o.line_name = "doorway";
  o.path = {{300, 380}, {250, 320}, {200, 280}, {130, 250}};
  const std::vector<core::Box> labels = DrawEvidence(img, o);
  ASSERT_EQ(labels.size(), 3u);
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_GE(labels[i].x, 0);
    EXPECT_GE(labels[i].y, 0);
    EXPECT_LE(labels[i].Right(), img.cols);
    EXPECT_LE(labels[i].Bottom(), img.rows);
    for (size_t j = i + 1; j < labels.size(); ++j) {
      EXPECT_EQ(core::IntersectionArea(labels[i], labels[j]), 0)
          << "label " << i << " covers label " << j;
    }
  }
  // The alert's label sits right above its box.
  EXPECT_NEAR(labels[0].Bottom(), 100, 1);
  EXPECT_NEAR(labels[0].x, 100, 1);
  // Each drawing is there in its colour: zone edge (right side), line (past the zone),
  // the path between two foot points, the box's left edge.
  EXPECT_LT(Distance(img, {399, 200, 2, 60}, kSnapshotZoneColor), 30);
  EXPECT_LT(Distance(img, {480, 299, 60, 2}, kSnapshotLineColor), 30);
  EXPECT_LT(Distance(img, {274, 349, 2, 2}, kSnapshotPathColor), 40);
  EXPECT_LT(Distance(img, {100, 170, 2, 60}, kSnapshotBoxColor), 30);
  // And the rest is the picture.
  EXPECT_EQ(img.at<cv::Vec3b>(20, 600), cv::Vec3b(60, 60, 60));
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
