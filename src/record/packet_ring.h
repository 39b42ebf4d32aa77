// PacketRing: the last few seconds of one camera's compressed video, so that an evidence
// clip can begin before the moment that triggered it. Holds reference-counted copies of the
// demuxed packets (no decoding, no copy of the data) and always starts at a key frame, so
// whatever is taken from it decodes from its first packet. Bounded in time (pre-roll plus at
// most one GOP) and in bytes, so a stream without key frames cannot eat memory.
//
// Thread safety: Push() and Clear() from the reading thread; Snapshot() and the getters
// from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

struct AVPacket;

namespace argus::record {

inline constexpr double kDefaultPreRollS = 5;
// 64 MiB: about a minute of an 8 Mbit/s camera, far more than pre-roll plus one GOP.
inline constexpr size_t kDefaultRingMaxBytes = size_t{64} << 20;

struct AvPacketDeleter {
  void operator()(AVPacket* p) const;
};
using PacketPtr = std::unique_ptr<AVPacket, AvPacketDeleter>;
// A new reference to `p`'s data (av_packet_ref); null when out of memory.
PacketPtr RefPacket(const AVPacket& p);

// One packet and its time in seconds of the stream (decode order: dts, else pts).
struct TimedPacket {
  PacketPtr packet;
  double t = 0;
  bool key = false;
};

class PacketRing {
 public:
  explicit PacketRing(double pre_roll_s = kDefaultPreRollS,
                      size_t max_bytes = kDefaultRingMaxBytes);
  ~PacketRing();
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  // Adds a reference to `packet` at stream time `t` (non-decreasing between calls). Packets
  // before the first key frame are dropped: they could not be decoded. Then drops whole GOPs
  // from the front while the rest still covers `pre_roll_s`, or while over `max_bytes`.
  void Push(const AVPacket& packet, double t);
  // Forgets everything (a new session of the stream: other codec parameters or time base).
  void Clear();

  // New references to the packets from the last key frame at or before `from_t` (the oldest
  // key frame when none is that old: less pre-roll is available) to the newest packet.
  std::vector<TimedPacket> Snapshot(double from_t) const;

  size_t size() const;
  size_t bytes() const;
  std::optional<double> oldest_t() const;  // a key frame; nullopt when empty
  std::optional<double> newest_t() const;
  double pre_roll_s() const { return pre_roll_s_; }
  size_t max_bytes() const { return max_bytes_; }

 private:
  void DropFront(size_t n);  // mutex held

  const double pre_roll_s_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::deque<TimedPacket> packets_;
  std::deque<size_t> keys_;  // indices into packets_ of the key frames, ascending
  size_t bytes_ = 0;
};

}  // namespace argus::record
