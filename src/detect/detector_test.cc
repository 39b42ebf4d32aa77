#include "detect/detector.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "detect/coco.h"
#include "detect/frame_eval.h"

namespace argus::detect {
namespace {

constexpr const char* kVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

std::string SharedDir() {
  if (const char* d = std::getenv("ARGUS_SHARED_DIR")) return d;
  return std::string(ARGUS_SOURCE_DIR) + "/../shared";
}

TEST(ParseDetectorSpec, KindsAndErrors) {
  EXPECT_EQ(ParseDetectorSpec("builtin")->kind, "builtin");
  EXPECT_EQ(ParseDetectorSpec("hog")->kind, "hog");
  auto missing = ParseDetectorSpec("onnx:/no/such/model.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/no/such/model.onnx"), std::string::npos);
  EXPECT_EQ(ParseDetectorSpec("onnx:").status().code(), core::StatusCode::kInvalidArgument);
  auto bad = ParseDetectorSpec("yolo");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("builtin, hog or onnx"), std::string::npos);

  const std::string tmp = ::testing::TempDir() + "/argus_fake_model.onnx";
  {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    std::fclose(f);
  }
  auto onnx = ParseDetectorSpec("onnx:" + tmp);
  ASSERT_TRUE(onnx.ok());
  EXPECT_EQ(onnx->kind, "onnx");
  EXPECT_EQ(onnx->model_path, tmp);
  // An empty file is not a model: a clear error, not a crash.
  EXPECT_FALSE(MakeDetector(*onnx).ok());
  std::remove(tmp.c_str());
}

TEST(MakeDetector, RejectsUnknownClasses) {
  DetectorConfig c;
  c.classes = {"person", "unicorn"};
  EXPECT_FALSE(MakeDetector(c).ok());
  c.kind = "hog";
  c.classes = {"car"};
  EXPECT_FALSE(MakeDetector(c).ok());
  EXPECT_EQ(*ClassIds({"person", "truck"}), (std::vector<int>{0, 7}));
  EXPECT_EQ(CocoLabel(2), "car");
  EXPECT_EQ(CocoClassId("toothbrush"), 79);
}

TEST(FrameEval, GreedyMatchingAndIgnoredRegions) {
  const std::vector<core::Box> gt = {{0, 0, 10, 20}, {100, 0, 10, 20}, {200, 0, 10, 20}};
  const std::vector<core::Box> ignore = {{300, 0, 10, 20}};
  const std::vector<core::Box> det = {
      {1, 0, 10, 20},    // matches gt 0 (IoU 0.82)
      {0, 1, 10, 20},    // duplicate of gt 0: false positive
      {105, 0, 10, 20},  // IoU 1/3 with gt 1: false positive, gt 1 missed
      {300, 1, 10, 20},  // on an ignored person: not counted
  };
  FrameEvalStats s;
  AccumulateFrame(gt, ignore, det, 0.5, &s);
  EXPECT_EQ(s.gt, 3);
  EXPECT_EQ(s.tp, 1);
  EXPECT_EQ(s.fp, 2);
  EXPECT_EQ(s.fn, 2);
  EXPECT_NEAR(s.Moda(), 1.0 - 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.Precision(), 1.0 / 3.0, 1e-12);
}

// Synthetic scene: people-sized dark rectangles walking over a textured ground.
cv::Mat Ground() {
  cv::RNG rng(42);
  cv::Mat blocks(480 / 24, 640 / 24 + 1, CV_8UC3);
  rng.fill(blocks, cv::RNG::UNIFORM, cv::Scalar::all(90), cv::Scalar::all(170));
  cv::Mat big;
  cv::resize(blocks, big, cv::Size(blocks.cols * 24, 480), 0, 0, cv::INTER_NEAREST);
  return big(cv::Rect(0, 0, 640, 480)).clone();
}

