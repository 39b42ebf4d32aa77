#include "app/live_view.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "app/testing/picture_detail.h"
#include "motion/motion.h"
#include "track/mot_io.h"

namespace argus::app {
namespace {

using api::FrameVariant;
using testing::Detail;

TEST(LiveView, ShowsAFewFramesASecondAndBlursOnlyWhileAViewerWatches) {
  core::FakeClock clock(core::WallTime{std::chrono::hours(1000)});
  api::FrameHub frames(clock);
  config::CameraConfig cam;
  cam.name = "hall";
  LiveView view(cam, frames, clock);
  const cv::Mat bgr(120, 160, CV_8UC3, cv::Scalar(40, 80, 120));
  const BlurPlan people{.whole = false, .boxes = {{20, 20, 40, 80}}};
  auto seq = [&](FrameVariant v) {
    auto f = frames.Latest("hall", v);
    return f ? f->seq : 0;
  };

  view.Update(bgr, {}, people, 0);
  EXPECT_EQ(seq(FrameVariant::kClear), 1u);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kBlurred)) << "nobody asked for it";
  clock.Advance(std::chrono::milliseconds(100));
  view.Update(bgr, {}, people, 0.1);  // within 1 / kLiveViewFps: not encoded again
  EXPECT_EQ(seq(FrameVariant::kClear), 1u);

  // A viewer asks (an MJPEG stream waiting for the blurred variant).
  EXPECT_FALSE(frames.WaitNewer("hall", 0, std::chrono::milliseconds(0), FrameVariant::kBlurred));
  clock.Advance(std::chrono::seconds(1));
  view.Update(bgr, {}, people, 1.1);
  EXPECT_EQ(seq(FrameVariant::kClear), 2u);
  EXPECT_TRUE(frames.Has("hall", FrameVariant::kBlurred));

  // The viewer left: the blurred picture goes, so a later viewer never gets a stale one.
  clock.Advance(std::chrono::seconds(static_cast<int>(kBlurredViewWantedS) + 1));
  view.Update(bgr, {}, people, 7);
  EXPECT_EQ(seq(FrameVariant::kClear), 3u);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kBlurred));
}

TEST(LiveView, MakesWallTilesOnlyWhileAWallAsksAndAtMostOnceASecond) {
  core::FakeClock clock(core::WallTime{std::chrono::hours(1000)});
  api::FrameHub frames(clock);
  config::CameraConfig cam;
  cam.name = "hall";
  LiveView view(cam, frames, clock);
  const cv::Mat bgr(480, 640, CV_8UC3, cv::Scalar(40, 80, 120));
  const BlurPlan people{.whole = false, .boxes = {{20, 20, 40, 80}}};
  auto tile_seq = [&] {
    auto f = frames.Latest("hall", FrameVariant::kClearTile);
    return f ? f->seq : 0;
  };
  view.Update(bgr, {}, people, 0);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kClearTile)) << "no wall asked";

  // A wall asks: the next picture brings a tile, scaled to kTileWidthPx.
  EXPECT_FALSE(frames.WaitNewer("hall", 0, std::chrono::milliseconds(0), FrameVariant::kClearTile));
  clock.Advance(std::chrono::seconds(1));
  view.Update(bgr, {}, people, 1);
  auto tile = frames.Latest("hall", FrameVariant::kClearTile);
  ASSERT_TRUE(tile);
  const cv::Mat small =
      cv::imdecode(std::vector<uchar>(tile->jpeg->begin(), tile->jpeg->end()), cv::IMREAD_COLOR);
  EXPECT_EQ(small.size(), cv::Size(kTileWidthPx, 240));
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kBlurredTile)) << "only the variant asked for";

  // The live view shows twice a second, the tile is made once a second.
  clock.Advance(std::chrono::milliseconds(600));
  view.Update(bgr, {}, people, 1.6);
  EXPECT_EQ(tile_seq(), 1u);
  clock.Advance(std::chrono::milliseconds(600));
  view.Update(bgr, {}, people, 2.2);
  EXPECT_EQ(tile_seq(), 2u);

  // The wall left: the tile goes, so a later wall never gets a stale one.
  clock.Advance(std::chrono::seconds(static_cast<int>(kTileWantedS) + 1));
  view.Update(bgr, {}, people, 40);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kClearTile));
}

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
// PETS09-S2L1 view 1 is vtest.avi; its ground truth says where the people are.
const std::string kVtestTruth =
    std::string(ARGUS_SOURCE_DIR) + "/../shared/data/mot15/PETS09-S2L1/gt/gt.txt";
constexpr double kVtestFps = 7;

// `bgr` after the live view's JPEG encoding, as a viewer would see it unblurred.
cv::Mat AsJpeg(const cv::Mat& bgr) {
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, kLiveViewJpegQuality});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

