// One camera of `argus serve`. A reading thread decodes the source, keeps the
// detection rate and hands frames to the shared analysis pool through a small
// queue that drops its oldest frame when analysis falls behind: ingest never
// waits for analysis. Live streams reconnect inside VideoSource; a source that
// cannot be opened or gives up is restarted here with back-off.
//
// Status, as the control room sees it: connecting (first attempt), online
// (frames flow), offline (the stream was lost, or failed to open), reconnecting
// (an attempt to get it back is under way), stopped.
//
// Thread safety: Start/Stop from the owning thread; PopFrame/RecordAnalysis from
// the analysis pool (one worker at a time per camera); stats() from any thread.
// The listeners run on the reading thread (kStopped: on Stop()'s thread).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/camera_pipeline.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "ingest/backoff.h"
#include "ingest/rate_limiter.h"
#include "ingest/video_source.h"

namespace argus::app {

enum class CameraState { kConnecting, kOnline, kOffline, kReconnecting, kStopped };
const char* ToString(CameraState s);

// Back-off between restarts of a source that failed to open or gave up.
inline constexpr double kRestartBackoffInitialS = 1;
inline constexpr double kRestartBackoffMaxS = 30;
// Smoothing of the rates and latencies shown on /metrics (per sample).
inline constexpr double kStatsSmoothing = 0.1;

struct CameraStats {
  CameraState state = CameraState::kConnecting;
  double fps = 0;           // decoded frames per second, smoothed
  double analysed_fps = 0;  // frames analysed per second, smoothed
  uint64_t frames = 0;      // decoded
  uint64_t queued = 0;      // kept by the detection rate limit
  uint64_t analysed = 0;
  uint64_t dropped = 0;    // kept but dropped because analysis fell behind
  uint64_t damaged = 0;    // decoded with concealed errors (ingest::Frame::damaged)
  double analysis_ms = 0;  // pipeline time per analysed frame, smoothed
  int queue_depth = 0;
  int reconnects = 0;  // live reconnect attempts, all sessions
  int restarts = 0;    // sources re-opened by the runner
  std::optional<core::WallTime> last_frame_at;
  std::string error;  // why the source is not online, "" when it is
};

// A frame waiting for analysis, with when it arrived (alert latency starts here).
struct QueuedFrame {
  ingest::Frame frame;
  core::WallTime arrived;
};

class CameraRunner {
 public:
  struct Callbacks {
    std::function<void(CameraRunner&)> frame_ready;  // a frame waits in the queue
    std::function<void(CameraRunner&, CameraState)> state_changed;
    ingest::VideoSource::PacketCallback packet;  // every demuxed video packet (evidence)
  };

  // Builds the pipeline: config problems go to `diag` and fail here, before any
  // thread starts. `clock` must outlive the runner.
  static core::Result<std::unique_ptr<CameraRunner>> Create(
      const config::Config& config, const config::CameraConfig& camera, int queue_frames,
      const core::Clock& clock, Callbacks callbacks, config::Diagnostics* diag);
  ~CameraRunner();
  CameraRunner(const CameraRunner&) = delete;
  CameraRunner& operator=(const CameraRunner&) = delete;

  void Start();
  // Stops reading and returns when the reading thread has ended. The pipeline
  // stays usable for Finish() (closing open incidents).
  void Stop();

  // The oldest waiting frame; false when none.
  bool PopFrame(QueuedFrame* out);
  bool HasFrames() const;
  void RecordAnalysis(double ms);
  // Call periodically (the daemon does, a few times a second): VideoSource does
  // not report when a reconnect attempt starts, so offline -> reconnecting is
  // noticed here, on the caller's thread.
  void Poll();

  const std::string& name() const { return camera_.name; }
  const config::CameraConfig& camera() const { return camera_; }
  CameraPipeline& pipeline() { return *pipeline_; }
  CameraStats stats() const;
  CameraState state() const { return state_.load(); }

 private:
  CameraRunner(const config::CameraConfig& camera, int queue_frames, const core::Clock& clock,
               Callbacks callbacks);
  void Run();
  // Reads one source session until it ends or Stop(); false if stopped.
  bool ReadSession(ingest::VideoSource& source);
  void SetState(CameraState s, std::string error = "");
  bool SleepInterruptibly(double seconds);

  const config::CameraConfig camera_;
  const size_t queue_frames_;
  const core::Clock& clock_;
  Callbacks callbacks_;
  std::unique_ptr<CameraPipeline> pipeline_;

  std::atomic<bool> stop_{false};
  std::atomic<CameraState> state_{CameraState::kConnecting};
  std::atomic<ingest::VideoSource*> source_{nullptr};  // so Stop() can interrupt Read()

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  std::deque<QueuedFrame> queue_;
  CameraStats stats_;
  double last_frame_s_ = 0, frame_interval_s_ = 0;  // clock seconds
  double last_analysed_s_ = 0, analysed_interval_s_ = 0;
  double last_stream_t_ = 0;
  std::atomic<int> lost_at_reconnects_{0};  // source reconnect count when the stream was lost
  int session_reconnects_ = 0;              // reconnects of finished sessions
  std::thread thread_;
};

}  // namespace argus::app
