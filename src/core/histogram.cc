#include "core/histogram.h"

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace argus::core {

void Histogram::Observe(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step back
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e6)), std::memory_order_relaxed);
}

std::string Histogram::Prometheus(const std::string& name, const std::string& help) const {
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBounds[i], cumulative);
  }
  const uint64_t n = count();
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, n);
  out += fmt::format("{}_sum {}\n", name, static_cast<double>(sum_us_.load()) / 1e6);
  out += fmt::format("{}_count {}\n", name, n);
  return out;
}

}  // namespace argus::core
