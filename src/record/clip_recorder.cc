#include "record/clip_recorder.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <deque>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "record/evidence_store.h"

namespace argus::record {

struct ClipRecorder::Clip {
  std::string path;
  double start_t = 0, end_t = 0;
  std::shared_ptr<const StreamParams> params;
  // Guarded by the recorder's mutex:
  std::deque<TimedPacket> pending;
  size_t pending_bytes = 0;
  bool have_key = false;    // the clip has its first key frame
  bool input_done = false;  // nothing more will be added
  core::Status failure;     // set by the reading thread (writer too slow)
  bool finished = false;    // result delivered: the writer thread may erase it
  // Writer thread only:
  std::unique_ptr<ClipWriter> writer;
  core::Status open_status;
  bool have_packets = false;
  double from_t = 0, to_t = 0;
};

ClipRecorder::ClipRecorder(const ClipRecorderOptions& options)
    : options_(options),
      ring_(options.pre_roll_s, options.ring_max_bytes),
      thread_([this] { Run(); }) {}

ClipRecorder::~ClipRecorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
  // Unfinished clips go with `clips_`: each ClipWriter removes its partial file.
}

void ClipRecorder::OnClipDone(DoneCallback callback) {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = std::move(callback);
}

void ClipRecorder::OnPacket(const AVPacket& packet, const AVStream& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!params_ || !params_->SameAs(stream)) {  // first packet, or another stream now
    if (params_) {
      spdlog::info("clips: stream parameters changed; clips in progress end here");
      EndClipsLocked();
    }
    ring_.Clear();
    have_t_ = false;
    params_ = StreamParams::From(stream);
    if (!params_) return;
    for (auto& c : clips_) {
      if (!c->params && !c->input_done) c->params = params_;
    }
  }
  const AVRational tb = stream.time_base;
  const double tb_s = av_q2d(tb);
  int64_t dts = packet.dts, pts = packet.pts;
  const int64_t raw = dts != AV_NOPTS_VALUE ? dts : pts;
  if (raw != AV_NOPTS_VALUE && have_t_) {
    const double raw_t = static_cast<double>(raw) * tb_s;
    if (raw_t > last_raw_t_ + kMaxForwardJumpS || raw_t < last_raw_t_ - kMaxBackwardJumpS) {
      spdlog::info("clips: stream time jumped from {:.3f} s to {:.3f} s; clips end here",
                   last_raw_t_, raw_t);
      EndClipsLocked();
      ring_.Clear();
      have_t_ = false;
    }
  }
  // Repair missing or non-increasing timestamps (AVI and some cameras): the muxer needs a
  // dts that increases and a pts not before it.
  int64_t step = packet.duration > 0 ? packet.duration : 1;
  if (packet.duration <= 0 && params_->fps() > 0) {
    step = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(av_d2q(params_->fps(), 100000)), tb));
  }
  if (dts == AV_NOPTS_VALUE) dts = pts != AV_NOPTS_VALUE ? pts : (have_t_ ? last_dts_ + step : 0);
  if (have_t_ && dts <= last_dts_) dts = last_dts_ + 1;
  if (pts == AV_NOPTS_VALUE || pts < dts) pts = dts;
  last_raw_t_ = static_cast<double>(raw != AV_NOPTS_VALUE ? raw : dts) * tb_s;
  last_dts_ = dts;
  have_t_ = true;
  const double t = static_cast<double>(dts) * tb_s;
  latest_t_ = t;

  PacketPtr fixed = RefPacket(packet);
  if (!fixed) return;
  fixed->pts = pts;
  fixed->dts = dts;
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  ring_.Push(*fixed, t);

  bool wake = false;
  for (auto& c : clips_) {
    if (c->input_done) continue;
    if (t > c->end_t) {
      c->input_done = true;
      wake = true;
      continue;
    }
    if (!c->have_key && !key) continue;
    c->have_key = true;
    PacketPtr ref = RefPacket(*fixed);
    if (!ref) continue;
    c->pending_bytes += static_cast<size_t>(std::max(0, ref->size));
    c->pending.push_back({std::move(ref), t, key});
    if (c->pending_bytes > options_.max_pending_bytes) {
      c->failure = core::IoError("clip " + c->path + ": the disk cannot keep up with the camera");
      c->pending.clear();
      c->input_done = true;
    }
    wake = true;
  }
  if (wake) work_cv_.notify_one();
}

void ClipRecorder::EndClipsLocked() {
  for (auto& c : clips_) c->input_done = true;
  work_cv_.notify_one();
}

void ClipRecorder::EndOfStream() {
  std::lock_guard<std::mutex> lock(mu_);
  EndClipsLocked();
}

