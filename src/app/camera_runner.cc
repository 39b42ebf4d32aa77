#include "app/camera_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace argus::app {

namespace {

// Stream time between two sessions of a restarted source, so time never runs back.
constexpr double kSessionGapS = 0.1;
// A paced file that falls this far behind its schedule restarts the schedule
// instead of rushing through frames to catch up.
constexpr double kMaxPaceLagS = 1;

double Smooth(double previous, double sample) {
  return previous == 0 ? sample : previous + kStatsSmoothing * (sample - previous);
}

// Rates are smoothed as intervals (the mean of 1/dt is not 1/mean dt).
void SmoothRate(double now, double* last, double* interval, double* rate) {
  if (*last > 0 && now > *last) {
    *interval = Smooth(*interval, now - *last);
    *rate = 1.0 / *interval;
  }
  *last = now;
}

}  // namespace

const char* ToString(CameraState s) {
  switch (s) {
    case CameraState::kConnecting:
      return "connecting";
    case CameraState::kOnline:
      return "online";
    case CameraState::kOffline:
      return "offline";
    case CameraState::kReconnecting:
      return "reconnecting";
    case CameraState::kStopped:
      return "stopped";
  }
  return "?";
}

core::Result<std::unique_ptr<CameraRunner>> CameraRunner::Create(
    const config::Config& config, const config::CameraConfig& camera, int queue_frames,
    const core::Clock& clock, Callbacks callbacks, config::Diagnostics* diag) {
  std::unique_ptr<CameraRunner> r(
      new CameraRunner(camera, queue_frames, clock, std::move(callbacks)));
  // The runner keeps the detection rate before its queue, so the pipeline
  // analyses every frame it is given.
  config::CameraConfig every_frame = camera;
  every_frame.detect_fps = 0;
  auto pipeline = CameraPipeline::Create(config, every_frame, "", diag);
  if (!pipeline.ok()) return pipeline.status();
  r->pipeline_ = std::move(pipeline).value();
  return r;
}

CameraRunner::CameraRunner(const config::CameraConfig& camera, int queue_frames,
                           const core::Clock& clock, Callbacks callbacks)
    : camera_(camera),
      queue_frames_(static_cast<size_t>(std::max(1, queue_frames))),
      clock_(clock),
      callbacks_(std::move(callbacks)) {}

CameraRunner::~CameraRunner() { Stop(); }

void CameraRunner::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CameraRunner::Stop() {
  stop_ = true;
  {
    std::lock_guard lock(mu_);
    if (ingest::VideoSource* s = source_.load()) s->Stop();
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    SetState(CameraState::kStopped);
  }
}

bool CameraRunner::PopFrame(QueuedFrame* out) {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  stats_.queue_depth = static_cast<int>(queue_.size());
  return true;
}

bool CameraRunner::HasFrames() const {
  std::lock_guard lock(mu_);
  return !queue_.empty();
}

void CameraRunner::RecordAnalysis(double ms) {
  std::lock_guard lock(mu_);
  ++stats_.analysed;
  stats_.analysis_ms = Smooth(stats_.analysis_ms, ms);
  SmoothRate(clock_.Seconds(), &last_analysed_s_, &analysed_interval_s_, &stats_.analysed_fps);
}

void CameraRunner::Poll() {
  bool retrying = false;
  {
    std::lock_guard lock(mu_);  // the reading thread clears source_ under it before deleting
    ingest::VideoSource* src = source_.load();
    retrying = src && src->state() == ingest::SourceState::kReconnecting &&
               src->reconnects() > lost_at_reconnects_.load();
  }
  if (retrying && state_ == CameraState::kOffline) {
    SetState(CameraState::kReconnecting, "connection lost; reconnecting");
  }
}

CameraStats CameraRunner::stats() const {
  std::lock_guard lock(mu_);
  CameraStats s = stats_;
  s.state = state_.load();
  if (ingest::VideoSource* src = source_.load()) {
    s.reconnects = session_reconnects_ + src->reconnects();
  }
  return s;
}

void CameraRunner::SetState(CameraState s, std::string error) {
  const CameraState old = state_.exchange(s);
  {
    std::lock_guard lock(mu_);
    stats_.error = std::move(error);
  }
  if (old != s && callbacks_.state_changed) callbacks_.state_changed(*this, s);
}

