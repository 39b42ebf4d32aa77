// Cost of the whole rule engine per frame: 50 rules of every track-based kind
// (plus motion) over 30 moving tracks, on a 1280x720 camera.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/rule_engine.h"

namespace {

using argus::rules::FrameInput;
using argus::rules::RuleEngine;

std::string BenchYaml(int n_rules) {
  std::string y =
      "cameras:\n"
      "  - name: cam\n"
      "    source: x.mp4\n"
      "    zones:\n";
  for (int i = 0; i < 10; ++i) {
    const double x = 0.02 + 0.075 * i;
    y += "      - {name: z" + std::to_string(i) + ", polygon: [[" + std::to_string(x) +
         ", 0.2], [" + std::to_string(x + 0.2) + ", 0.25], [" + std::to_string(x + 0.15) +
         ", 0.9], [" + std::to_string(x) + ", 0.85]]}\n";
  }
  y += "    lines:\n";
  for (int i = 0; i < 5; ++i) {
    const double v = 0.15 + 0.15 * i;
    y += "      - {name: l" + std::to_string(i) + ", a: [0.05, " + std::to_string(v) +
         "], b: [0.95, " + std::to_string(v + 0.05) + "]}\n";
  }
  y += "    rules:\n";
  const char* kinds[] = {"intrusion", "line_crossing", "proximity", "loitering",
                         "crowd",     "running",       "motion",    "vehicle_near_facade",
                         "intrusion", "line_crossing"};
  for (int i = 0; i < n_rules; ++i) {
    const std::string kind = kinds[i % 10];
    const std::string z = "z" + std::to_string(i % 10), l = "l" + std::to_string(i % 5);
    y += "      - {name: r" + std::to_string(i) + ", kind: " + kind;
    if (kind == "intrusion" || kind == "loitering" || kind == "running" ||
        kind == "vehicle_near_facade" || kind == "motion") {
      y += ", zone: " + z;
    }
    if (kind == "loitering") y += ", min_dwell_s: 5";
    if (kind == "vehicle_near_facade") y += ", labels: [person], min_area_fraction: 0.01";
    if (kind == "line_crossing") y += ", line: " + l;
    if (kind == "proximity") y += ", artwork: " + z + ", warning: 0.1, alarm: 0.03";
    if (kind == "crowd") y += ", zone: " + z + ", max_count: 3";
    y += "}\n";
  }
  return y;
}

void BM_RuleEngineFrame(benchmark::State& state) {
  const int n_rules = static_cast<int>(state.range(0));
  const int n_tracks = static_cast<int>(state.range(1));
  argus::config::Diagnostics diag;
  auto cfg = argus::config::ParseConfig(BenchYaml(n_rules), "bench.yaml", &diag);
  if (!cfg.ok()) {
    state.SkipWithError(diag.ToString().c_str());
    return;
  }
  auto engine = RuleEngine::Build(cfg->site, cfg->cameras[0], &diag);
  if (!engine.ok()) {
    state.SkipWithError(diag.ToString().c_str());
    return;
  }
  constexpr int kW = 1280, kH = 720;
  constexpr double kFps = 10;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> pos(0, 1), vel(-150, 150);
  std::vector<argus::track::Track> tracks(n_tracks);
  std::vector<argus::core::Point> v(n_tracks);
  for (int i = 0; i < n_tracks; ++i) {
    tracks[i].id = i + 1;
    tracks[i].label = "person";
    tracks[i].state = argus::track::TrackState::kTracked;
    tracks[i].box = {pos(rng) * (kW - 60), pos(rng) * (kH - 150) + 50, 50, 140};
    v[i] = {vel(rng), vel(rng)};
  }
  argus::core::GrayImage mask(kW / 4, kH / 4);
  for (int y = 50; y < 100; ++y) {
    for (int x = 50; x < 120; ++x) mask.at(x, y) = 255;
  }
  argus::rules::SceneInput scene;
  scene.mask = &mask;
  scene.scale = 4;
  std::vector<argus::events::Event> out;
  int64_t frame = 0;
  size_t events = 0;
  std::map<std::string, size_t> by_type;
  for (auto _ : state) {
    ++frame;
    const double t = frame / kFps;
    for (int i = 0; i < n_tracks; ++i) {  // bouncing random walk with history
      auto& tr = tracks[i];
      tr.box.x += v[i].x / kFps;
      tr.box.y += v[i].y / kFps;
      if (tr.box.x < 0 || tr.box.Right() > kW) v[i].x = -v[i].x;
      if (tr.box.y < 0 || tr.box.Bottom() > kH) v[i].y = -v[i].y;
      tr.velocity = v[i];
      tr.last_seen = t;
      tr.history.push_back({t, tr.box.BottomCenter()});
      if (tr.history.size() > 30) tr.history.pop_front();
    }
    FrameInput in;
    in.frame = frame;
    in.t = t;
    in.width = kW;
    in.height = kH;
    in.tracks = &tracks;
    in.active = &tracks;
    in.scene = &scene;
    out.clear();
    (*engine)->Process(in, &out);
    events += out.size();
    for (const auto& e : out) {
      ++by_type[e.type + "_" + argus::events::ToString(e.phase)];
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["events_per_frame"] =
      benchmark::Counter(static_cast<double>(events) / static_cast<double>(frame));
  if (std::getenv("RULES_BENCH_VERBOSE")) {
    for (const auto& [k, n] : by_type)
      std::fprintf(stderr, "%s %.3f/frame\n", k.c_str(), double(n) / frame);
  }
}
BENCHMARK(BM_RuleEngineFrame)
    ->Args({50, 30})
    ->Args({10, 30})
    ->Args({50, 100})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