// What a viewer of camera "hall" gets: the blurred variant's JPEG, decoded.
class ViewerOf {
 public:
  ViewerOf() : frames_(clock_), view_(Camera(), frames_, clock_) {}
  // Shows `bgr` with `privacy` while a viewer watches, and returns the viewer's picture.
  cv::Mat Show(const cv::Mat& bgr, const BlurPlan& privacy) {
    frames_.WaitNewer("hall", 0, std::chrono::milliseconds(0), api::FrameVariant::kBlurred);
    clock_.Advance(std::chrono::seconds(1));
    view_.Update(bgr, {}, privacy, ++t_);
    auto f = frames_.Latest("hall", api::FrameVariant::kBlurred);
    if (!f) return {};
    return cv::imdecode(std::vector<uchar>(f->jpeg->begin(), f->jpeg->end()), cv::IMREAD_COLOR);
  }

 private:
  static const config::CameraConfig& Camera() {
    static const config::CameraConfig cam = [] {
      config::CameraConfig c;
      c.name = "hall";
      return c;
    }();
    return cam;
  }
  core::FakeClock clock_{core::WallTime{std::chrono::hours(1000)}};
  api::FrameHub frames_{clock_};
  LiveView view_;
  double t_ = 0;
};

// A still picture's motion analysis: 64x48 analysis pixels for 320x240, nothing moving.
const core::GrayImage kStill(64, 48, 100), kNoMotion(64, 48, 0);
constexpr double kStillScale = 5;

TEST(LiveView, ViewersSeeNoDetailAnywhereUntilTheAnalysisCanBeTrusted) {
  const cv::Mat bgr = testing::Textured(320, 240, 7);
  const cv::Rect corner(250, 10, 60, 60);            // far from the only box below
  const double sharp = Detail(AsJpeg(bgr), corner);  // what a viewer sees unblurred
  ViewerOf viewer;
  PrivacyGuard guard(/*detect_fps=*/5);
  auto corner_detail = [&](double t) {
    const cv::Mat seen = viewer.Show(bgr, guard.Plan(t));
    return seen.empty() ? -1.0 : Detail(seen, corner);
  };
  auto analysed = [&](double t, bool learning, std::vector<core::Box> boxes) {
    guard.Analysed(t, kStill, kNoMotion, kStillScale, learning, std::move(boxes));
  };
  // No analysis yet: nobody knows where the people are.
  EXPECT_LT(corner_detail(0), sharp / 20) << "before any analysis";
  // The background model is still learning: its motion regions mean nothing yet.
  analysed(1, /*learning=*/true, {{20, 20, 40, 80}});
  EXPECT_LT(corner_detail(1), sharp / 20) << "while the background is learnt";
  // Learnt, but the picture is not yet proven to hold no one (a person still since the
  // first frame is part of the background).
  analysed(2, false, {{20, 20, 40, 80}});
  EXPECT_LT(corner_detail(2.1), sharp / 20) << "before the scene is proven";
  // Nothing changed for the quiet time: only the box is blurred, the corner is clear.
  const double t = 1 + kSceneProofQuietS;
  analysed(t, false, {{20, 20, 40, 80}});
  EXPECT_GT(corner_detail(t + 0.1), sharp / 2) << "a trusted analysis blurs its boxes only";
  // Too old (the camera stopped being analysed), or before it (the stream restarted).
  EXPECT_LT(corner_detail(t + kBlurPlanMaxAgeS + 0.1), sharp / 20) << "a stale analysis";
  EXPECT_LT(corner_detail(t - 0.5), sharp / 20) << "a frame older than the analysis";
  // The analysis of a frame failed.
  guard.Failed();
  EXPECT_LT(corner_detail(t + 0.1), sharp / 20) << "after a failed analysis";
  analysed(t + 1, false, {});
  EXPECT_GT(corner_detail(t + 1), sharp / 2) << "a good analysis ends it";
}

// Every person of gt.txt in frame `number` whole inside the picture and tall enough to
// identify (the far ones are a few pixels).
std::vector<core::Box> PeopleInTruth(const std::vector<track::MotRow>& truth, int number, int w,
                                     int h) {
  std::vector<core::Box> out;
  for (const track::MotRow& r : truth) {
    const core::Box& b = r.box;
    if (r.frame == number && r.conf > 0 && b.x >= 0 && b.y >= 0 && b.Right() <= w &&
        b.Bottom() <= h && b.h >= 50)
      out.push_back(b);
  }
  return out;
}

cv::Rect ToRect(const core::Box& b) {
  return {static_cast<int>(b.x), static_cast<int>(b.y), static_cast<int>(b.w),
          static_cast<int>(b.h)};
}

class LiveViewOfVtest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kVtest)) GTEST_SKIP() << kVtest << " missing (opencv-doc)";
    if (!std::filesystem::exists(kVtestTruth))
      GTEST_SKIP() << kVtestTruth << " missing (the shared test data, ../shared)";
    auto rows = track::ReadMotFile(kVtestTruth);
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    truth = std::move(*rows);
  }
  std::vector<track::MotRow> truth;
};

