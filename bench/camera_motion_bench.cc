// Per-frame cost of the camera-motion estimator (motion/camera_motion.h) on
// the real fixed camera of vtest.avi, against the motion analysis every
// analysed frame already pays (MotionDetector::Process, the baseline of the
// same run); and on the same frames panned by a shaking camera, where the
// RANSAC fit runs on every frame.
//   build/bin/camera_motion_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <vector>

#include "motion/camera_motion.h"
#include "motion/motion.h"

namespace argus::motion {
namespace {

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
constexpr int kFrames = 100;
constexpr int kShakePx = 6;  // source pixels, alternating direction

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

BENCHMARK(BM_MotionAnalysisBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CameraMotion)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace argus::motion

BENCHMARK_MAIN();
