// A latency histogram for /metrics: fixed bucket bounds (seconds), counts, sum. Prometheus'
// histogram type, so dashboards can compute quantiles over any window.
// Thread safety: Observe and Prometheus from any thread (atomics only).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace argus::core {

class Histogram {
 public:
  // Upper bounds from 1 ms to 10 s: a store write, a detector call, an HTTP answer.
  static constexpr std::array<double, 12> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1,    2.5,   10};

  void Observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The "# HELP", "# TYPE" and _bucket/_sum/_count lines of metric `name`.
  std::string Prometheus(const std::string& name, const std::string& help) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};  // microseconds: an integer adds atomically
};

}  // namespace argus::core
