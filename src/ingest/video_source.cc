#include "ingest/video_source.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/log.h"
#include "ingest/ffmpeg_util.h"
#include "ingest/timestamps.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace argus::ingest {
namespace {

// Stop() and back-off sleeps are checked this often.
constexpr double kSleepSliceS = 0.05;
// Live streams: analyse less than FFmpeg's default 5 s before the first frame.
constexpr int64_t kLiveAnalyzeDurationUs = 1'000'000;
// A stream claiming more is broken; its frame rate is treated as unknown.
constexpr double kMaxPlausibleFps = 1000;

double PlausibleFps(AVRational r) {
  if (r.num <= 0 || r.den <= 0) return 0;
  double fps = av_q2d(r);
  return fps > 0 && fps <= kMaxPlausibleFps ? fps : 0;
}

// A continuous height x width BGR picture with kBgrFrameSlackBytes after it.
cv::Mat BgrWithSlack(int height, int width) {
  const int bytes = height * width * 3;
  cv::Mat whole(1, bytes + static_cast<int>(kBgrFrameSlackBytes), CV_8UC1);
  return whole.colRange(0, bytes).reshape(3, height);
}

}  // namespace

bool IsLiveUrl(const std::string& url) {
  auto pos = url.find("://");
  if (pos == std::string::npos || pos == 0) return false;
  return url.compare(0, pos, "file") != 0;
}

struct VideoSource::Session {
  AVFormatContext* fmt = nullptr;
  AVCodecContext* dec = nullptr;
  SwsContext* sws = nullptr;
  AVPacket* pkt = nullptr;
  AVFrame* frame = nullptr;
  int stream_index = -1;
  AVRational time_base{0, 1};
  bool draining = false;
  int64_t frames = 0;

  ~Session() {
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
  }
};

VideoSource::VideoSource(const SourceOptions& options, core::Clock& clock, bool live)
    : options_(options),
      clock_(clock),
      live_(live),
      backoff_(options.backoff, std::hash<std::string>{}(options.url)),
      rebaser_(std::make_unique<TimestampRebaser>()) {}

VideoSource::~VideoSource() = default;

core::Result<std::unique_ptr<VideoSource>> VideoSource::Open(const SourceOptions& options,
                                                             core::Clock& clock) {
  QuietFfmpegLogsOnce();
  if (options.url.empty()) return core::InvalidArgument("video source: empty url");
  const bool live = IsLiveUrl(options.url);
  if (live && options.rtsp_transport != "tcp" && options.rtsp_transport != "udp") {
    return core::InvalidArgument("video source " + options.url + ": rtsp_transport must be " +
                                 "\"tcp\" or \"udp\", not \"" + options.rtsp_transport + "\"");
  }
  if (live) {
    // RTSP is an FFmpeg demuxer, the other schemes are I/O protocols. An unknown scheme is
    // a config error, not a camera to retry forever.
    const std::string scheme = options.url.substr(0, options.url.find("://"));
    if (scheme != "rtsp" && scheme != "rtsps" && !avio_find_protocol_name(options.url.c_str())) {
      return core::InvalidArgument("video source " + options.url + ": unsupported scheme \"" +
                                   scheme + "://\"");
    }
  }
  std::unique_ptr<VideoSource> source(new VideoSource(options, clock, live));
  if (!live) {
    std::string path = options.url.starts_with("file://") ? options.url.substr(7) : options.url;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return core::NotFound("video file not found: " + path);
    }
    if (std::filesystem::is_directory(path, ec)) {
      return core::InvalidArgument("video source is a directory, not a file: " + path);
    }
    ARGUS_RETURN_IF_ERROR(source->Connect());
    (void)source->states_.TransitionTo(SourceState::kRunning);
  }
  return source;
}

void VideoSource::OnStateChange(std::function<void(SourceState)> listener) {
  states_.SetListener(std::move(listener));
}

void VideoSource::OnPacket(PacketCallback callback) { packet_callback_ = std::move(callback); }

void VideoSource::Stop() {
  stop_.store(true);
  (void)states_.TransitionTo(SourceState::kStopped);
}

int VideoSource::InterruptCallback(void* opaque) {
  auto* self = static_cast<VideoSource*>(opaque);
  if (self->stop_.load()) return 1;
  double deadline = self->deadline_.load();
  return deadline > 0 && self->clock_.Seconds() > deadline ? 1 : 0;
}

void VideoSource::ArmDeadline() {
  // Local files never stall; a live peer that sends nothing for open_timeout_s is lost.
  deadline_.store(live_ && options_.open_timeout_s > 0 ? clock_.Seconds() + options_.open_timeout_s
                                                       : 0.0);
}

std::string VideoSource::Why(int av_error) const {
  double deadline = deadline_.load();
  if (deadline > 0 && clock_.Seconds() > deadline) {
    return fmt::format("no answer for {} s", options_.open_timeout_s);
  }
  return AvErrorString(av_error);
}

