// Per-frame cost of motion analysis and of each detector backend on the real
// PETS09 video (vtest.avi), single-threaded unless ARGUS_BENCH_THREADS is set.
//   build-*/bin/detect_bench [--benchmark_filter=Motion]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

#include "detect/detector.h"
#include "motion/motion.h"

namespace {

using argus::motion::MotionDetector;
using argus::motion::MotionResult;

constexpr const char* kVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
constexpr int kFrames = 200;
constexpr double kFps = 7;

const std::vector<cv::Mat>& Frames() {
  static const std::vector<cv::Mat> frames = [] {
    std::vector<cv::Mat> v;
    cv::VideoCapture cap(kVideo);
    cv::Mat f;
    while (static_cast<int>(v.size()) < kFrames && cap.read(f)) v.push_back(f.clone());
    return v;
  }();
  return frames;
}

std::string SharedDir() {
  if (const char* d = std::getenv("ARGUS_SHARED_DIR")) return d;
  return "/work/shared";
}

void SetThreads() {
  const char* t = std::getenv("ARGUS_BENCH_THREADS");
  cv::setNumThreads(t ? std::atoi(t) : 1);
}

void BM_Resize(benchmark::State& state) {
  SetThreads();
  const auto& frames = Frames();
  if (frames.empty()) return state.SkipWithError("vtest.avi not found");
  size_t i = 0;
  cv::Mat small;
  for (auto _ : state) {
    cv::resize(frames[i++ % frames.size()], small, cv::Size(320, 240), 0, 0,
               static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(small.data);
  }
}
BENCHMARK(BM_Resize)->Arg(cv::INTER_AREA)->Arg(cv::INTER_LINEAR)->Unit(benchmark::kMillisecond);

void BM_Motion(benchmark::State& state) {
  SetThreads();
  const auto& frames = Frames();
  if (frames.empty()) return state.SkipWithError("vtest.avi not found");
  MotionDetector md;
  size_t i = 0;
  for (auto _ : state) {
    MotionResult r = md.Process(frames[i % frames.size()], i / kFps);
    ++i;
    benchmark::DoNotOptimize(r.regions.data());
  }
}
BENCHMARK(BM_Motion)->Unit(benchmark::kMillisecond);

// Motion + detector, as the pipeline runs them.
void RunDetector(benchmark::State& state, const std::string& spec) {
  SetThreads();
  const auto& frames = Frames();
  if (frames.empty()) return state.SkipWithError("vtest.avi not found");
  auto cfg = argus::detect::ParseDetectorSpec(spec);
  if (!cfg.ok()) return state.SkipWithError(cfg.status().message().c_str());
  cfg->classes = {"person"};
  auto det = argus::detect::MakeDetector(*cfg);
  if (!det.ok()) return state.SkipWithError(det.status().message().c_str());
  MotionDetector md;
  size_t i = 0;
  for (auto _ : state) {
    const cv::Mat& f = frames[i % frames.size()];
    MotionResult m = md.Process(f, i / kFps);
    ++i;
    auto d = (*det)->Detect(f, &m);
    benchmark::DoNotOptimize(d);
  }
}

void BM_MotionAndBuiltin(benchmark::State& state) { RunDetector(state, "builtin"); }
BENCHMARK(BM_MotionAndBuiltin)->Unit(benchmark::kMillisecond);

void BM_MotionAndHog(benchmark::State& state) { RunDetector(state, "hog"); }
BENCHMARK(BM_MotionAndHog)->Unit(benchmark::kMillisecond)->Iterations(20);

void BM_MotionAndOnnxYoloxNano(benchmark::State& state) {
  const std::string model = SharedDir() + "/models/yolox_nano.onnx";
  if (!std::filesystem::exists(model)) return state.SkipWithError("yolox_nano.onnx absent");
  RunDetector(state, "onnx:" + model);
}
BENCHMARK(BM_MotionAndOnnxYoloxNano)->Unit(benchmark::kMillisecond)->Iterations(50);

// The network alone, per image: the old square letterbox (416x416) against the
// frame's own aspect (416x320 for 768x576), and several cameras' frames in one
// batch (a forward pass of N images), which OpenCV's CPU backend does not make
// cheaper per image (measured: 62.4 ms at batch 2 and 68.6 at 4 vs 62.6 alone).
void BM_OnnxForward(benchmark::State& state) {
  SetThreads();
  const std::string model = SharedDir() + "/models/yolox_nano.onnx";
  if (!std::filesystem::exists(model)) return state.SkipWithError("yolox_nano.onnx absent");
  cv::dnn::Net net = cv::dnn::readNetFromONNX(model);
  const int batch = static_cast<int>(state.range(0));
  const cv::Mat input(std::vector<int>{batch, 3, static_cast<int>(state.range(1)),
                                       static_cast<int>(state.range(2))},
                      CV_32F, cv::Scalar(114));
  for (auto _ : state) {
    net.setInput(input);
    cv::Mat out = net.forward();
    benchmark::DoNotOptimize(out.data);
  }
  state.SetItemsProcessed(state.iterations() * batch);  // images per second
}
BENCHMARK(BM_OnnxForward)
    ->Args({1, 416, 416})
    ->Args({1, 320, 416})
    ->Args({2, 416, 416})
    ->Args({4, 416, 416})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
