// VideoSource: decodes a file or a live stream (RTSP, HTTP) with the FFmpeg libraries
// into BGR frames with stream timestamps, and reconnects live streams with back-off.
//
// Thread safety: Open() and Read() from one thread (the reading thread); Stop(), state(),
// reconnects() and the other getters from any thread. The state listener and the packet
// callback run on the reading thread (the listener also on Stop()'s thread, for kStopped).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/backoff.h"
#include "ingest/source_state.h"

struct AVPacket;
struct AVStream;

namespace argus::ingest {

class TimestampRebaser;

inline constexpr double kDefaultOpenTimeoutS = 10;
inline constexpr const char* kDefaultRtspTransport = "tcp";

struct SourceOptions {
  std::string url;                                     // file path, rtsp://, http(s)://
  std::string rtsp_transport = kDefaultRtspTransport;  // "tcp" or "udp"
  double open_timeout_s = kDefaultOpenTimeoutS;  // also the read (stall) timeout of live sources
  bool loop = false;  // files: start again at the end (soak tests, demos)
  BackoffPolicy backoff;
  int max_reconnects = -1;  // live: failed reconnects in a row before kEnd; -1: forever
  // false: decode only, Frame::bgr stays empty (benchmarks, packet-only consumers).
  bool convert_to_bgr = true;
  // Decoder threads; 1 keeps latency at zero frames and shares cores fairly between cameras.
  int decoder_threads = 1;
};

// libswscale's SIMD converters write pixels in whole blocks: on a width that is not a
// multiple of the block a row spills past its end (into the next row, which is
// written after it, and past the last row: heap corruption, seen on a 636 px wide
// camera). So a frame is one continuous buffer with this slack after its last pixel.
inline constexpr size_t kBgrFrameSlackBytes = 256;

struct Frame {
  cv::Mat bgr;         // BGR 8UC3, continuous, kBgrFrameSlackBytes allocated after it
  double t = 0;        // stream time (s), first frame 0, strictly increasing across reconnects
  int64_t number = 0;  // 1-based index of decoded frames since Open()
  // The decoder concealed errors in this picture (data lost or a broken stream): it may
  // hold smears and ghosts, so a camera's health counts them.
  bool damaged = false;
};

enum class ReadStatus { kFrame, kEnd, kStopped };

class VideoSource {
 public:
  // Files: an error (NotFound, InvalidArgument) if missing or not decodable.
  // Live URLs (scheme://): never fails on network errors; starts in kConnecting and
  // connects inside Read().
  static core::Result<std::unique_ptr<VideoSource>> Open(const SourceOptions& options,
                                                         core::Clock& clock);
  ~VideoSource();
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  // Blocks until a frame, the end of a file (kEnd), or Stop() (kStopped). Live sources
  // reconnect with exponential back-off and return kEnd only when max_reconnects
  // consecutive attempts failed.
  ReadStatus Read(Frame* out);
  // Makes a blocked or later Read() return kStopped soon (within ~0.1 s).
  void Stop();

  SourceState state() const { return states_.state(); }
  // Set before the first Read().
  void OnStateChange(std::function<void(SourceState)> listener);
  // Every demuxed packet of the video stream, before decoding (evidence clips will remux
  // these from a pre-roll ring buffer). Set before the first Read().
  using PacketCallback = std::function<void(const AVPacket& packet, const AVStream& stream)>;
  void OnPacket(PacketCallback callback);

  bool is_live() const { return live_; }
  double nominal_fps() const { return fps_.load(); }  // avg_frame_rate; 0 if unknown
  int64_t frame_count_hint() const { return frame_count_hint_.load(); }  // 0 if unknown
  int width() const { return width_.load(); }
  int height() const { return height_.load(); }
  int reconnects() const { return reconnects_.load(); }          // attempts after a failure or loss
  const std::string& codec_name() const { return codec_name_; }  // reading thread only

 private:
  struct Session;  // one connection: FFmpeg contexts
  VideoSource(const SourceOptions& options, core::Clock& clock, bool live);

  core::Status Connect();
  // Returns kFrame, or kEnd when the session is over (end of file, error, stall).
  ReadStatus ReadFromSession(Frame* out);
  // Sleeps `seconds` in short slices; false if Stop() was called.
  bool SleepInterruptibly(double seconds);
  static int InterruptCallback(void* opaque);
  void ArmDeadline();
  // Explains a failed FFmpeg call: our timeout, or FFmpeg's error.
  std::string Why(int av_error) const;

  SourceOptions options_;
  core::Clock& clock_;
  const bool live_;
  SourceStateMachine states_;
  BackoffSchedule backoff_;
  PacketCallback packet_callback_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<TimestampRebaser> rebaser_;

  std::atomic<bool> stop_{false};
  std::atomic<double> deadline_{0};  // clock seconds; 0: no deadline
  std::atomic<double> fps_{0};
  std::atomic<int64_t> frame_count_hint_{0};
  std::atomic<int> width_{0}, height_{0};
  std::atomic<int> reconnects_{0};
  std::string codec_name_;
  int failed_reconnects_ = 0;  // consecutive, reset by a decoded frame
  int64_t frames_ = 0;
  double last_frame_clock_s_ = 0;
};

// Whether `url` names a live stream (scheme://, except file://) rather than a file.
bool IsLiveUrl(const std::string& url);

}  // namespace argus::ingest