TEST(BuiltinDetector, FindsWalkersAndSplitsAPairSideBySide) {
  DetectorConfig c;
  auto det = MakeDetector(c);
  ASSERT_TRUE(det.ok());
  EXPECT_EQ((*det)->name(), "builtin");
  motion::MotionDetector md;
  const cv::Mat ground = Ground();
  cv::RNG rng(1);
  std::vector<track::Detection> last;
  std::vector<cv::Rect> people;
  // A long empty prelude: MOG2 learns fast while its history is short, and
  // would absorb the second of two similar dark walkers.
  constexpr int kStart = 100;
  for (int f = 0; f < kStart + 20; ++f) {
    cv::Mat img = ground.clone();
    people.clear();
    if (f >= kStart) {
      const int dx = 4 * (f - kStart);
      people = {cv::Rect(60 + dx, 100, 30, 72),   // alone
                cv::Rect(300 + dx, 300, 30, 72),  // a pair walking shoulder to shoulder
                cv::Rect(330 + dx, 300, 30, 72)};
      cv::rectangle(img, people[0], cv::Scalar(30, 30, 60), cv::FILLED);
      cv::rectangle(img, people[1], cv::Scalar(40, 20, 20), cv::FILLED);
      cv::rectangle(img, people[2], cv::Scalar(20, 40, 20), cv::FILLED);
    }
    cv::Mat noise(img.size(), CV_8UC3);
    rng.fill(noise, cv::RNG::UNIFORM, cv::Scalar::all(0), cv::Scalar::all(4));
    img += noise;
    const motion::MotionResult m = md.Process(img, f / 10.0);
    auto d = (*det)->Detect(img, &m);
    ASSERT_TRUE(d.ok());
    if (f < kStart && f > 12) {
      EXPECT_TRUE(d->empty()) << "frame " << f;
    }
    last = *d;
  }
  ASSERT_EQ(last.size(), 3u);
  for (const cv::Rect& p : people) {
    const core::Box truth{double(p.x), double(p.y), double(p.width), double(p.height)};
    double best = 0;
    for (const auto& d : last) {
      EXPECT_EQ(d.label, "person");
      EXPECT_GT(d.score, 0.f);
      EXPECT_LE(d.score, 1.f);
      best = std::max(best, core::IoU(truth, d.box));
    }
    EXPECT_GT(best, 0.7) << "person at x=" << p.x;
  }
}

TEST(BuiltinDetector, RunsItsOwnMotionWithoutAMotionResult) {
  auto det = MakeDetector(DetectorConfig{});
  ASSERT_TRUE(det.ok());
  const cv::Mat ground = Ground();
  std::vector<track::Detection> last;
  for (int f = 0; f < 30; ++f) {
    cv::Mat img = ground.clone();
    if (f >= 20) cv::rectangle(img, cv::Rect(100 + 5 * f, 200, 32, 76), cv::Scalar::all(20), -1);
    auto d = (*det)->Detect(img, nullptr);
    ASSERT_TRUE(d.ok());
    last = *d;
  }
  ASSERT_EQ(last.size(), 1u);
  EXPECT_GT(core::IoU(last[0].box, core::Box{100 + 5 * 29, 200, 32, 76}), 0.7);
}

// Ground truth of a vtest.avi frame (frame-aligned with PETS09-S2L1).
struct RealFrame {
  cv::Mat img;
  std::vector<core::Box> gt;
};

std::optional<RealFrame> LoadRealFrame(int frame) {
  const std::string gt_path = SharedDir() + "/data/mot15/PETS09-S2L1/gt/gt.txt";
  if (!std::filesystem::exists(kVideo) || !std::filesystem::exists(gt_path)) return std::nullopt;
  auto gt = ReadMotGroundTruth(gt_path);
  if (!gt.ok()) return std::nullopt;
  cv::VideoCapture cap(kVideo);
  RealFrame r;
  for (int i = 0; i < frame; ++i) {
    if (!cap.read(r.img)) return std::nullopt;
  }
  r.gt = gt->evaluated[frame];
  return r;
}

