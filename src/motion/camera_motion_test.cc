#include "motion/camera_motion.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "motion/motion.h"

namespace argus::motion {
namespace {

constexpr int kW = 320;
constexpr int kH = 240;
constexpr double kScale = 2;  // source pixels per analysis pixel
constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

// A fixed smooth random texture, larger than the frame so it can be panned.
cv::Mat Scene() {
  cv::RNG rng(42);
  cv::Mat noise(kH + 80, kW + 80, CV_8UC1);
  rng.fill(noise, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::Mat smooth;
  cv::GaussianBlur(noise, smooth, cv::Size(0, 0), 2.0);
  cv::normalize(smooth, smooth, 0, 255, cv::NORM_MINMAX);
  return smooth;
}

// The frame a camera sees after the picture moved by `m` (analysis pixels).
core::GrayImage View(const cv::Mat& scene, const cv::Mat& m = cv::Mat::eye(2, 3, CV_64F)) {
  cv::Mat warped;
  cv::warpAffine(scene, warped, m, scene.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  const cv::Mat roi = warped(cv::Rect(40, 40, kW, kH));
  core::GrayImage g(kW, kH);
  for (int y = 0; y < kH; ++y) std::copy_n(roi.ptr<uint8_t>(y), kW, &g.at(0, y));
  return g;
}

cv::Mat Shift(double dx, double dy) { return (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy); }

TEST(CameraMotion, FirstFrameAndStillFramesGiveIdentity) {
  CameraMotionEstimator e;
  const cv::Mat scene = Scene();
  EXPECT_EQ(e.Estimate(View(scene), kScale), core::Affine2D{});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(e.Estimate(View(scene), kScale), core::Affine2D{});
}

TEST(CameraMotion, RecoversAPanInSourcePixels) {
  CameraMotionEstimator e;
  const cv::Mat scene = Scene();
  e.Estimate(View(scene), kScale);
  const core::Affine2D m = e.Estimate(View(scene, Shift(6, -4)), kScale);
  EXPECT_NEAR(m.tx, 6 * kScale, 0.3);
  EXPECT_NEAR(m.ty, -4 * kScale, 0.3);
  EXPECT_NEAR(m.a, 1, 0.01);
  EXPECT_NEAR(m.b, 0, 0.01);
  // The next frame moves again: the estimate is frame to frame, not cumulative.
  const core::Affine2D m2 = e.Estimate(View(scene, Shift(9, -4)), kScale);
  EXPECT_NEAR(m2.tx, 3 * kScale, 0.3);
  EXPECT_NEAR(m2.ty, 0, 0.3);
}

TEST(CameraMotion, RecoversRotationAndZoom) {
  CameraMotionEstimator e;
  const cv::Mat scene = Scene();
  e.Estimate(View(scene), kScale);
  const cv::Mat rz = cv::getRotationMatrix2D(cv::Point2f(200, 160), 2.0, 1.03);
  const core::Affine2D m = e.Estimate(View(scene, rz), kScale);
  EXPECT_NEAR(m.Scale(), 1.03, 0.005);
  EXPECT_NEAR(m.a, rz.at<double>(0, 0), 0.005);
  EXPECT_NEAR(m.b, rz.at<double>(0, 1), 0.005);
}

TEST(CameraMotion, PeopleMovingInAStillSceneAreNotCameraMotion) {
  CameraMotionEstimator e;
  const cv::Mat scene = Scene();
  e.Estimate(View(scene), kScale);
  for (int f = 1; f <= 5; ++f) {
    core::GrayImage g = View(scene);
    // A bright "person" crossing the left of the frame, 12 px per frame.
    for (int y = 80; y < 200; ++y) {
      for (int x = 10 + 12 * f; x < 50 + 12 * f; ++x) g.at(x, y) = (x + y) % 7 == 0 ? 40 : 230;
    }
    EXPECT_EQ(e.Estimate(g, kScale), core::Affine2D{}) << "frame " << f;
  }
}

// The real fixed camera of vtest.avi (PETS09-S2L1): people walk, the camera
// does not move, so (nearly) every frame must come out as identity.
TEST(CameraMotion, FixedCameraOfVtestStaysStill) {
  cv::VideoCapture cap(kVtest);
  if (!cap.isOpened()) GTEST_SKIP() << "vtest.avi absent: " << kVtest;
  MotionDetector md;
  CameraMotionEstimator e;
  cv::Mat frame;
  int frames = 0, moved = 0;
  while (frames < 60 && cap.read(frame)) {
    const MotionResult r = md.Process(frame, frames / 10.0);
    if (e.Estimate(r.gray, r.scale) != core::Affine2D{}) ++moved;
    ++frames;
  }
  ASSERT_EQ(frames, 60);
  EXPECT_LE(moved, 2) << "a fixed camera reported as moving";
}

}  // namespace
}  // namespace argus::motion
