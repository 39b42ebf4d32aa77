// Per-frame cost of the trackers against the number of detections per frame.
// People walk back and forth (period kPeriod frames) at constant density, so
// the scene looks the same at every size and the cost should grow linearly.
//   build/bin/track_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "track/appearance.h"
#include "track/byte_tracker.h"
#include "track/relink_policy.h"
#include "track/sort_tracker.h"

namespace argus::track {
namespace {

constexpr int kPeriod = 200;  // frames; the scene repeats seamlessly
constexpr double kFps = 25.0;
constexpr double kCellPx = 150;  // one person per kCellPx x kCellPx on average

std::vector<std::vector<Detection>> MakeScene(int people) {
  std::mt19937 rng(42);
  const double side = kCellPx * std::sqrt(static_cast<double>(people));
  std::uniform_real_distribution<double> pos(0, side), amp(10, 120), phase(0, 2 * M_PI),
      noise(-1.5, 1.5), score(0.3, 1.0), miss(0, 1);
  struct Walker {
    double x, y, ax, ay, ph;
  };
  std::vector<Walker> walkers(people);
  for (Walker& w : walkers) w = {pos(rng), pos(rng), amp(rng), amp(rng) / 3, phase(rng)};
  std::vector<std::vector<Detection>> frames(kPeriod);
  for (int f = 0; f < kPeriod; ++f) {
    const double a = 2 * M_PI * f / kPeriod;
    for (const Walker& w : walkers) {
      if (miss(rng) < 0.05) continue;  // the detector misses 5 % of people
      const double cx = w.x + w.ax * std::sin(a + w.ph) + noise(rng);
      const double bottom = w.y + w.ay * std::cos(a + w.ph) + noise(rng);
      frames[f].push_back({{cx - 20, bottom - 90, 40 + noise(rng), 90 + noise(rng)},
                           static_cast<float>(score(rng)),
                           "person"});
    }
  }
  return frames;
}

template <typename MakeTracker>
void RunTracker(benchmark::State& state, MakeTracker make) {
  const int people = static_cast<int>(state.range(0));
  const auto frames = MakeScene(people);
  auto tracker = make();
  int f = 0;
  // Warm up one full period so the tracker holds its steady-state tracks.
  for (; f < kPeriod; ++f) tracker->Update(frames[f % kPeriod], f / kFps);
  size_t reported = 0;
  for (auto _ : state) {
    auto out = tracker->Update(frames[f % kPeriod], f / kFps);
    reported += out.size();
    benchmark::DoNotOptimize(out.data());
    ++f;
  }
  state.SetItemsProcessed(state.iterations());  // items = frames
  state.SetComplexityN(people);
  state.counters["tracks_per_frame"] =
      benchmark::Counter(static_cast<double>(reported) / std::max<int64_t>(1, state.iterations()));
  state.counters["time_per_detection"] = benchmark::Counter(
      static_cast<double>(people),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ByteTrack(benchmark::State& state) {
  RunTracker(state, [] { return MakeByteTracker({}); });
}
void BM_Sort(benchmark::State& state) {
  RunTracker(state, [] { return MakeSortTracker({}); });
}

// Appearance re-linking's share of a frame: the tracker's output on the same
// scene, a descriptor per reported track from a 768x576 frame of noise (the
// crop's content does not change the cost), and the policy's update.
void BM_ByteTrackWithRelink(benchmark::State& state) {
  const int people = static_cast<int>(state.range(0));
  const auto frames = MakeScene(people);
  const double side = kCellPx * std::sqrt(static_cast<double>(people)) + 200;
  const int w = static_cast<int>(side), h = static_cast<int>(side);
  std::vector<uint8_t> pixels(static_cast<size_t>(w) * h * 3);
  std::mt19937 rng(7);
  for (uint8_t& p : pixels) p = static_cast<uint8_t>(rng());
  const PixelView view{pixels.data(), w, h, static_cast<size_t>(w) * 3};
  auto tracker = MakeByteTracker({});
  RelinkPolicy relink;
  int f = 0;
  for (; f < kPeriod; ++f) tracker->Update(frames[f % kPeriod], f / kFps);
  std::vector<std::optional<Appearance>> looks;
  for (auto _ : state) {
    auto out = tracker->Update(frames[f % kPeriod], f / kFps);
    auto active = tracker->Active();
    looks.assign(out.size(), std::nullopt);
    for (size_t i = 0; i < out.size(); ++i) {
      core::Box b = out[i].box;
      b.x += 100;  // the scene starts at 0: keep boxes inside the frame
      b.y += 100;
      looks[i] = Describe(view, b);
    }
    relink.Update(out, looks, active, f / kFps);
    benchmark::DoNotOptimize(out.data());
    ++f;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ByteTrack)->Arg(10)->Arg(50)->Arg(200)->Arg(1000)->Complexity(benchmark::oN);
BENCHMARK(BM_ByteTrackWithRelink)->Arg(10)->Arg(50);
BENCHMARK(BM_Sort)->Arg(10)->Arg(50)->Arg(200)->Arg(1000)->Complexity(benchmark::oN);

}  // namespace
}  // namespace argus::track

BENCHMARK_MAIN();
