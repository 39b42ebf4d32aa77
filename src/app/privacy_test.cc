#include "app/privacy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>

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

// Source pixels per analysis pixel in the tests below: a 64x48 analysis frame of 320x240.
constexpr double kScale = 5;
const core::GrayImage kStill(64, 48, 100);
const core::GrayImage kNoMotion(64, 48, 0);

// A guard whose scene proof watched a still picture long enough to trust all of it, up to
// stream time `until`.
void Settle(PrivacyGuard& guard, double until) {
  for (double t = until - kSceneProofQuietS - 1; t <= until; t += 1)
    guard.Analysed(t, kStill, kNoMotion, kScale, false, {});
}

TEST(PrivacyGuard, TrustsOnlyAFreshAnalysisWithALearntBackground) {
  PrivacyGuard guard(/*detect_fps=*/5);
  EXPECT_TRUE(guard.Plan(0).whole) << "no analysis yet";
  Settle(guard, 9);
  guard.Analysed(10, kStill, kNoMotion, kScale, /*background_learning=*/true, {{1, 1, 5, 5}});
  EXPECT_TRUE(guard.Plan(10).whole);
  Settle(guard, 10 + kSceneProofQuietS + 2);  // the relearnt background is proven again
  const double t = 11 + kSceneProofQuietS + 2;
  guard.Analysed(t, kStill, kNoMotion, kScale, false, {{1, 1, 5, 5}});
  EXPECT_FALSE(guard.Plan(t).whole);
  // The box, and the cell under it: changed just now, so unproven.
  EXPECT_EQ(guard.Plan(t + kBlurPlanMaxAgeS).boxes,
            (std::vector<core::Box>{{1, 1, 5, 5}, {0, 0, 80, 80}}));
  EXPECT_TRUE(guard.Plan(t + kBlurPlanMaxAgeS + 0.01).whole) << "stale";
  EXPECT_TRUE(guard.Plan(t - 0.5).whole) << "the stream went back (restarted)";
  guard.Failed();
  EXPECT_TRUE(guard.Plan(t).whole);

  // A camera analysed once every 4 s: its analysis stands for 2.5 periods.
  PrivacyGuard slow(/*detect_fps=*/0.25);
  Settle(slow, 0 + kSceneProofQuietS);
  EXPECT_FALSE(slow.Plan(kSceneProofQuietS + 9.9).whole);
  EXPECT_TRUE(slow.Plan(kSceneProofQuietS + 10.1).whole);
}

// The boxes of `proof` as cells of the analysis grid, "x,y" each.
std::set<std::string> Cells(const SceneProof& proof) {
  std::set<std::string> out;
  const double c = kSceneProofCellPx * kScale;
  for (const core::Box& b : proof.Unproven()) {
    for (int x = static_cast<int>(b.x / c); x < static_cast<int>(b.Right() / c); ++x)
      out.insert(std::to_string(x) + "," + std::to_string(static_cast<int>(b.y / c)));
  }
  return out;
}

TEST(SceneProof, EverythingIsUnprovenUntilItStayedTheSameForTheQuietTime) {
  SceneProof proof;
  EXPECT_EQ(proof.UnprovenShare(), 1) << "nothing seen yet";
  proof.Update(0, kStill, kNoMotion, kScale, {}, /*relearning=*/true);
  EXPECT_EQ(proof.UnprovenShare(), 1);
  EXPECT_EQ(Cells(proof).size(), 12u);  // 4 x 3 cells
  proof.Update(kSceneProofQuietS - 0.5, kStill, kNoMotion, kScale, {}, false);
  EXPECT_EQ(proof.UnprovenShare(), 1);
  proof.Update(kSceneProofQuietS, kStill, kNoMotion, kScale, {}, false);
  EXPECT_EQ(proof.UnprovenShare(), 0);
  EXPECT_TRUE(proof.Unproven().empty());
}

TEST(SceneProof, ChangesMotionAndPeopleKeepTheirCellsUnproven) {
  SceneProof proof;
  double t = 0;
  for (; t <= kSceneProofQuietS; t += 1) proof.Update(t, kStill, kNoMotion, kScale, {}, false);
  ASSERT_EQ(proof.UnprovenShare(), 0);

  // A slow sway: 2 levels a second is noise frame to frame, but it adds up past the level
  // within the quiet time, in cell (1,1) only.
  core::GrayImage swaying = kStill;
  for (int step = 1; step <= 15; ++step, t += 1) {
    for (int y = 20; y < 26; ++y) {
      for (int x = 20; x < 24; ++x) swaying.at(x, y) = static_cast<uint8_t>(100 + 2 * step);
    }
    proof.Update(t, swaying, kNoMotion, kScale, {}, false);
  }
  EXPECT_EQ(Cells(proof), (std::set<std::string>{"1,1"}));

  // Foreground in the mask (cell 3,2), a box that might be a person (source pixels
  // 0..100 x 170..230: cells 0..1 x 2).
  core::GrayImage moving = kNoMotion;
  for (int y = 40; y < 44; ++y) {
    for (int x = 50; x < 54; ++x) moving.at(x, y) = 255;
  }
  proof.Update(t, swaying, moving, kScale, {{0, 170, 100, 60}}, false);
  EXPECT_EQ(Cells(proof), (std::set<std::string>{"1,1", "0,2", "1,2", "3,2"}));
  EXPECT_EQ(proof.UnprovenShare(), 4.0 / 12);
  // Each stays unproven for the quiet time after its last change, then is proven (the
  // sway's cell first: it changed last 6 s earlier).
  proof.Update(t + kSceneProofQuietS - 7, swaying, kNoMotion, kScale, {}, false);
  EXPECT_EQ(proof.UnprovenShare(), 4.0 / 12);
  proof.Update(t + kSceneProofQuietS - 1, swaying, kNoMotion, kScale, {}, false);
  EXPECT_EQ(Cells(proof), (std::set<std::string>{"0,2", "1,2", "3,2"}));
  proof.Update(t + kSceneProofQuietS, swaying, kNoMotion, kScale, {}, false);
  EXPECT_EQ(proof.UnprovenShare(), 0);

  // A relearnt background model, a new picture size or a restarted stream: start over.
  proof.Update(t + kSceneProofQuietS + 1, swaying, kNoMotion, kScale, {}, /*relearning=*/true);
  EXPECT_EQ(proof.UnprovenShare(), 1);
}

}  // namespace
}  // namespace argus::app
