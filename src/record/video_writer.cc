#include "record/video_writer.h"

#include <cmath>
#include <filesystem>

#include "ingest/ffmpeg_util.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

namespace argus::record {
namespace {

using ingest::AvErrorString;

constexpr double kMaxFps = 1000;
// Encoding an evidence clip is background work: one thread keeps it from starving the
// cameras' analysis threads.
constexpr int kEncoderThreads = 1;
// MPEG-4 fallback quality (qscale 1..31, lower is better).
constexpr int kMpeg4QScale = 4;

}  // namespace

struct Mp4Writer::Impl {
  std::string path, part;
  int width = 0, height = 0;
  AVFormatContext* oc = nullptr;
  AVCodecContext* enc = nullptr;
  AVStream* st = nullptr;
  SwsContext* sws = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* pkt = nullptr;

  ~Impl() {
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&enc);
    if (oc) {
      if (oc->pb) avio_closep(&oc->pb);
      avformat_free_context(oc);
    }
  }
};

Mp4Writer::Mp4Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Mp4Writer::~Mp4Writer() {
  if (!closed_) Discard();
}

void Mp4Writer::Discard() {
  std::string part = impl_->part;
  impl_.reset();  // closes the file first
  std::error_code ec;
  std::filesystem::remove(part, ec);
  closed_ = true;
}

core::Result<std::unique_ptr<Mp4Writer>> Mp4Writer::Open(const std::string& path, int width,
                                                         int height, double fps) {
  return OpenAt(path, path + kPartialSuffix, width, height, fps);
}

core::Result<std::unique_ptr<Mp4Writer>> Mp4Writer::OpenInPlace(const std::string& path, int width,
                                                                int height, double fps) {
  return OpenAt(path, path, width, height, fps);
}

core::Result<std::unique_ptr<Mp4Writer>> Mp4Writer::OpenAt(const std::string& path,
                                                           const std::string& part, int width,
                                                           int height, double fps) {
  if (width <= 0 || height <= 0 || width % 2 || height % 2) {
    return core::InvalidArgument("mp4 " + path + ": size must be positive and even, not " +
                                 std::to_string(width) + "x" + std::to_string(height));
  }
  if (!(fps > 0 && fps <= kMaxFps)) {
    return core::InvalidArgument("mp4 " + path + ": bad frame rate " + std::to_string(fps));
  }
  ingest::QuietFfmpegLogsOnce();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->part = part;
  impl->width = width;
  impl->height = height;

  // The ".part" name tells FFmpeg nothing, so the container is named explicitly.
  int ret = avformat_alloc_output_context2(&impl->oc, nullptr, "mp4", impl->part.c_str());
  if (ret < 0 || !impl->oc) return core::Internal("mp4 muxer: " + AvErrorString(ret));

  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
  if (!codec) return core::Internal("no H.264 or MPEG-4 encoder in this FFmpeg");
  impl->st = avformat_new_stream(impl->oc, nullptr);
  impl->enc = avcodec_alloc_context3(codec);
  if (!impl->st || !impl->enc) return core::Internal("out of memory");
  AVCodecContext* enc = impl->enc;
  const AVRational rate = av_d2q(fps, 100000);
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = av_inv_q(rate);
  enc->framerate = rate;
  enc->gop_size = std::max(1, static_cast<int>(std::lround(fps * kKeyFrameIntervalS)));
  enc->thread_count = kEncoderThreads;
  if (impl->oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (codec->id == AV_CODEC_ID_H264) {
    av_opt_set(enc->priv_data, "preset", kDefaultPreset, 0);
    av_opt_set_int(enc->priv_data, "crf", kDefaultCrf, 0);
  } else {
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * kMpeg4QScale;
  }
  ret = avcodec_open2(enc, codec, nullptr);
  if (ret < 0)
    return core::Internal("cannot open encoder " + std::string(codec->name) + ": " +
                          AvErrorString(ret));
  ret = avcodec_parameters_from_context(impl->st->codecpar, enc);
  if (ret < 0) return core::Internal("encoder parameters: " + AvErrorString(ret));
  impl->st->time_base = enc->time_base;
  impl->st->avg_frame_rate = rate;

  ret = avio_open(&impl->oc->pb, impl->part.c_str(), AVIO_FLAG_WRITE);
  if (ret < 0) return core::IoError("cannot create " + impl->part + ": " + AvErrorString(ret));
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);
  ret = avformat_write_header(impl->oc, &opts);
  av_dict_free(&opts);
  std::unique_ptr<Mp4Writer> writer(new Mp4Writer(std::move(impl)));
  writer->codec_name_ = codec->name;
  if (ret < 0) {
    writer->Discard();
    return core::IoError("cannot write mp4 header to " + path + ": " + AvErrorString(ret));
  }

  Impl& m = *writer->impl_;
  m.frame = av_frame_alloc();
  m.pkt = av_packet_alloc();
  if (!m.frame || !m.pkt) return core::Internal("out of memory");
  m.frame->format = AV_PIX_FMT_YUV420P;
  m.frame->width = width;
  m.frame->height = height;
  if (av_frame_get_buffer(m.frame, 0) < 0) return core::Internal("out of memory");
  m.sws = sws_getContext(width, height, AV_PIX_FMT_BGR24, width, height, AV_PIX_FMT_YUV420P,
                         SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (!m.sws) return core::Internal("no BGR to yuv420p converter");
  return writer;
}

core::Status Mp4Writer::Write(const cv::Mat& bgr) {
  if (closed_) return core::InvalidArgument("mp4 writer already closed");
  Impl& m = *impl_;
  if (bgr.type() != CV_8UC3 || bgr.cols != m.width || bgr.rows != m.height) {
    return core::InvalidArgument("mp4 " + m.path + ": frame must be " + std::to_string(m.width) +
                                 "x" + std::to_string(m.height) + " BGR, got " +
                                 std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) +
                                 " with " + std::to_string(bgr.channels()) + " channels");
  }
  // The encoder may still hold a reference to the previous frame's buffers.
  int ret = av_frame_make_writable(m.frame);
  if (ret < 0) return core::Internal("av_frame_make_writable: " + AvErrorString(ret));
  const uint8_t* src[4] = {bgr.data, nullptr, nullptr, nullptr};
  int src_stride[4] = {static_cast<int>(bgr.step[0]), 0, 0, 0};
  sws_scale(m.sws, src, src_stride, 0, m.height, m.frame->data, m.frame->linesize);
  m.frame->pts = frames_;
  ret = avcodec_send_frame(m.enc, m.frame);
  if (ret < 0) return core::Internal("encoder: " + AvErrorString(ret));
  ++frames_;
  return Encode(/*flush=*/false);
}

