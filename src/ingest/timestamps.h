// Turns per-session stream timestamps into one monotonic timeline starting at 0.
// Pure: the caller passes both stream time and its own clock's time.
// Thread safety: one thread (the reading thread).
#pragma once

#include <optional>

namespace argus::ingest {

// Used when the stream declares no frame rate.
inline constexpr double kFallbackFrameInterval = 1.0 / 25;

class TimestampRebaser {
 public:
  explicit TimestampRebaser(double nominal_fps = 0) { SetFps(nominal_fps); }

  void SetFps(double fps) { interval_ = fps > 0 ? 1.0 / fps : kFallbackFrameInterval; }
  double frame_interval() const { return interval_; }

  // Starts a new session (a reconnect, or a file loop). Its first frame comes after the
  // last one by the time that passed on the clock (an outage of a live camera), and at
  // least by one frame interval. Pass wall_gap_s = 0 for a file loop.
  void NewSession(double wall_gap_s);

  // Maps the stream time of the next decoded frame (nullopt: the frame had no timestamp)
  // to the output timeline. The result is strictly increasing: a timestamp that does not
  // advance (broken or missing pts) is replaced by last + one frame interval.
  double Map(std::optional<double> stream_t);

  std::optional<double> last() const { return last_; }

 private:
  double interval_ = kFallbackFrameInterval;
  std::optional<double> last_;    // last output time
  std::optional<double> offset_;  // output = stream + offset, for this session
  double session_start_ = 0;      // output time of the session's first frame
  double pending_gap_ = 0;
  bool new_session_ = true;
};

}  // namespace argus::ingest
