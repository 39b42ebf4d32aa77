// ClipRecorder: evidence clips of one camera. Keeps the camera's last seconds of compressed
// video in a PacketRing and, on StartClip(), writes an MP4 from the key frame at or before
// `at - pre_roll` to `at + post_roll` by remuxing the camera's own packets (ClipWriter; it
// re-encodes codecs MP4 cannot carry, and cameras with privacy masks). Several clips may
// overlap. Files are written by the recorder's own thread, so a slow disk never stalls the
// reading thread, and appear under their final name only when complete.
//
// Times are the packets' own stream seconds (dts, else pts, times the stream time base),
// the same timeline as PacketRing; latest_t() gives the newest. For files that start at 0
// this is the Frame::t of VideoSource; for live streams the caller maps event times onto it
// (e.g. latest_t() minus the age of the event).
//
// Thread safety: OnPacket() and EndOfStream() from the reading thread; StartClip(),
// TakeResults(), WaitIdle() and the getters from any thread. The done callback runs on the
// recorder's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"
#include "record/clip_writer.h"
#include "record/packet_ring.h"

namespace argus::record {

inline constexpr double kDefaultPostRollS = 10;
// A jump of the stream time larger than this (forwards) or than kMaxBackwardJumpS
// (backwards) is a new timeline (reconnect, file loop): clips end, the ring starts again.
inline constexpr double kMaxForwardJumpS = 10;
inline constexpr double kMaxBackwardJumpS = 1;

struct ClipRecorderOptions {
  double pre_roll_s = kDefaultPreRollS;
  size_t ring_max_bytes = kDefaultRingMaxBytes;
  // Packets waiting for the disk, per clip; beyond this the clip fails rather than grow.
  size_t max_pending_bytes = kDefaultRingMaxBytes;
  bool force_reencode = false;  // see ClipWriterOptions
  // The camera's privacy masks (relative polygons): clips are re-encoded with them black.
  std::vector<core::Polygon> privacy_masks;
  // Asked before every batch of writes (not only when the clip starts): false stops the
  // clip and removes it, so that running clips cannot fill the disk the store needs.
  // Called on the writer thread; empty: always allowed.
  std::function<bool()> may_write;
};

struct ClipResult {
  std::string path;
  core::Status status;  // ok: the file is complete at `path`; otherwise only a note why
                        // (MarkClipLost), when it can be written
  double from_t = 0;    // stream time of the first packet written
  double to_t = 0;      // stream time of the last packet written
  double duration_s = 0;
  int64_t frames = 0;
  bool reencoded = false;
  std::string codec;  // of the clip
};

class ClipRecorder {
 public:
  using DoneCallback = std::function<void(const ClipResult&)>;

  explicit ClipRecorder(const ClipRecorderOptions& options = {});
  // Stops the writer thread; clips not finished are abandoned and their partial files
  // removed (call EndOfStream() and WaitIdle() first to keep them).
  ~ClipRecorder();
  ClipRecorder(const ClipRecorder&) = delete;
  ClipRecorder& operator=(const ClipRecorder&) = delete;

  // Set before the first clip. Without a callback, results queue for TakeResults().
  void OnClipDone(DoneCallback callback);

  // Every packet of the video stream, in demux order (VideoSource::OnPacket).
  void OnPacket(const AVPacket& packet, const AVStream& stream);
  // The stream ended or went offline: clips waiting for post-roll end with what they have.
  void EndOfStream();

  // Records [keyframe <= at - pre_roll, at + post_roll] to `path` (its directory must
  // exist). Returns at once; the result comes through the callback or TakeResults().
  core::Status StartClip(const std::string& path, double at_stream_t,
                         double post_roll_s = kDefaultPostRollS);

  std::vector<ClipResult> TakeResults();
  // Blocks until no clip is in progress; false on timeout.
  bool WaitIdle(double timeout_s);

  size_t active_clips() const;
  double latest_t() const;  // newest packet's stream time; 0 before any
  const PacketRing& ring() const { return ring_; }

 private:
  struct Clip;
  void Run();  // the writer thread
  void EndClipsLocked();
  // Writes what `clip` has pending; closes it when its input is complete.
  void Service(Clip& clip, std::unique_lock<std::mutex>& lock);
  void Finish(Clip& clip, core::Status status);

  const ClipRecorderOptions options_;
  PacketRing ring_;
  DoneCallback callback_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::list<std::unique_ptr<Clip>> clips_;
  std::vector<ClipResult> results_;
  std::shared_ptr<const StreamParams> params_;
  bool have_t_ = false;
  double last_raw_t_ = 0;  // stream time as the demuxer gave it
  int64_t last_dts_ = 0;   // after repair, in the stream time base
  double latest_t_ = 0;
  bool stop_ = false;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace argus::record
