// Detection rate, latency and false alarms of the image-based rules
// (abandoned_object, object_removed, tamper) on the synthetic scenarios of
// rules/testing/scene_synth.h, each randomised over N seeds, plus the cost per frame.
// Usage: synthetic_rules_bench [--seeds N] [--width W] [--oracle] [--no-ticks]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rules/testing/scene_synth.h"

int main(int argc, char** argv) {
  int seeds = 20;
  int width = 320;
  argus::rules::synth::RunOptions options;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc) {
      seeds = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--width") && i + 1 < argc) {
      width = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--oracle")) {
      options.oracle_mask = true;
    } else if (!std::strcmp(argv[i], "--no-ticks")) {
      options.tick_when_lost = false;
    } else {
      std::fprintf(stderr, "usage: %s [--seeds N] [--width W] [--oracle] [--no-ticks]\n", argv[0]);
      return 1;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto ev = argus::rules::synth::Evaluate(seeds, width, options);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("synthetic image rules: %zu scenarios x %d seeds, %dx%d analysis, mask=%s, lost=%s\n",
              argus::rules::synth::AllScenarios().size(), seeds, width, width * 3 / 4,
              options.oracle_mask ? "oracle" : "running-average",
              options.tick_when_lost ? "ticks" : "gap");
  std::printf("%s", argus::rules::synth::FormatTable(ev).c_str());
  for (const auto& m : ev.misses) std::printf("  %s\n", m.c_str());
  std::printf("wall time %.1f s (generation + signals + 3 rules)\n", s);
  return 0;
}
