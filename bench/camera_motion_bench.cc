// Per-frame cost of the camera-motion estimator (motion/camera_motion.h) on
// the real fixed camera of vtest.avi, against the motion analysis every
// analysed frame already pays (MotionDetector::Process, the baseline of the
// same run); and on the same frames panned by a shaking camera, where the
// RANSAC fit runs on every frame.
// Also the tamper rule's "moved" confirmation (core::MatchedCellShare) on the
// same frames, where people cover some cells and those cells search every
// tolerated shift, and on them seen by a camera turned by 10 analysis pixels,
// where every cell searches every shift (the worst case).
//   build/bin/camera_motion_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <vector>

#include "core/structure_match.h"
#include "motion/camera_motion.h"
#include "motion/motion.h"

namespace argus::motion {
namespace {

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
constexpr int kFrames = 100;
constexpr int kShakePx = 6;  // source pixels, alternating direction
constexpr int kAnalysisWidth = 320;
constexpr int kTurnPx = 10;  // analysis pixels

std::vector<cv::Mat> LoadFrames(bool shake) {
  std::vector<cv::Mat> frames;
  cv::VideoCapture cap(kVtest);
  cv::Mat f;
  while (static_cast<int>(frames.size()) < kFrames && cap.read(f)) {
    if (shake) {
      const double d = (frames.size() % 2 ? 1 : -1) * kShakePx;
      const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, d, 0, 1, d / 2);
      cv::warpAffine(f, f, m, f.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    }
    frames.push_back(f.clone());
  }
  return frames;
}

// The analysis grey frames as the pipeline hands them to the estimator.
std::vector<MotionResult> Analyse(const std::vector<cv::Mat>& frames) {
  MotionDetector md;
  std::vector<MotionResult> out;
  for (size_t i = 0; i < frames.size(); ++i) out.push_back(md.Process(frames[i], i / 7.0));
  return out;
}

void BM_MotionAnalysisBaseline(benchmark::State& state) {
  const std::vector<cv::Mat> frames = LoadFrames(false);
  if (frames.empty()) return state.SkipWithError("vtest.avi absent");
  MotionDetector md;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(md.Process(frames[i % frames.size()], i / 7.0));
    ++i;
  }
  state.counters["frames_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

void BM_CameraMotion(benchmark::State& state) {
  const std::vector<MotionResult> analysed = Analyse(LoadFrames(state.range(0) != 0));
  if (analysed.empty()) return state.SkipWithError("vtest.avi absent");
  CameraMotionEstimator e;
  size_t i = 0, moved = 0;
  for (auto _ : state) {
    const MotionResult& r = analysed[i++ % analysed.size()];
    if (e.Estimate(r.gray, r.scale) != core::Affine2D{}) ++moved;
  }
  state.SetLabel(state.range(0) ? "shaking camera" : "fixed camera (vtest)");
  state.counters["frames_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["moved_fraction"] = static_cast<double>(moved) / state.iterations();
}

// The half-size gradient field of a frame, as motion.cc computes it.
cv::Mat Field(const cv::Mat& bgr, int shift) {
  cv::Mat small, gray, half, dx, dy, g;
  cv::resize(bgr, small,
             cv::Size(kAnalysisWidth, bgr.rows * kAnalysisWidth / std::max(1, bgr.cols)), 0, 0,
             cv::INTER_AREA);
  cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  if (shift != 0) {
    const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, shift, 0, 1, 0);
    cv::warpAffine(gray, gray, m, gray.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  cv::resize(gray, half, cv::Size(gray.cols / 2, gray.rows / 2), 0, 0, cv::INTER_AREA);
  cv::Sobel(half, dx, CV_32F, 1, 0);
  cv::Sobel(half, dy, CV_32F, 0, 1);
  cv::merge(std::vector<cv::Mat>{dx, dy}, g);
  return g;
}

void BM_MatchedCellShare(benchmark::State& state) {
  const std::vector<cv::Mat> frames = LoadFrames(false);
  if (frames.empty()) return state.SkipWithError("vtest.avi absent");
  const cv::Mat reference = Field(frames.front(), 0);
  std::vector<cv::Mat> fields;
  for (const cv::Mat& f : frames) fields.push_back(Field(f, state.range(0) ? kTurnPx : 0));
  size_t i = 0;
  double share = 0;
  for (auto _ : state) {
    const cv::Mat& g = fields[i++ % fields.size()];
    share += core::MatchedCellShare(g.ptr<float>(), reference.ptr<float>(), g.cols, g.rows);
  }
  state.SetLabel(state.range(0) ? "camera turned" : "fixed camera (vtest)");
  state.counters["frames_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["cells_in_place"] = share / state.iterations();
}

BENCHMARK(BM_MotionAnalysisBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CameraMotion)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MatchedCellShare)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace argus::motion

BENCHMARK_MAIN();
