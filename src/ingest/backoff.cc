#include "ingest/backoff.h"

#include <algorithm>
#include <cmath>

namespace argus::ingest {

BackoffSchedule::BackoffSchedule(const BackoffPolicy& policy, uint64_t seed)
    : policy_(policy), rng_(seed) {
  policy_.initial_s = std::max(0.0, policy_.initial_s);
  policy_.max_s = std::max(policy_.initial_s, policy_.max_s);
  policy_.factor = std::max(1.0, policy_.factor);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
}

double BackoffSchedule::BaseDelay(int n) const {
  // pow overflows to inf for large n, which min() then caps.
  double d = policy_.initial_s * std::pow(policy_.factor, std::max(0, n));
  return std::min(d, policy_.max_s);
}

double BackoffSchedule::Next() {
  double d = BaseDelay(attempt_);
  if (attempt_ < 1000) ++attempt_;  // the cap is reached long before; avoid overflow
  if (policy_.jitter > 0) {
    std::uniform_real_distribution<double> u(-policy_.jitter, policy_.jitter);
    d *= 1 + u(rng_);
  }
  return std::clamp(d, 0.0, policy_.max_s);
}

}  // namespace argus::ingest
