// The tamper rule with its defaults on real footage, through the real motion
// signals (motion::MotionDetector) and no detector, so it stays cheap:
// - ../shared/data/tamper/mirafra_Test_video2.mp4: the camera is turned at
//   about frame 155 (12 fps); "moved" must come within 3 s, nothing before;
// - vtest.avi (Debian's opencv-doc) with one frame repeated for 4 s in the
//   middle (a hung encoder): "frozen" within 3 s, nothing on the live frames;
// - seven clips of ../shared/data/normal (crowds, doors, people at the lens):
//   nothing.
// The full per-clip evaluation is bench/events_eval.py (make bench).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

#include "app/camera_pipeline.h"
#include "config/config.h"
#include "motion/motion.h"
#include "rules/tamper.h"

namespace argus::testing {
namespace {

constexpr double kOnTimeSeconds = 3.0;

std::string SharedDir() {
  if (const char* d = std::getenv("ARGUS_SHARED_DIR")) return d;
  return std::string(ARGUS_SOURCE_DIR) + "/../shared";
}

// Feeds frames through motion signals into one TamperRule with its defaults.
class TamperRun {
 public:
  TamperRun() {
    camera_.name = "cam";
    rule_.name = "tamper";
    rule_.kind = "tamper";
    rule_.cooldown_s = 1;
    tamper_ = std::make_unique<rules::TamperRule>(rules::RuleContext{nullptr, &camera_, &rule_},
                                                  rules::TamperParams{});
  }
  void Frame(const cv::Mat& bgr, int64_t number, double t) {
    const motion::MotionResult m = motion_.Process(bgr, t);
    const rules::SceneInput scene = app::SceneOf(m);
    rules::FrameInput in;
    in.frame = number;
    in.t = t;
    in.width = bgr.cols;
    in.height = bgr.rows;
    in.scene = &scene;
    tamper_->Process(in, &out_);
  }
  // Every frame of a video file at its own rate; returns the rate (0: unreadable).
  double Clip(const std::string& path) {
    cv::VideoCapture cap(path);
    const double fps = cap.isOpened() ? cap.get(cv::CAP_PROP_FPS) : 0;
    if (fps <= 0) return 0;
    cv::Mat frame;
    int64_t n = 0;
    while (cap.read(frame)) {
      ++n;
      Frame(frame, n, (n - 1) / fps);
    }
    return n > 0 ? fps : 0;
  }
  std::vector<const events::Event*> Starts() const {
    std::vector<const events::Event*> v;
    for (const auto& e : out_) {
      if (e.phase == events::Phase::kStart) v.push_back(&e);
    }
    return v;
  }

 private:
  config::CameraConfig camera_;
  config::RuleConfig rule_;
  motion::MotionDetector motion_;
  std::unique_ptr<rules::TamperRule> tamper_;
  std::vector<events::Event> out_;
};

TEST(TamperRealTest, CameraTurnedIsMovedWithinThreeSeconds) {
  const std::string clip = SharedDir() + "/data/tamper/mirafra_Test_video2.mp4";
  if (!std::filesystem::exists(clip)) GTEST_SKIP() << "no " << clip << " (../shared absent)";
  constexpr int64_t kOnset = 155;  // data/README.md: turned ~155-189, +-10 frames
  TamperRun run;
  const double fps = run.Clip(clip);
  ASSERT_GT(fps, 0) << "cannot read " << clip;
  const auto starts = run.Starts();
  ASSERT_FALSE(starts.empty()) << "the turn was missed";
  EXPECT_EQ(starts[0]->details["reason"], "moved");
  EXPECT_GE(starts[0]->frame, kOnset - 10) << "alert before the turn";
  EXPECT_LE(starts[0]->frame, kOnset + static_cast<int64_t>(kOnTimeSeconds * fps));
}

TEST(TamperRealTest, RepeatedFrameIsFrozenAndLiveVideoIsNot) {
  const std::string clip = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  if (!std::filesystem::exists(clip)) GTEST_SKIP() << "no " << clip << " (opencv-doc)";
  cv::VideoCapture cap(clip);
  ASSERT_TRUE(cap.isOpened());
  constexpr double kFps = 10;
  constexpr int kLive = 120, kRepeats = 40, kAfter = 40;
  TamperRun run;
  cv::Mat frame, still;
  int64_t n = 0;
  auto feed = [&](const cv::Mat& f) {
    ++n;
    run.Frame(f, n, n / kFps);
  };
  for (int i = 0; i < kLive && cap.read(frame); ++i) feed(frame);
  ASSERT_EQ(n, kLive);
  EXPECT_TRUE(run.Starts().empty()) << "alarm on live video";
  still = frame.clone();
  const int64_t onset = n + 1;
  for (int i = 0; i < kRepeats; ++i) feed(still);
  for (int i = 0; i < kAfter && cap.read(frame); ++i) feed(frame);
  const auto starts = run.Starts();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->details["reason"], "frozen");
  EXPECT_LE(starts[0]->frame, onset + static_cast<int64_t>(kOnTimeSeconds * kFps));
}

// Clips of ../shared/data/normal that raised "moved" when the whole-frame
// match alone decided: a lobby, a handheld phone filming a monitor, a dense
// crowd, close passers-by, a box carried at the lens, two doors opening (IR).
TEST(TamperRealTest, CrowdsDoorsAndPeopleAtTheLensAreNotTampering) {
  const std::string dir = SharedDir() + "/data/normal/";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no " << dir << " (../shared absent)";
  for (const char* name :
       {"nofi001", "nofi015", "nofi049", "nofi107", "nofi131", "nofi137", "nofi143"}) {
    TamperRun run;
    ASSERT_GT(run.Clip(dir + name + ".mp4"), 0) << "cannot read " << name;
    for (const events::Event* e : run.Starts()) {
      ADD_FAILURE() << name << ": " << e->details["reason"] << " at frame " << e->frame;
    }
  }
}

}  // namespace
}  // namespace argus::testing
