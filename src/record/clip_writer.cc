#include "record/clip_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ingest/ffmpeg_util.h"
#include "record/packet_ring.h"
#include "record/privacy_mask.h"
#include "record/video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

namespace argus::record {
namespace {

using ingest::AvErrorString;

// When the stream declares no frame rate (re-encoding needs one; Mp4Writer is constant-rate).
constexpr double kFallbackFps = 25;
// Decoding for a re-encoded clip is background work: one thread, like the encoder.
constexpr int kDecoderThreads = 1;

AVRational TimeBase(const StreamParams& p) { return {p.time_base_num, p.time_base_den}; }

// fsync(2) of a file or directory by name.
int SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// The data is on disk before the name points at it, and the new name survives a power cut.
core::Status SyncAndRename(const std::string& part, const std::string& path) {
  if (int err = SyncPath(part, O_RDONLY)) {
    return core::IoError("cannot sync " + part + ": " + std::strerror(err));
  }
  if (::rename(part.c_str(), path.c_str()) != 0) {
    return core::IoError("cannot rename " + part + " to " + path + ": " + std::strerror(errno));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  (void)SyncPath(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);  // best effort
  return core::Status::Ok();
}

}  // namespace

// ---- StreamParams ----

std::shared_ptr<const StreamParams> StreamParams::From(const AVStream& stream) {
  std::shared_ptr<StreamParams> p(new StreamParams());
  p->par_ = avcodec_parameters_alloc();
  if (!p->par_ || avcodec_parameters_copy(p->par_, stream.codecpar) < 0) return nullptr;
  p->time_base_num = stream.time_base.num;
  p->time_base_den = stream.time_base.den > 0 ? stream.time_base.den : 1;
  AVRational rate = stream.avg_frame_rate.num > 0 && stream.avg_frame_rate.den > 0
                        ? stream.avg_frame_rate
                        : stream.r_frame_rate;
  if (rate.num > 0 && rate.den > 0) {
    p->frame_rate_num = rate.num;
    p->frame_rate_den = rate.den;
  }
  return p;
}

StreamParams::~StreamParams() { avcodec_parameters_free(&par_); }

bool StreamParams::SameAs(const AVStream& s) const {
  const AVCodecParameters& o = *s.codecpar;
  return o.codec_id == par_->codec_id && o.width == par_->width && o.height == par_->height &&
         s.time_base.num == time_base_num && s.time_base.den == time_base_den &&
         o.extradata_size == par_->extradata_size &&
         (o.extradata_size == 0 ||
          std::memcmp(o.extradata, par_->extradata, static_cast<size_t>(o.extradata_size)) == 0);
}

double StreamParams::fps() const {
  return frame_rate_num > 0 ? static_cast<double>(frame_rate_num) / frame_rate_den : 0;
}

// ---- ClipWriter ----

struct ClipWriter::Remux {
  AVFormatContext* oc = nullptr;
  AVStream* st = nullptr;
  int64_t offset = 0;  // input pts of the first key frame: it becomes 0
  int64_t last_dts = AV_NOPTS_VALUE;
  ~Remux() {
    if (oc) {
      if (oc->pb) avio_closep(&oc->pb);
      avformat_free_context(oc);
    }
  }
};

struct ClipWriter::Reencode {
  AVCodecContext* dec = nullptr;
  AVFrame* frame = nullptr;
  SwsContext* sws = nullptr;
  std::unique_ptr<Mp4Writer> writer;
  ~Reencode() {
    sws_freeContext(sws);
    av_frame_free(&frame);
    avcodec_free_context(&dec);
  }
};

ClipWriter::ClipWriter(std::string path, std::shared_ptr<const StreamParams> params,
                       const ClipWriterOptions& options)
    : path_(std::move(path)),
      part_(path_ + kPartialSuffix),
      params_(std::move(params)),
      options_(options) {}

ClipWriter::~ClipWriter() {
  if (!closed_) Discard();
}

void ClipWriter::Discard() {
  remux_.reset();     // closes our file before it is removed
  reencode_.reset();  // Mp4Writer removes its own partial file
  std::error_code ec;
  std::filesystem::remove(part_, ec);
  closed_ = true;
}

core::Result<std::unique_ptr<ClipWriter>> ClipWriter::Open(
    const std::string& path, std::shared_ptr<const StreamParams> params,
    const ClipWriterOptions& options) {
  if (path.empty()) return core::InvalidArgument("clip: empty path");
  if (!params) return core::InvalidArgument("clip " + path + ": no stream parameters");
  ingest::QuietFfmpegLogsOnce();
  std::unique_ptr<ClipWriter> w(new ClipWriter(path, std::move(params), options));
  std::string why_not =
      !options.privacy_masks.empty() ? "the camera has privacy masks" : "re-encoding was requested";
  // Remuxed packets would show what the masks hide.
  if (!options.force_reencode && options.privacy_masks.empty()) {
    core::Status st = w->OpenRemux(&why_not);
    if (st.ok()) return w;
    if (st.code() == core::StatusCode::kIoError) return st;  // the file, not the codec
  }
  w->reencoded_ = true;
  core::Status st = w->OpenReencode();
  if (!st.ok()) return core::Status(st.code(), st.message() + " (remux: " + why_not + ")");
  return w;
}

core::Status ClipWriter::OpenRemux(std::string* why_not) {
  auto m = std::make_unique<Remux>();
  // The ".part" name tells FFmpeg nothing, so the container is named explicitly.
  int ret = avformat_alloc_output_context2(&m->oc, nullptr, "mp4", part_.c_str());
  if (ret < 0 || !m->oc) return core::Internal("mp4 muxer: " + AvErrorString(ret));
  const char* name = avcodec_get_name(params_->codecpar().codec_id);
  // Asked first so that a known refusal does not log an FFmpeg error for every clip.
  if (avformat_query_codec(m->oc->oformat, params_->codecpar().codec_id, FF_COMPLIANCE_NORMAL) !=
      1) {
    *why_not = std::string("MP4 cannot carry ") + name;
    return core::InvalidArgument(*why_not);
  }
  m->st = avformat_new_stream(m->oc, nullptr);
  if (!m->st) return core::Internal("out of memory");
  ret = avcodec_parameters_copy(m->st->codecpar, &params_->codecpar());
  if (ret < 0) return core::Internal("codec parameters: " + AvErrorString(ret));
  m->st->codecpar->codec_tag = 0;  // an AVI FourCC means nothing to MP4: let it choose
  m->st->time_base = TimeBase(*params_);
  if (params_->frame_rate_num > 0) {
    m->st->avg_frame_rate = {params_->frame_rate_num, params_->frame_rate_den};
  }
  ret = avio_open(&m->oc->pb, part_.c_str(), AVIO_FLAG_WRITE);
  if (ret < 0) return core::IoError("cannot create " + part_ + ": " + AvErrorString(ret));
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);  // playable while it downloads
  ret = avformat_write_header(m->oc, &opts);
  av_dict_free(&opts);
  if (ret < 0) {
    m.reset();
    std::error_code ec;
    std::filesystem::remove(part_, ec);
    *why_not = std::string("MP4 cannot carry ") + name + ": " + AvErrorString(ret);
    return core::InvalidArgument(*why_not);
  }
  codec_name_ = name;
  remux_ = std::move(m);
  return core::Status::Ok();
}

core::Status ClipWriter::OpenReencode() {
  auto m = std::make_unique<Reencode>();
  const AVCodecParameters& par = params_->codecpar();
  const AVCodec* codec = avcodec_find_decoder(par.codec_id);
  if (!codec) {
    return core::InvalidArgument(std::string("clip: no decoder for ") +
                                 avcodec_get_name(par.codec_id));
  }
  m->dec = avcodec_alloc_context3(codec);
  m->frame = av_frame_alloc();
  if (!m->dec || !m->frame) return core::Internal("out of memory");
  int ret = avcodec_parameters_to_context(m->dec, &par);
  if (ret < 0) return core::Internal("decoder parameters: " + AvErrorString(ret));
  m->dec->pkt_timebase = TimeBase(*params_);
  m->dec->thread_count = kDecoderThreads;
  ret = avcodec_open2(m->dec, codec, nullptr);
  if (ret < 0) {
    return core::Internal(std::string("cannot open decoder ") + codec->name + ": " +
                          AvErrorString(ret));
  }
  reencode_ = std::move(m);
  return core::Status::Ok();
}

core::Status ClipWriter::Write(const AVPacket& packet) {
  if (closed_) return core::InvalidArgument("clip " + path_ + ": already closed");
  if (!started_) {
    if (!(packet.flags & AV_PKT_FLAG_KEY)) return core::Status::Ok();
    started_ = true;
    if (remux_) remux_->offset = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
  }
  core::Status st = remux_ ? WriteRemux(packet) : DecodeAndEncode(&packet);
  if (!st.ok()) Discard();
  return st;
}

core::Status ClipWriter::WriteRemux(const AVPacket& packet) {
  Remux& m = *remux_;
  PacketPtr p = RefPacket(packet);
  if (!p) return core::Internal("out of memory");
  const AVRational in_tb = TimeBase(*params_);
  if (p->pts == AV_NOPTS_VALUE) p->pts = p->dts;
  if (p->dts == AV_NOPTS_VALUE) p->dts = p->pts;
  p->pts -= m.offset;
  p->dts -= m.offset;
  p->stream_index = m.st->index;
  p->pos = -1;
  // Picture end, for the clip's duration; a missing packet duration counts one frame.
  double dur = p->duration > 0 ? p->duration * av_q2d(in_tb)
                               : (params_->fps() > 0 ? 1 / params_->fps() : 1 / kFallbackFps);
  end_s_ = std::max(end_s_, p->pts * av_q2d(in_tb) + dur);
  av_packet_rescale_ts(p.get(), in_tb, m.st->time_base);
  // The muxer rejects a dts that does not advance (coarse input time bases round together).
  if (m.last_dts != AV_NOPTS_VALUE && p->dts <= m.last_dts) p->dts = m.last_dts + 1;
  if (p->pts < p->dts) p->pts = p->dts;
  m.last_dts = p->dts;
  int ret = av_interleaved_write_frame(m.oc, p.get());
  if (ret < 0) return core::IoError("cannot write " + part_ + ": " + AvErrorString(ret));
  ++frames_;
  return core::Status::Ok();
}

core::Status ClipWriter::DecodeAndEncode(const AVPacket* packet) {
  Reencode& m = *reencode_;
  int ret = avcodec_send_packet(m.dec, packet);
  // A corrupt packet is not the end of the clip: the decoder resumes at the next key frame.
  if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF && packet) return core::Status::Ok();
  const double tb = params_->time_base();
  const double fps = params_->fps() > 0 ? params_->fps() : kFallbackFps;
  while (true) {
    ret = avcodec_receive_frame(m.dec, m.frame);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return core::Status::Ok();
    if (ret < 0) return core::Internal("clip decoder: " + AvErrorString(ret));
    const AVFrame* f = m.frame;
    // Decoding starts at the key frame; the clip starts at the requested pre-roll.
    if (f->best_effort_timestamp != AV_NOPTS_VALUE) {
      const double t = static_cast<double>(f->best_effort_timestamp) * tb;
      if (t < options_.start_t - 0.5 / fps || t > options_.end_t + 0.5 / fps) {
        av_frame_unref(m.frame);
        continue;
      }
    }
    const int w = f->width & ~1, h = f->height & ~1;  // yuv420p needs even sizes
    if (!m.writer) {
      // Straight into our partial file: a ".part" of our ".part" would outlive a kill -9.
      auto writer = Mp4Writer::OpenInPlace(part_, w, h, fps);
      if (!writer.ok()) return writer.status();
      m.writer = std::move(*writer);
      codec_name_ = m.writer->codec_name();
    }
    m.sws = sws_getCachedContext(m.sws, f->width, f->height, static_cast<AVPixelFormat>(f->format),
                                 f->width, f->height, AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr,
                                 nullptr, nullptr);
    if (!m.sws) return core::Internal("clip: cannot convert pixel format");
    cv::Mat bgr(f->height, f->width, CV_8UC3);
    uint8_t* dst[4] = {bgr.data, nullptr, nullptr, nullptr};
    int dst_stride[4] = {static_cast<int>(bgr.step[0]), 0, 0, 0};
    sws_scale(m.sws, f->data, f->linesize, 0, f->height, dst, dst_stride);
    av_frame_unref(m.frame);
    // On the whole picture, before the even-size crop: the geometry of the analysed frames.
    ApplyPrivacyMasks(bgr, options_.privacy_masks);
    if (bgr.cols != w || bgr.rows != h) bgr = bgr(cv::Rect(0, 0, w, h)).clone();
    ARGUS_RETURN_IF_ERROR(m.writer->Write(bgr));
    ++frames_;
  }
}

core::Status ClipWriter::Close() {
  if (closed_) return core::InvalidArgument("clip " + path_ + ": already closed");
  core::Status st;
  if (remux_) {
    int ret = av_write_trailer(remux_->oc);
    if (ret < 0) st = core::IoError("cannot finish " + part_ + ": " + AvErrorString(ret));
    if (st.ok() && (ret = avio_closep(&remux_->oc->pb)) < 0) {
      st = core::IoError("cannot close " + part_ + ": " + AvErrorString(ret));
    }
  } else {
    st = DecodeAndEncode(nullptr);
    if (st.ok() && reencode_->writer) st = reencode_->writer->Close();
  }
  if (st.ok() && frames_ == 0) st = core::InvalidArgument("clip " + path_ + ": no video to write");
  if (st.ok()) st = SyncAndRename(part_, path_);
  if (!st.ok()) {
    Discard();
    return st;
  }
  remux_.reset();
  reencode_.reset();
  closed_ = true;
  return st;
}

double ClipWriter::duration_s() const {
  if (!reencoded_) return end_s_;
  const double fps = params_->fps() > 0 ? params_->fps() : kFallbackFps;
  return static_cast<double>(frames_) / fps;
}

}  // namespace argus::record
