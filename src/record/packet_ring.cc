#include "record/packet_ring.h"

#include <algorithm>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace argus::record {

namespace {
// Stream times come from rational time bases: 5.0 may arrive as 4.9999999.
constexpr double kTimeEpsilonS = 1e-6;
}  // namespace

void AvPacketDeleter::operator()(AVPacket* p) const { av_packet_free(&p); }

PacketPtr RefPacket(const AVPacket& p) {
  PacketPtr copy(av_packet_alloc());
  if (!copy || av_packet_ref(copy.get(), &p) < 0) return nullptr;
  return copy;
}

PacketRing::PacketRing(double pre_roll_s, size_t max_bytes)
    : pre_roll_s_(std::max(0.0, pre_roll_s)), max_bytes_(max_bytes) {}

PacketRing::~PacketRing() = default;

void PacketRing::Push(const AVPacket& packet, double t) {
  const bool key = (packet.flags & AV_PKT_FLAG_KEY) != 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (packets_.empty() && !key) return;
  PacketPtr copy = RefPacket(packet);
  if (!copy) return;  // out of memory: a gap in the pre-roll beats a crash
  if (key) keys_.push_back(packets_.size());
  bytes_ += static_cast<size_t>(std::max(0, packet.size));
  packets_.push_back({std::move(copy), t, key});

  // The second GOP alone still covers the pre-roll: the first is no longer needed.
  while (keys_.size() >= 2 && packets_[keys_[1]].t <= t - pre_roll_s_ + kTimeEpsilonS) {
    DropFront(keys_[1]);
  }
  // Over the byte budget: drop the oldest GOP; a single GOP that large (a stream that
  // stopped sending key frames) goes entirely, and the ring waits for the next key frame.
  while (bytes_ > max_bytes_ && !packets_.empty()) {
    DropFront(keys_.size() >= 2 ? keys_[1] : packets_.size());
  }
}

void PacketRing::DropFront(size_t n) {
  for (size_t i = 0; i < n; ++i) {
    bytes_ -= static_cast<size_t>(std::max(0, packets_.front().packet->size));
    packets_.pop_front();
  }
  while (!keys_.empty() && keys_.front() < n) keys_.pop_front();
  for (size_t& k : keys_) k -= n;
}

void PacketRing::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  packets_.clear();
  keys_.clear();
  bytes_ = 0;
}

std::vector<TimedPacket> PacketRing::Snapshot(double from_t) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TimedPacket> out;
  if (keys_.empty()) return out;
  size_t start = keys_.front();
  for (size_t k : keys_) {
    if (packets_[k].t > from_t) break;
    start = k;
  }
  out.reserve(packets_.size() - start);
  for (size_t i = start; i < packets_.size(); ++i) {
    PacketPtr copy = RefPacket(*packets_[i].packet);
    if (!copy) break;
    out.push_back({std::move(copy), packets_[i].t, packets_[i].key});
  }
  return out;
}

size_t PacketRing::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return packets_.size();
}

size_t PacketRing::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

std::optional<double> PacketRing::oldest_t() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (packets_.empty()) return std::nullopt;
  return packets_.front().t;
}

std::optional<double> PacketRing::newest_t() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (packets_.empty()) return std::nullopt;
  return packets_.back().t;
}

}  // namespace argus::record