bool CameraRunner::SleepInterruptibly(double seconds) {
  std::unique_lock lock(mu_);
  stop_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stop_.load(); });
  return !stop_;
}

void CameraRunner::Run() {
  ingest::BackoffPolicy policy;
  policy.initial_s = kRestartBackoffInitialS;
  policy.max_s = kRestartBackoffMaxS;
  ingest::BackoffSchedule restarts(policy, std::hash<std::string>{}(camera_.name));
  // Files loop (demos, soak tests); live streams reconnect forever inside VideoSource.
  ingest::SourceOptions options;
  options.url = camera_.source;
  options.rtsp_transport = camera_.rtsp_transport;
  options.loop = !ingest::IsLiveUrl(camera_.source);
  // VideoSource wants a mutable clock to sleep on; it only reads it here.
  core::Clock& clock = const_cast<core::Clock&>(clock_);
  while (!stop_) {
    auto source = ingest::VideoSource::Open(options, clock);
    if (!source.ok()) {
      spdlog::warn("camera {}: {}", camera_.name, source.status().message());
      SetState(CameraState::kOffline, source.status().message());
    } else {
      restarts.Reset();
      if (!ReadSession(**source)) break;
      SetState(CameraState::kOffline, "the stream ended");
    }
    if (!SleepInterruptibly(restarts.Next())) break;
    {
      std::lock_guard lock(mu_);
      ++stats_.restarts;
    }
    SetState(CameraState::kReconnecting);
  }
}

bool CameraRunner::ReadSession(ingest::VideoSource& source) {
  source.OnStateChange([&](ingest::SourceState s) {
    switch (s) {
      case ingest::SourceState::kRunning:
        SetState(CameraState::kOnline);
        break;
      case ingest::SourceState::kReconnecting:
        lost_at_reconnects_ = source.reconnects();
        SetState(CameraState::kOffline, "connection lost");
        break;
      default:
        break;
    }
  });
  if (callbacks_.packet) source.OnPacket(callbacks_.packet);
  {
    std::lock_guard lock(mu_);
    source_ = &source;
  }
  if (stop_) source.Stop();  // Stop() ran before source_ was published

  ingest::RateLimiter limiter(camera_.detect_fps);
  double t_offset = 0;
  {
    std::lock_guard lock(mu_);
    if (stats_.frames > 0) t_offset = last_stream_t_ + kSessionGapS;
  }
  // A file stands in for a camera (demos, soak tests): play it at its own rate.
  const bool pace = !source.is_live();
  std::optional<double> pace_origin;  // clock seconds minus stream seconds
  ingest::Frame frame;
  ingest::ReadStatus status;
  while ((status = source.Read(&frame)) == ingest::ReadStatus::kFrame) {
    if (pace) {
      const double now = clock_.Seconds();
      if (!pace_origin || frame.t + *pace_origin < now - kMaxPaceLagS) {
        pace_origin = now - frame.t;  // first frame, a loop, or far behind: start again
      }
      const double wait = frame.t + *pace_origin - now;
      if (wait > 0 && !SleepInterruptibly(wait)) break;
    }
    if (state_ == CameraState::kConnecting || state_ == CameraState::kReconnecting ||
        state_ == CameraState::kOffline) {
      SetState(CameraState::kOnline);
    }
    frame.t += t_offset;
    const bool keep = limiter.Accept(frame.t);
    bool ready = false;
    {
      std::lock_guard lock(mu_);
      ++stats_.frames;
      if (frame.damaged) ++stats_.damaged;
      SmoothRate(clock_.Seconds(), &last_frame_s_, &frame_interval_s_, &stats_.fps);
      last_stream_t_ = frame.t;
      stats_.last_frame_at = clock_.Now();
      if (keep) {
        ++stats_.queued;
        if (queue_.size() >= queue_frames_) {
          queue_.pop_front();  // analysis is behind: the newest frame matters most
          ++stats_.dropped;
        }
        queue_.push_back({std::move(frame), clock_.Now()});
        stats_.queue_depth = static_cast<int>(queue_.size());
        ready = true;
      }
    }
    if (ready && callbacks_.frame_ready) callbacks_.frame_ready(*this);
  }
  {
    std::lock_guard lock(mu_);
    session_reconnects_ += source.reconnects();
    source_ = nullptr;
  }
  return status != ingest::ReadStatus::kStopped && !stop_;
}

}  // namespace argus::app