core::Status ClipRecorder::StartClip(const std::string& path, double at_stream_t,
                                     double post_roll_s) {
  if (path.empty()) return core::InvalidArgument("clip: empty path");
  if (!std::isfinite(at_stream_t) || !std::isfinite(post_roll_s) || post_roll_s < 0) {
    return core::InvalidArgument("clip " + path + ": bad time " + std::to_string(at_stream_t) +
                                 " or post-roll " + std::to_string(post_roll_s));
  }
  auto clip = std::make_unique<Clip>();
  clip->path = path;
  clip->start_t = at_stream_t - options_.pre_roll_s;
  clip->end_t = at_stream_t + post_roll_s;
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return core::Unavailable("clip " + path + ": recorder stopped");
  clip->params = params_;
  // Under the same lock as OnPacket: no packet is missed or added twice.
  for (TimedPacket& p : ring_.Snapshot(clip->start_t)) {
    if (p.t > clip->end_t) {
      clip->input_done = true;
      break;
    }
    clip->have_key = true;
    clip->pending_bytes += static_cast<size_t>(std::max(0, p.packet->size));
    clip->pending.push_back(std::move(p));
  }
  clips_.push_back(std::move(clip));
  work_cv_.notify_one();
  return core::Status::Ok();
}

void ClipRecorder::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  auto has_work = [this] {
    for (auto& c : clips_) {
      if (!c->finished && (!c->pending.empty() || c->input_done)) return true;
    }
    return false;
  };
  while (true) {
    work_cv_.wait(lock, [&] { return stop_ || has_work(); });
    if (stop_) return;
    // Only this thread erases clips, so iterators stay valid while Service() unlocks.
    for (auto it = clips_.begin(); it != clips_.end() && !stop_; ++it) {
      Clip& c = **it;
      if (!c.finished && (!c.pending.empty() || c.input_done)) Service(c, lock);
    }
    bool erased = false;
    for (auto it = clips_.begin(); it != clips_.end();) {
      if ((*it)->finished) {
        it = clips_.erase(it);
        erased = true;
      } else {
        ++it;
      }
    }
    if (erased) idle_cv_.notify_all();
  }
}

void ClipRecorder::Service(Clip& c, std::unique_lock<std::mutex>& lock) {
  std::deque<TimedPacket> batch;
  batch.swap(c.pending);
  c.pending_bytes = 0;
  const bool done = c.input_done;
  core::Status st = c.failure;
  auto params = c.params;
  lock.unlock();

  if (st.ok() && !c.writer && !batch.empty()) {
    ClipWriterOptions wo;
    wo.force_reencode = options_.force_reencode;
    wo.start_t = c.start_t;
    wo.end_t = c.end_t;
    wo.privacy_masks = options_.privacy_masks;
    auto w = ClipWriter::Open(c.path, params, wo);
    if (w.ok()) {
      c.writer = std::move(*w);
    } else {
      st = w.status();
    }
  }
  if (st.ok() && !batch.empty() && options_.may_write && !options_.may_write()) {
    st = core::ResourceExhausted("clip " + c.path + ": stopped, the disk is nearly full");
  }
  for (TimedPacket& p : batch) {
    if (!st.ok()) break;
    st = c.writer->Write(*p.packet);
    if (!c.have_packets) c.from_t = p.t;
    c.have_packets = true;
    c.to_t = p.t;
  }
  batch.clear();
  const bool finish = done || !st.ok();
  if (finish) Finish(c, st);

  lock.lock();
  if (finish) {
    c.input_done = true;
    c.pending.clear();
    c.finished = true;
  }
}

void ClipRecorder::Finish(Clip& c, core::Status st) {
  if (st.ok() && !c.writer) {
    st = core::Unavailable("clip " + c.path + ": the stream ended before any key frame");
  }
  if (st.ok()) st = c.writer->Close();
  ClipResult r;
  r.path = c.path;
  r.status = st;
  r.from_t = c.from_t;
  r.to_t = c.to_t;
  if (c.writer) {
    r.duration_s = c.writer->duration_s();
    r.frames = c.writer->frames();
    r.reencoded = c.writer->reencoded();
    r.codec = c.writer->codec_name();
  }
  c.writer.reset();  // after an error: removes the partial file
  if (st.ok()) {
    spdlog::debug("clip {}: {:.1f} s, {} frames ({})", r.path, r.duration_s, r.frames, r.codec);
  } else {
    spdlog::warn("clip failed: {}", st.ToString());
    // Else the alert's clip would be "not recorded yet" for ever.
    MarkClipLost(c.path, "it could not be recorded (" + st.message() + ")");
  }
  // The callback is read under the lock; it is set before the first clip.
  DoneCallback cb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cb = callback_;
    if (!cb) results_.push_back(r);
  }
  if (cb) cb(r);
}

std::vector<ClipResult> ClipRecorder::TakeResults() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ClipResult> out;
  out.swap(results_);
  return out;
}

bool ClipRecorder::WaitIdle(double timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                           [this] { return clips_.empty(); });
}

size_t ClipRecorder::active_clips() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clips_.size();
}

double ClipRecorder::latest_t() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_t_;
}

}  // namespace argus::record