// The detector finds nobody, ever (an empty detection list, no track), and three people
// stand still from the first frame (ids 9, 15, 19: part of the background model from the
// start). Along the whole of vtest.avi, every person of the ground truth is blurred for
// viewers all the same: walking ones by their motion, still ones because the place they
// stand was never proven to be scene.
TEST_F(LiveViewOfVtest, EveryPersonIsBlurredWhenTheDetectorMissesEveryone) {
  cv::VideoCapture cap(kVtest);
  motion::MotionDetector detector;
  PrivacyGuard guard(kVtestFps);
  ViewerOf viewer;
  constexpr int kEvery = 5;  // frames checked (a blur and a JPEG each)
  int people = 0, blurred = 0, checked = 0;
  double frame_blurred = 0, late_blurred = 0;
  int late = 0;
  cv::Mat bgr;
  for (int number = 1; cap.read(bgr); ++number) {
    const double t = number / kVtestFps;
    const motion::MotionResult m = detector.Process(bgr, t);
    guard.Analysed(t, m.gray, m.mask, m.scale, m.warming_up,
                   BoxesToBlur(/*tracks=*/{}, /*held=*/{}, /*detections=*/{}, m.regions));
    if (number % kEvery) continue;
    const BlurPlan plan = guard.Plan(t);
    const cv::Mat seen = viewer.Show(bgr, plan);
    ASSERT_FALSE(seen.empty());
    // The share of the picture blurred: pixels the blur changed visibly.
    cv::Mat diff, gray;
    cv::absdiff(seen, AsJpeg(bgr), diff);
    cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
    const double share = static_cast<double>(cv::countNonZero(gray > 12)) / gray.total();
    frame_blurred += share;
    ++checked;
    if (t > 2 * kSceneProofQuietS) {
      late_blurred += share;
      ++late;
    }
    for (const core::Box& p : PeopleInTruth(truth, number, bgr.cols, bgr.rows)) {
      const double before = Detail(AsJpeg(bgr), ToRect(p)), after = Detail(seen, ToRect(p));
      ++people;
      blurred += after < before / 8;
      EXPECT_LT(after, before / 8)
          << "frame " << number << ", person at " << p.x << "," << p.y << " " << p.w << "x" << p.h
          << ": detail " << before << " -> " << after << (plan.whole ? " (whole)" : "");
    }
  }
  ASSERT_GT(people, 500);
  const double late_share = late ? late_blurred / late : 1;
  std::printf(
      "people blurred: %d of %d in %d frames; pixels the blur visibly changed: %.0f%% on average, "
      "%.0f%% after %.0f s\n",
      blurred, people, checked, 100 * frame_blurred / checked, 100 * late_share,
      2 * kSceneProofQuietS);
}

// A person who stopped: no detection, no motion (they are still), but the tracker still
// holds their track (lost, at its predicted place). They are blurred even where the
// picture was proven (here a frame watched unchanged for the quiet time).
TEST_F(LiveViewOfVtest, APersonWhoseTrackIsOnlyHeldIsBlurred) {
  constexpr int kFrame = 60;
  cv::VideoCapture cap(kVtest);
  motion::MotionDetector detector;
  motion::MotionResult m;
  cv::Mat bgr;
  for (int i = 1; i <= kFrame && cap.read(bgr); ++i) m = detector.Process(bgr, i / kVtestFps);
  const std::vector<core::Box> people = PeopleInTruth(truth, kFrame, bgr.cols, bgr.rows);
  ASSERT_GE(people.size(), 2u);
  // Two people far enough apart that one's blur margin does not reach the other.
  const core::Box still = people[0];
  const core::Box* other = nullptr;
  for (const core::Box& p : people) {
    if (std::abs(p.x - still.x) > 2 * std::max(p.w, still.w) ||
        std::abs(p.y - still.y) > 2 * std::max(p.h, still.h)) {
      other = &p;
      break;
    }
  }
  ASSERT_NE(other, nullptr);
  track::Track held;
  held.id = 4;
  held.state = track::TrackState::kLost;
  held.box = still;
  PrivacyGuard guard(kVtestFps);
  const core::GrayImage no_motion(m.gray.width, m.gray.height, 0);
  for (double t = 0; t < kSceneProofQuietS; t += 1)
    guard.Analysed(t, m.gray, no_motion, m.scale, false, {});
  guard.Analysed(kSceneProofQuietS, m.gray, no_motion, m.scale, false,
                 BoxesToBlur({}, {held}, {}, {}));
  ViewerOf viewer;
  const cv::Mat seen = viewer.Show(bgr, guard.Plan(kSceneProofQuietS));
  ASSERT_FALSE(seen.empty());
  EXPECT_LT(Detail(seen, ToRect(still)), Detail(bgr, ToRect(still)) / 8);
  EXPECT_GT(Detail(seen, ToRect(*other)), Detail(AsJpeg(bgr), ToRect(*other)) / 2)
      << "a picture watched unchanged for the quiet time is clear outside the boxes";
}

}  // namespace
}  // namespace argus::app
