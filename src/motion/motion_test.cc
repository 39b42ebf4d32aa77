#include "motion/motion.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace argus::motion {
namespace {

constexpr int kW = 640;
constexpr int kH = 480;
constexpr double kFps = 10;

// A fixed random block texture (24x24 source-pixel blocks, grey levels 60..200):
// every 32-pixel cell holds a block edge.
cv::Mat Texture(int shift_x = 0, int shift_y = 0) {
  constexpr int kBlock = 24;
  cv::RNG rng(1234);
  cv::Mat blocks(kH / kBlock + 4, kW / kBlock + 4, CV_8UC3);
  rng.fill(blocks, cv::RNG::UNIFORM, cv::Scalar::all(60), cv::Scalar::all(200));
  cv::Mat big;
  cv::resize(blocks, big, cv::Size(blocks.cols * kBlock, blocks.rows * kBlock), 0, 0,
             cv::INTER_NEAREST);
  return big(cv::Rect(shift_x, shift_y, kW, kH)).clone();
}

cv::Mat WithNoise(const cv::Mat& img, cv::RNG& rng, double sigma) {
  cv::Mat noise(img.size(), CV_16SC3);
  rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(sigma));
  cv::Mat out;
  cv::Mat img16;
  img.convertTo(img16, CV_16SC3);
  cv::add(img16, noise, img16);
  img16.convertTo(out, CV_8UC3);
  return out;
}

double BoxIoU(const core::Box& a, const cv::Rect& b) {
  return core::IoU(a, core::Box{double(b.x), double(b.y), double(b.width), double(b.height)});
}

TEST(MotionDetector, MovingSquareIsOneRegionInSourcePixels) {
  MotionDetector md;
  const cv::Mat bg = Texture();
  cv::RNG rng(7);
  int f = 0;
  for (; f < 40; ++f) {
    MotionResult r = md.Process(WithNoise(bg, rng, 3), f / kFps);
    if (f >= kDefaultWarmupFrames + 5) {
      EXPECT_TRUE(r.regions.empty()) << "static noisy frame " << f;
      EXPECT_LT(r.changed_fraction, 0.01);
    }
  }
  for (int step = 0; step < 20; ++step, ++f) {
    cv::Mat img = bg.clone();
    const cv::Rect square(100 + 8 * step, 150, 60, 120);
    img(square).setTo(cv::Scalar(20, 20, 20));
    MotionResult r = md.Process(WithNoise(img, rng, 3), f / kFps);
    EXPECT_DOUBLE_EQ(r.scale, 2.0);
    ASSERT_EQ(r.gray.width, 320);
    ASSERT_EQ(r.gray.height, 240);
    ASSERT_EQ(r.mask.width, 320);
    EXPECT_FALSE(r.warming_up);
    if (step < 2) continue;
    ASSERT_EQ(r.regions.size(), 1u) << "step " << step;
    EXPECT_GT(BoxIoU(r.regions[0], square), 0.85) << "step " << step;
    const double square_fraction = double(square.area()) / (kW * kH);
    EXPECT_NEAR(r.changed_fraction, square_fraction, 0.5 * square_fraction);
    // The mask is 255 inside the square and 0 far from it.
    EXPECT_EQ(r.mask.at((square.x + 30) / 2, (square.y + 60) / 2), 255);
    EXPECT_EQ(r.mask.at(300, 20), 0);
  }
}

TEST(MotionDetector, GlobalBrightnessJumpIsAChangeNotARegion) {
  for (int delta : {+60, -60}) {
    MotionDetector md;
    const cv::Mat bg = Texture();
    cv::RNG rng(11);
    int f = 0;
    for (; f < 30; ++f) md.Process(WithNoise(bg, rng, 2), f / kFps);
    cv::Mat lit = bg + cv::Scalar::all(0);
    bg.convertTo(lit, -1, 1.0, delta);
    MotionResult jump = md.Process(WithNoise(lit, rng, 2), f++ / kFps);
    EXPECT_GT(jump.changed_fraction, 0.9) << "delta " << delta;
    EXPECT_TRUE(jump.warming_up);
    EXPECT_TRUE(jump.regions.empty());
    EXPECT_NEAR(jump.signals.mean_luma, 130 + delta, 3);
    // The model relearns the new lighting within a few frames.
    MotionResult later;
    for (int i = 0; i < 4; ++i) later = md.Process(WithNoise(lit, rng, 2), f++ / kFps);
    EXPECT_LT(later.changed_fraction, 0.02) << "delta " << delta;
    EXPECT_FALSE(later.warming_up);
    EXPECT_TRUE(later.regions.empty());
    // Same scene, other lighting: the structure still matches the reference.
    EXPECT_GT(later.signals.background_match, 0.8);
  }
}

TEST(MotionDetector, CoveredLensIsUniformAndBlurred) {
  MotionDetector md;
  cv::RNG rng(3);
  const cv::Mat textured = WithNoise(Texture(), rng, 2);
  MotionResult open = md.Process(textured, 0);
  EXPECT_LT(open.signals.uniform_fraction, 0.05);
  EXPECT_GT(open.signals.sharpness, 200);
  EXPECT_NEAR(open.signals.background_match, 1.0, 1e-9);

  const cv::Mat covered = WithNoise(cv::Mat(kH, kW, CV_8UC3, cv::Scalar::all(20)), rng, 1);
  MotionResult r = md.Process(covered, 0.1);
  EXPECT_GT(r.signals.uniform_fraction, 0.95);
  EXPECT_LT(r.signals.sharpness, 5);
  EXPECT_NEAR(r.signals.mean_luma, 20, 1);
  EXPECT_LT(r.signals.background_match, 0.1);
}

TEST(MotionDetector, CameraMovedLowersBackgroundMatch) {
  MotionDetector md;
  cv::RNG rng(5);
  const cv::Mat bg = Texture();
  MotionResult r;
  for (int f = 0; f < 20; ++f) r = md.Process(WithNoise(bg, rng, 2), f / kFps);
  EXPECT_GT(r.signals.background_match, 0.9);
  // The camera turned: the view moved by 44 x 30 source pixels.
  r = md.Process(WithNoise(Texture(44, 30), rng, 2), 2.0);
  EXPECT_LT(r.signals.background_match, 0.5);
}

TEST(MotionDetector, NarrowFrameIsNotUpscaled) {
  MotionDetector md;
  MotionResult r = md.Process(cv::Mat(100, 200, CV_8UC3, cv::Scalar::all(90)), 0);
  EXPECT_DOUBLE_EQ(r.scale, 1.0);
  EXPECT_EQ(r.gray.width, 200);
  EXPECT_EQ(r.gray.height, 100);
  EXPECT_EQ(r.gray.at(10, 10), 90);
}

TEST(ComputeFrameSignals, HalfCoveredFrame) {
  cv::Mat g(240, 320, CV_8U, cv::Scalar(0));
  cv::RNG rng(9);
  rng.fill(g(cv::Rect(0, 0, 160, 240)), cv::RNG::UNIFORM, 0, 255);
  g(cv::Rect(160, 0, 160, 240)).setTo(100);
  TamperSignals s = ComputeFrameSignals(g, 16, 4.0);
  EXPECT_NEAR(s.uniform_fraction, 0.5, 1e-9);
  EXPECT_NEAR(s.mean_luma, (127.5 + 100) / 2, 2);
}

}  // namespace
}  // namespace argus::motion
