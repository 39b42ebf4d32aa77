// Mp4Writer: encodes BGR frames to an H.264 MP4 (libx264 through libavcodec; MPEG-4 Part 2
// if this FFmpeg has no libx264), yuv420p, "faststart" so a browser can play it while
// downloading. Writes to `path + ".part"` and renames on Close(): a reader never sees a
// half-written clip, and a writer destroyed without Close() (error, shutdown) removes it.
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "core/status.h"

namespace argus::record {

inline constexpr const char* kPartialSuffix = ".part";
// x264 quality: 23 is its default; evidence clips must show clothing and gestures, not blobs.
inline constexpr int kDefaultCrf = 23;
inline constexpr const char* kDefaultPreset = "veryfast";
inline constexpr double kKeyFrameIntervalS = 2;  // seeking granularity in the dashboard

class Mp4Writer {
 public:
  // `width` and `height` must be even (yuv420p); fps > 0.
  static core::Result<std::unique_ptr<Mp4Writer>> Open(const std::string& path, int width,
                                                       int height, double fps);
  // Writes `path` itself, for a caller that already writes under a partial name and renames
  // it; Close() leaves the file where it is, an error or Discard removes it.
  static core::Result<std::unique_ptr<Mp4Writer>> OpenInPlace(const std::string& path, int width,
                                                              int height, double fps);
  ~Mp4Writer();
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  // `bgr`: CV_8UC3 of the size given to Open().
  core::Status Write(const cv::Mat& bgr);
  // Flushes the encoder, finishes the file and renames it into place. After an error the
  // partial file is removed. Idempotent.
  core::Status Close();

  const std::string& codec_name() const { return codec_name_; }  // "libx264" or "mpeg4"
  int64_t frames_written() const { return frames_; }

 private:
  struct Impl;
  explicit Mp4Writer(std::unique_ptr<Impl> impl);
  static core::Result<std::unique_ptr<Mp4Writer>> OpenAt(const std::string& path,
                                                         const std::string& part, int width,
                                                         int height, double fps);
  core::Status Encode(bool flush);
  void Discard();

  std::unique_ptr<Impl> impl_;
  std::string codec_name_;
  int64_t frames_ = 0;
  bool closed_ = false;
};

}  // namespace argus::record
