// Keeps `target_fps` of the incoming frames by stream time, e.g. analyse 5 of 25 fps.
// Frames are kept on a fixed schedule (0, 1/target, 2/target...) so the kept rate is exact
// on average even when the source rate is not a multiple of the target.
// Thread safety: one thread.
#pragma once

#include <optional>

namespace argus::ingest {

class RateLimiter {
 public:
  // target_fps <= 0 keeps every frame.
  explicit RateLimiter(double target_fps);
  // Whether to keep the frame at stream time `t` (seconds, non-decreasing).
  bool Accept(double t);

 private:
  double period_ = 0;
  std::optional<double> next_;
};

}  // namespace argus::ingest
