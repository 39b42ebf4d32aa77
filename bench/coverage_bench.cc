// Coverage analysis on generated sites: 10 floors of 120 x 60 m, N cameras and
// M wall segments spread over them, 40 windows, 20 assets and 20 sensors per
// floor, 0.25 m grid, 25 px/m. Target: 300 cameras and 2,000 walls in < 10 s.
//   build/bin/coverage_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <random>

#include "site/coverage.h"
#include "site/report.h"

namespace argus::site {
namespace {

constexpr int kFloors = 10;
constexpr double kFloorW = 120, kFloorH = 60;

Site MakeSite(int cameras, int walls) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> ux(1, kFloorW - 1), uy(1, kFloorH - 1), ua(0, 360),
      ul(2, 8), uf(60, 100);
  Site site;
  site.name = "generated";
  for (int f = 0; f < kFloors; ++f) {
    Floor fl;
    fl.id = "f" + std::to_string(f);
    fl.level = f;
    fl.outline = {{0, 0}, {kFloorW, 0}, {kFloorW, kFloorH}, {0, kFloorH}};
    Area street;
    street.id = fl.id + "-street";
    street.kind = "exterior";
    street.polygon = {{0, -10}, {kFloorW, -10}, {kFloorW, 0}, {0, 0}};
    fl.areas.push_back(street);
    // The perimeter (4 segments) counts towards the wall budget.
    fl.walls.push_back({{{0, 0}, {kFloorW, 0}, {kFloorW, kFloorH}, {0, kFloorH}, {0, 0}}, 0});
    const int per_floor = walls / kFloors - 4;
    for (int w = 0; w < per_floor; ++w) {
      const Point a{ux(rng), uy(rng)};
      const double ang = (rng() % 2) ? 0 : M_PI / 2;  // rooms are mostly square
      const double len = ul(rng);
      fl.walls.push_back({{a, a + Point{std::cos(ang), std::sin(ang)} * len}, 0});
    }
    for (int c = 0; c < cameras / kFloors; ++c) {
      Camera cam;
      cam.id = fl.id + "-c" + std::to_string(c);
      cam.at = {ux(rng), uy(rng)};
      cam.heading_deg = ua(rng);
      cam.hfov_deg = uf(rng);
      cam.vfov_deg = cam.hfov_deg * 0.6;
      cam.range_m = 40;
      fl.cameras.push_back(cam);
    }
    for (int o = 0; o < 40; ++o) {
      Opening op;
      op.id = fl.id + "-w" + std::to_string(o);
      const double x = 1 + o * (kFloorW - 4) / 40;
      op.shape = {{x, 0}, {x + 2, 0}};
      fl.openings.push_back(op);
    }
    for (int a = 0; a < 20; ++a) {
      Asset as;
      as.id = fl.id + "-a" + std::to_string(a);
      as.at = {ux(rng), uy(rng)};
      as.value = 1e5 * a;
      fl.assets.push_back(as);
      Sensor s;
      s.id = fl.id + "-s" + std::to_string(a);
      s.at = {ux(rng), uy(rng)};
      fl.sensors.push_back(s);
    }
    site.floors.push_back(std::move(fl));
  }
  return site;
}

void BM_Coverage(benchmark::State& state) {
  const Site site = MakeSite(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  size_t findings = 0;
  double coverage = 0;
  for (auto _ : state) {
    auto r = AnalyzeCoverage(site, site.analysis);
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    findings = r->findings.size();
    coverage = r->floors[0].fraction;
    benchmark::DoNotOptimize(findings);
  }
  state.counters["cameras"] = static_cast<double>(state.range(0));
  state.counters["walls"] = static_cast<double>(state.range(1));
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["floor0_coverage"] = coverage;
}
BENCHMARK(BM_Coverage)
    ->ArgNames({"cameras", "walls"})
    ->Args({100, 2000})
    ->Args({300, 2000})
    ->Args({600, 2000})
    ->Args({300, 500})
    ->Args({300, 4000})
    ->Unit(benchmark::kMillisecond);

void BM_RenderHtml(benchmark::State& state) {
  const Site site = MakeSite(300, 2000);
  auto r = AnalyzeCoverage(site, site.analysis);
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string html = RenderHtml(*r);
    bytes = html.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderHtml)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace argus::site

BENCHMARK_MAIN();
