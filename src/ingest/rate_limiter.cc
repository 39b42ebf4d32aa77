#include "ingest/rate_limiter.h"

namespace argus::ingest {
namespace {
// Timestamps computed as n * time_base differ from k * period by rounding only.
constexpr double kToleranceS = 1e-6;
}  // namespace

RateLimiter::RateLimiter(double target_fps) : period_(target_fps > 0 ? 1.0 / target_fps : 0) {}

bool RateLimiter::Accept(double t) {
  if (period_ <= 0) return true;
  if (next_ && t < *next_ - kToleranceS) return false;
  // Stay on schedule; after a gap (outage, seek) restart the schedule at this frame.
  next_ = (next_ && t < *next_ + period_) ? *next_ + period_ : t + period_;
  return true;
}

}  // namespace argus::ingest