int Matches(const std::vector<core::Box>& gt, const std::vector<track::Detection>& dets) {
  std::vector<core::Box> boxes;
  for (const auto& d : dets) boxes.push_back(d.box);
  FrameEvalStats s;
  AccumulateFrame(gt, {}, boxes, 0.5, &s);
  return s.tp;
}

TEST(OnnxDetector, YoloxNanoFindsPeopleInVtest) {
  const std::string model = SharedDir() + "/models/yolox_nano.onnx";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << "shared model absent: " << model;
  auto frame = LoadRealFrame(150);
  if (!frame) GTEST_SKIP() << "vtest.avi or PETS09-S2L1 ground truth absent";
  ASSERT_GE(frame->gt.size(), 6u);

  auto cfg = ParseDetectorSpec("onnx:" + model);
  ASSERT_TRUE(cfg.ok());
  cfg->classes = {"person"};
  auto det = MakeDetector(*cfg);
  ASSERT_TRUE(det.ok()) << det.status().ToString();
  EXPECT_EQ((*det)->name(), "onnx:yolox");
  auto d = (*det)->Detect(frame->img, nullptr);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  for (const auto& x : *d) {
    EXPECT_EQ(x.label, "person");
    EXPECT_GE(x.box.x, 0);
    EXPECT_LE(x.box.Right(), frame->img.cols);
  }
  EXPECT_GE(Matches(frame->gt, *d), static_cast<int>(frame->gt.size()) / 2)
      << d->size() << " detections";

  // Motion gating: no motion regions -> no inference until the periodic pass.
  motion::MotionResult still;
  still.warming_up = false;
  still.t = 10.0;
  EXPECT_FALSE((*det)->Detect(frame->img, &still)->empty());  // first sight: full pass
  still.t = 10.5;
  EXPECT_TRUE((*det)->Detect(frame->img, &still)->empty());
  // Motion on one walker: the network looks at a window around it, finds that
  // walker, and nobody far from it.
  const core::Box walker = frame->gt[0];
  still.regions.push_back(walker);
  auto in_window = (*det)->Detect(frame->img, &still);
  ASSERT_TRUE(in_window.ok());
  EXPECT_EQ(Matches({walker}, *in_window), 1);
  for (const auto& x : *in_window) {
    EXPECT_LT(core::Distance(x.box.Center(), walker.Center()), 2 * walker.h) << x.box.x;
  }
  still.regions.clear();
  still.t = 11.0;
  EXPECT_TRUE((*det)->Detect(frame->img, &still)->empty());
  still.t = 10.5 + kDefaultFullFrameEveryS;
  EXPECT_FALSE((*det)->Detect(frame->img, &still)->empty());  // periodic pass
}

TEST(HogDetector, FindsAPersonInAnUpscaledCrop) {
  auto frame = LoadRealFrame(150);
  if (!frame) GTEST_SKIP() << "vtest.avi or PETS09-S2L1 ground truth absent";
  // The largest annotated person, with context around.
  core::Box p = frame->gt[0];
  for (const auto& b : frame->gt) {
    if (b.Area() > p.Area()) p = b;
  }
  const cv::Rect crop =
      cv::Rect(int(p.x - p.w), int(p.y - p.h / 3), int(3 * p.w), int(p.h * 5 / 3)) &
      cv::Rect(0, 0, frame->img.cols, frame->img.rows);
  DetectorConfig c;
  c.kind = "hog";
  c.hog_upscale = 1.6;
  c.score_threshold = 0.1f;
  auto det = MakeDetector(c);
  ASSERT_TRUE(det.ok());
  auto d = (*det)->Detect(frame->img(crop).clone(), nullptr);
  ASSERT_TRUE(d.ok());
  const core::Box truth{p.x - crop.x, p.y - crop.y, p.w, p.h};
  double best = 0;
  for (const auto& x : *d) best = std::max(best, core::IoU(x.box, truth));
  EXPECT_GT(best, 0.4) << d->size() << " detections";
}

}  // namespace
}  // namespace argus::detect
