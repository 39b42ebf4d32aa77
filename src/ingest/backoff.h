// Exponential back-off with jitter for reconnecting to live sources.
// Pure: no clock, no sleeping; the caller sleeps for Next() on its own Clock.
// Thread safety: one thread at a time (owned by the thread that reconnects).
#pragma once

#include <cstdint>
#include <random>

namespace argus::ingest {

inline constexpr double kDefaultBackoffInitialS = 0.5;
inline constexpr double kDefaultBackoffMaxS = 30;
inline constexpr double kDefaultBackoffFactor = 2;
inline constexpr double kDefaultBackoffJitter = 0.1;  // +-10 %: 100 cameras do not retry in step

struct BackoffPolicy {
  double initial_s = kDefaultBackoffInitialS;
  double max_s = kDefaultBackoffMaxS;
  double factor = kDefaultBackoffFactor;
  double jitter = kDefaultBackoffJitter;  // fraction of the delay, uniform in [-jitter, +jitter]
};

class BackoffSchedule {
 public:
  explicit BackoffSchedule(const BackoffPolicy& policy, uint64_t seed = 0);

  // Delay before attempt `n` (0-based) without jitter: initial * factor^n, capped at max.
  double BaseDelay(int n) const;
  // Delay before the next attempt (with jitter, never above max_s); advances the attempt count.
  double Next();
  // After a success the next failure starts again from initial_s.
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace argus::ingest
