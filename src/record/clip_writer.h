// ClipWriter: one evidence clip as an MP4 made from a camera's own compressed packets.
// Remuxing (no re-encode) keeps the picture exactly as the camera sent it and costs almost
// no CPU. When MP4 cannot carry the codec (avformat_write_header refuses it, e.g. the
// MS-MPEG-4 v3 of old AVI files) it decodes the packets and re-encodes them with Mp4Writer.
// A camera with privacy masks is always re-encoded: the camera's packets show the masked
// regions, so every decoded picture has them filled black before it is encoded again.
// The clip is written to `path + ".part"`, synced and renamed: a reader never sees a
// half-written clip, and an error or destruction before Close() removes the partial file.
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"

struct AVCodecParameters;
struct AVPacket;
struct AVStream;

namespace argus::record {

// What a clip needs to know about the source stream, copied from the AVStream: the
// demuxer's stream is only valid during the packet callback and goes away on reconnect.
class StreamParams {
 public:
  static std::shared_ptr<const StreamParams> From(const AVStream& stream);  // null: no memory
  ~StreamParams();
  StreamParams(const StreamParams&) = delete;
  StreamParams& operator=(const StreamParams&) = delete;

  // Whether `stream` still carries the same video: codec, size, extradata and time base.
  bool SameAs(const AVStream& stream) const;

  const AVCodecParameters& codecpar() const { return *par_; }
  int time_base_num = 0, time_base_den = 1;
  int frame_rate_num = 0, frame_rate_den = 1;  // avg_frame_rate, else r_frame_rate; 0 unknown
  double time_base() const { return static_cast<double>(time_base_num) / time_base_den; }
  double fps() const;  // 0 when unknown

 private:
  StreamParams() = default;
  AVCodecParameters* par_ = nullptr;
};

struct ClipWriterOptions {
  // Re-encode even when the codec could be remuxed (tests, players that need H.264).
  bool force_reencode = false;
  // Re-encoding only: decoded frames before this stream time are dropped, so the clip starts
  // at the requested pre-roll rather than at the key frame before it.
  double start_t = -std::numeric_limits<double>::infinity();
  // Re-encoding only: decoded frames after this stream time are dropped (with B-frames the
  // last packets before the end in decode order show pictures a little after it).
  double end_t = std::numeric_limits<double>::infinity();
  // Privacy masks (relative polygons, as config::CameraConfig::privacy_masks). When not
  // empty the clip is re-encoded and the polygons are black in every picture.
  std::vector<core::Polygon> privacy_masks;
};

class ClipWriter {
 public:
  static core::Result<std::unique_ptr<ClipWriter>> Open(const std::string& path,
                                                        std::shared_ptr<const StreamParams> params,
                                                        const ClipWriterOptions& options = {});
  ~ClipWriter();
  ClipWriter(const ClipWriter&) = delete;
  ClipWriter& operator=(const ClipWriter&) = delete;

  // Packets in decode order, with pts and dts set and dts increasing, in the time base of
  // `params`. Packets before the first key frame are skipped.
  core::Status Write(const AVPacket& packet);
  // Finishes the file, syncs it and renames it into place. After an error the partial file
  // is removed. A clip without any picture is an error.
  core::Status Close();

  const std::string& path() const { return path_; }
  bool reencoded() const { return reencoded_; }
  const std::string& codec_name() const { return codec_name_; }  // of the written clip
  double duration_s() const;                                     // of the written video
  int64_t frames() const { return frames_; }  // packets remuxed or frames encoded

 private:
  struct Remux;
  struct Reencode;
  ClipWriter(std::string path, std::shared_ptr<const StreamParams> params,
             const ClipWriterOptions& options);
  core::Status OpenRemux(std::string* why_not);
  core::Status OpenReencode();
  core::Status WriteRemux(const AVPacket& packet);
  core::Status DecodeAndEncode(const AVPacket* packet);  // null: flush the decoder
  void Discard();

  const std::string path_, part_;
  std::shared_ptr<const StreamParams> params_;
  ClipWriterOptions options_;
  std::unique_ptr<Remux> remux_;
  std::unique_ptr<Reencode> reencode_;
  bool reencoded_ = false;
  bool closed_ = false;
  bool started_ = false;  // a key frame went in
  std::string codec_name_;
  int64_t frames_ = 0;
  double end_s_ = 0;  // remux: end of the last picture, seconds after the first
};

}  // namespace argus::record