core::Status Mp4Writer::Encode(bool flush) {
  Impl& m = *impl_;
  while (true) {
    int ret = avcodec_receive_packet(m.enc, m.pkt);
    if (ret == AVERROR(EAGAIN) && !flush) return core::Status::Ok();
    if (ret == AVERROR_EOF) return core::Status::Ok();
    if (ret < 0) return core::Internal("encoder: " + AvErrorString(ret));
    av_packet_rescale_ts(m.pkt, m.enc->time_base, m.st->time_base);
    m.pkt->stream_index = m.st->index;
    ret = av_interleaved_write_frame(m.oc, m.pkt);  // takes the packet's data
    if (ret < 0) return core::IoError("cannot write " + m.part + ": " + AvErrorString(ret));
  }
}

core::Status Mp4Writer::Close() {
  if (closed_) return core::Status::Ok();
  Impl& m = *impl_;
  core::Status st;
  int ret = avcodec_send_frame(m.enc, nullptr);
  st = ret < 0 ? core::Internal("encoder flush: " + AvErrorString(ret)) : Encode(/*flush=*/true);
  if (st.ok() && (ret = av_write_trailer(m.oc)) < 0) {
    st = core::IoError("cannot finish " + m.part + ": " + AvErrorString(ret));
  }
  if (st.ok() && (ret = avio_closep(&m.oc->pb)) < 0) {
    st = core::IoError("cannot close " + m.part + ": " + AvErrorString(ret));
  }
  if (st.ok() && m.part != m.path) {
    std::error_code ec;
    std::filesystem::rename(m.part, m.path, ec);
    if (ec) st = core::IoError("cannot rename " + m.part + " to " + m.path + ": " + ec.message());
  }
  if (!st.ok()) {
    Discard();
    return st;
  }
  impl_.reset();
  closed_ = true;
  return st;
}

}  // namespace argus::record