bool VideoSource::SleepInterruptibly(double seconds) {
  while (seconds > 0 && !stop_.load()) {
    double slice = std::min(seconds, kSleepSliceS);
    clock_.SleepFor(
        std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(slice)));
    seconds -= slice;
  }
  return !stop_.load();
}

core::Status VideoSource::Connect() {
  auto s = std::make_unique<Session>();
  s->fmt = avformat_alloc_context();
  if (!s->fmt) return core::Internal("avformat_alloc_context failed");
  s->fmt->interrupt_callback.callback = &VideoSource::InterruptCallback;
  s->fmt->interrupt_callback.opaque = this;

  AVDictionary* opts = nullptr;
  if (live_) {
    if (options_.url.starts_with("rtsp")) {
      av_dict_set(&opts, "rtsp_transport", options_.rtsp_transport.c_str(), 0);
    }
    av_dict_set_int(&opts, "analyzeduration", kLiveAnalyzeDurationUs, 0);
  }
  std::string path = options_.url.starts_with("file://") ? options_.url.substr(7) : options_.url;
  ArmDeadline();
  int ret = avformat_open_input(&s->fmt, path.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (ret < 0) {  // avformat_open_input freed the context
    if (live_) return core::Unavailable("cannot connect to " + path + ": " + Why(ret));
    return core::InvalidArgument("cannot open video " + path + ": " + AvErrorString(ret));
  }
  ArmDeadline();
  ret = avformat_find_stream_info(s->fmt, nullptr);
  if (ret < 0) {
    return live_
               ? core::Unavailable("no stream info from " + path + ": " + Why(ret))
               : core::InvalidArgument("not a readable video: " + path + ": " + AvErrorString(ret));
  }
  const AVCodec* codec = nullptr;
  s->stream_index = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (s->stream_index < 0 || !codec) {
    std::string why = s->stream_index == AVERROR_DECODER_NOT_FOUND ? "no decoder for its video"
                                                                   : "no video stream";
    return core::InvalidArgument("not a usable video: " + path + ": " + why);
  }
  AVStream* st = s->fmt->streams[s->stream_index];
  s->time_base = st->time_base;
  s->dec = avcodec_alloc_context3(codec);
  if (!s->dec) return core::Internal("avcodec_alloc_context3 failed");
  ret = avcodec_parameters_to_context(s->dec, st->codecpar);
  if (ret < 0) return core::Internal("avcodec_parameters_to_context: " + AvErrorString(ret));
  s->dec->thread_count = std::max(1, options_.decoder_threads);
  s->dec->pkt_timebase = st->time_base;
  ret = avcodec_open2(s->dec, codec, nullptr);
  if (ret < 0) {
    return core::InvalidArgument("cannot open " + std::string(codec->name) + " decoder for " +
                                 path + ": " + AvErrorString(ret));
  }
  s->pkt = av_packet_alloc();
  s->frame = av_frame_alloc();
  if (!s->pkt || !s->frame) return core::Internal("out of memory");

  double fps = PlausibleFps(st->avg_frame_rate);
  if (fps == 0) fps = PlausibleFps(st->r_frame_rate);
  fps_.store(fps);
  rebaser_->SetFps(fps);
  int64_t count = 0;
  if (!live_) {
    if (st->nb_frames > 0) {
      count = st->nb_frames;
    } else if (fps > 0) {
      double duration = st->duration != AV_NOPTS_VALUE ? st->duration * av_q2d(st->time_base)
                        : s->fmt->duration != AV_NOPTS_VALUE
                            ? static_cast<double>(s->fmt->duration) / AV_TIME_BASE
                            : 0.0;
      count = std::llround(duration * fps);
    }
  }
  frame_count_hint_.store(count);
  width_.store(st->codecpar->width);
  height_.store(st->codecpar->height);
  codec_name_ = codec->name;
  session_ = std::move(s);
  return core::Status::Ok();
}

ReadStatus VideoSource::ReadFromSession(Frame* out) {
  Session& s = *session_;
  while (true) {
    if (stop_.load()) return ReadStatus::kStopped;
    int ret = avcodec_receive_frame(s.dec, s.frame);
    if (ret == 0) break;
    if (ret == AVERROR_EOF) return ReadStatus::kEnd;
    if (ret != AVERROR(EAGAIN)) {
      spdlog::warn("{}: decoder error: {}", options_.url, AvErrorString(ret));
      return ReadStatus::kEnd;
    }
    if (s.draining) return ReadStatus::kEnd;
    ArmDeadline();
    ret = av_read_frame(s.fmt, s.pkt);
    if (ret < 0) {
      if (stop_.load()) return ReadStatus::kStopped;
      if (live_) {
        spdlog::warn("{}: stream lost: {}", options_.url, Why(ret));
      } else if (ret != AVERROR_EOF) {
        spdlog::warn("{}: read error, treating as end: {}", options_.url, AvErrorString(ret));
      }
      // Drain the frames the decoder still holds (B-frames, frame threads).
      s.draining = true;
      (void)avcodec_send_packet(s.dec, nullptr);
      continue;
    }
    if (s.pkt->stream_index == s.stream_index) {
      if (packet_callback_) packet_callback_(*s.pkt, *s.fmt->streams[s.stream_index]);
      ret = avcodec_send_packet(s.dec, s.pkt);
      // A corrupt packet is not the end: the decoder resumes at the next key frame.
      if (ret < 0 && ret != AVERROR(EAGAIN)) {
        spdlog::debug("{}: bad packet: {}", options_.url, AvErrorString(ret));
      }
    }
    av_packet_unref(s.pkt);
  }

  AVFrame* f = s.frame;
  std::optional<double> stream_t;
  if (f->best_effort_timestamp != AV_NOPTS_VALUE) {
    stream_t = static_cast<double>(f->best_effort_timestamp) * av_q2d(s.time_base);
  }
  out->t = rebaser_->Map(stream_t);
  out->damaged = f->decode_error_flags != 0 || (f->flags & AV_FRAME_FLAG_CORRUPT) != 0;
  width_.store(f->width);
  height_.store(f->height);
  if (options_.convert_to_bgr) {
    s.sws = sws_getCachedContext(s.sws, f->width, f->height, static_cast<AVPixelFormat>(f->format),
                                 f->width, f->height, AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr,
                                 nullptr, nullptr);
    if (!s.sws) {
      spdlog::error("{}: cannot convert pixel format {}", options_.url, f->format);
      av_frame_unref(f);
      return ReadStatus::kEnd;
    }
    // A fresh Mat each time: callers may keep earlier frames.
    out->bgr = BgrWithSlack(f->height, f->width);
    uint8_t* dst[4] = {out->bgr.data, nullptr, nullptr, nullptr};
    int dst_stride[4] = {static_cast<int>(out->bgr.step[0]), 0, 0, 0};
    sws_scale(s.sws, f->data, f->linesize, 0, f->height, dst, dst_stride);
  } else {
    out->bgr.release();
  }
  av_frame_unref(f);
  ++s.frames;
  return ReadStatus::kFrame;
}

ReadStatus VideoSource::Read(Frame* out) {
  while (true) {
    if (stop_.load()) {
      (void)states_.TransitionTo(SourceState::kStopped);
      return ReadStatus::kStopped;
    }
    if (state() == SourceState::kEnded) return ReadStatus::kEnd;

    if (!session_) {
      if (!live_) {  // a file whose loop could not seek: reopen it
        if (core::Status st = Connect(); !st.ok()) {
          spdlog::error("{}: {}", options_.url, st.message());
          (void)states_.TransitionTo(SourceState::kEnded);
          return ReadStatus::kEnd;
        }
        rebaser_->NewSession(0);
        continue;
      }
      if (state() == SourceState::kReconnecting) {
        if (options_.max_reconnects >= 0 && failed_reconnects_ >= options_.max_reconnects) {
          spdlog::error("{}: giving up after {} failed reconnects", options_.url,
                        failed_reconnects_);
          (void)states_.TransitionTo(SourceState::kEnded);
          return ReadStatus::kEnd;
        }
        if (!SleepInterruptibly(backoff_.Next())) continue;
        reconnects_.fetch_add(1);
        ++failed_reconnects_;
      }
      core::Status st = Connect();
      if (!st.ok()) {
        if (!stop_.load()) spdlog::warn("{}", st.message());
        (void)states_.TransitionTo(SourceState::kReconnecting);
        continue;
      }
      spdlog::info("{}: connected ({} {}x{} {:.2f} fps)", options_.url, codec_name_, width(),
                   height(), nominal_fps());
      rebaser_->NewSession(frames_ > 0 ? clock_.Seconds() - last_frame_clock_s_ : 0.0);
    }

    ReadStatus r = ReadFromSession(out);
    if (r == ReadStatus::kFrame) {
      // Running once a picture arrives, not on connecting: a camera that answers but sends
      // no picture (a hung encoder, RTP dropped by a firewall) is not shown online.
      if (state() != SourceState::kRunning) (void)states_.TransitionTo(SourceState::kRunning);
      failed_reconnects_ = 0;
      backoff_.Reset();
      out->number = ++frames_;
      last_frame_clock_s_ = clock_.Seconds();
      return r;
    }
    if (r == ReadStatus::kStopped) continue;

    // The session is over.
    if (live_) {
      session_.reset();
      (void)states_.TransitionTo(SourceState::kReconnecting);
      continue;
    }
    if (options_.loop && session_->frames > 0) {
      Session& s = *session_;
      int ret = av_seek_frame(s.fmt, s.stream_index, 0, AVSEEK_FLAG_BACKWARD);
      if (ret < 0) {
        session_.reset();  // reopened above
      } else {
        avcodec_flush_buffers(s.dec);
        s.draining = false;
        s.frames = 0;
        rebaser_->NewSession(0);
      }
      continue;
    }
    session_.reset();
    (void)states_.TransitionTo(SourceState::kEnded);
    return ReadStatus::kEnd;
  }
}

}  // namespace argus::ingest
