#include "app/privacy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace argus::app {
namespace {

// Detail everywhere: uniform noise, the hardest case for a blur to hide.
cv::Mat Noise(int w, int h) {
  cv::Mat img(h, w, CV_8UC3);
  cv::RNG rng(12345);
  rng.fill(img, cv::RNG::UNIFORM, 0, 256);
  return img;
}

double Variance(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::Scalar mean, stddev;
  cv::meanStdDev(gray, mean, stddev);
  return stddev[0] * stddev[0];
}

// Pixels that differ between `a` and `b` where `where` is set.
int Changed(const cv::Mat& a, const cv::Mat& b, const cv::Mat& where) {
  cv::Mat diff, any;
  cv::absdiff(a, b, diff);
  cv::cvtColor(diff, any, cv::COLOR_BGR2GRAY);
  return cv::countNonZero(any & where);
}

TEST(BlurBoxes, BoxLosesItsDetailAndTheRestIsUntouched) {
  const cv::Mat original = Noise(320, 240);
  cv::Mat img = original.clone();
  const core::Box box{100, 60, 60, 120};
  BlurBoxes(img, {box});

  const cv::Rect inner(100, 60, 60, 120);
  const double before = Variance(original(inner)), after = Variance(img(inner));
  EXPECT_GT(before, 1000);
  EXPECT_LT(after, before / 50) << "before " << before << ", after " << after;
  // Blurred, not blacked out: the colour is still there.
  EXPECT_NEAR(cv::mean(img(inner))[0], cv::mean(original(inner))[0], 10);

  // The margin: 15% of the box left, right and below (9 px, 9 px, 18 px), 30% above (36 px).
  const cv::Rect grown(91, 24, 78, 174);
  cv::Mat outside(img.size(), CV_8U, cv::Scalar(255));
  outside(grown).setTo(0);
  EXPECT_EQ(Changed(original, img, outside), 0) << "pixels outside the grown box are unchanged";
  const cv::Rect left_margin(91, 60, 9, 120);
  EXPECT_LT(Variance(img(left_margin)), before / 20) << "the margin is blurred too";
  EXPECT_LT(Variance(img(cv::Rect(100, 24, 60, 36))), before / 20) << "and the headroom";
}

TEST(BlurBoxes, FineStructureTurnsFlat) {
  // A 2-pixel checkerboard: the finest detail a picture can have.
  cv::Mat img(200, 200, CV_8UC3);
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      img.at<cv::Vec3b>(y, x) = ((x / 2 + y / 2) % 2) ? cv::Vec3b(255, 255, 255) : cv::Vec3b();
    }
  }
  const double before = Variance(img(cv::Rect(50, 50, 100, 100)));
  BlurBoxes(img, {{40, 40, 120, 120}});
  EXPECT_LT(Variance(img(cv::Rect(50, 50, 100, 100))), before / 100);
}

TEST(BlurBoxes, BoxesAtTheEdgeAreClippedAndDegenerateOnesIgnored) {
  const cv::Mat original = Noise(160, 120);
  cv::Mat img = original.clone();
  BlurBoxes(img, {{-30, -30, 60, 60},  // the top-left corner
                  {0, 0, 0, 50},       // empty
                  {NAN, 10, 20, 20},
                  {500, 500, 40, 40}});  // outside the picture
  // Only the corner changed: the box (-30..30) grown by 9 px, clipped to the picture.
  cv::Mat outside(img.size(), CV_8U, cv::Scalar(255));
  outside(cv::Rect(0, 0, 39, 39)).setTo(0);
  EXPECT_EQ(Changed(original, img, outside), 0);
  EXPECT_LT(Variance(img(cv::Rect(0, 0, 30, 30))), Variance(original(cv::Rect(0, 0, 30, 30))) / 20);
}

TEST(BoxesToBlur, TracksHeldTracksDetectionsAndMotion) {
  track::Track t, held;
  t.box = {1, 2, 3, 4};
  held.box = {9, 9, 9, 9};
  held.state = track::TrackState::kLost;
  track::Detection d;
  d.box = {5, 6, 7, 8};
  EXPECT_EQ(BoxesToBlur({t}, {held}, {d}, {{10, 11, 12, 13}}),
            (std::vector<core::Box>{{1, 2, 3, 4}, {9, 9, 9, 9}, {5, 6, 7, 8}, {10, 11, 12, 13}}));
  EXPECT_TRUE(BoxesToBlur({}, {}, {}, {}).empty());
}

TEST(ApplyBlur, WholePictureLosesItsDetail) {
  const cv::Mat original = Noise(320, 240);
  cv::Mat img = original.clone();
  ApplyBlur(img, {});  // the default plan: the whole picture
  EXPECT_LT(Variance(img), Variance(original) / 50);
  img = original.clone();
  ApplyBlur(img, {.whole = false, .boxes = {}});
  EXPECT_EQ(Changed(original, img, cv::Mat(img.size(), CV_8U, cv::Scalar(255))), 0);
}

TEST(PrivacyGuard, TrustsOnlyAFreshAnalysisWithALearntBackground) {
  PrivacyGuard guard(/*detect_fps=*/5);
  EXPECT_TRUE(guard.Plan(0).whole) << "no analysis yet";
  guard.Analysed(10, /*background_learning=*/true, {{1, 1, 5, 5}});
  EXPECT_TRUE(guard.Plan(10).whole);
  guard.Analysed(11, false, {{1, 1, 5, 5}});
  EXPECT_FALSE(guard.Plan(11).whole);
  EXPECT_EQ(guard.Plan(11 + kBlurPlanMaxAgeS).boxes, (std::vector<core::Box>{{1, 1, 5, 5}}));
  EXPECT_TRUE(guard.Plan(11 + kBlurPlanMaxAgeS + 0.01).whole) << "stale";
  EXPECT_TRUE(guard.Plan(10.5).whole) << "the stream went back (restarted)";
  guard.Failed();
  EXPECT_TRUE(guard.Plan(11).whole);

  // A camera analysed once every 4 s: its analysis stands for 2.5 periods.
  PrivacyGuard slow(/*detect_fps=*/0.25);
  slow.Analysed(0, false, {});
  EXPECT_FALSE(slow.Plan(9.9).whole);
  EXPECT_TRUE(slow.Plan(10.1).whole);
}

}  // namespace
}  // namespace argus::app
