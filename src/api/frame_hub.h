// The latest JPEG of each camera (already annotated by the daemon), for MJPEG
// streaming. Camera threads Set() frames; HTTP threads wait for a newer one.
// Only the latest frame is kept: a slow viewer skips frames, it never queues them.
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace argus::api {

class FrameHub {
 public:
  struct Frame {
    std::shared_ptr<const std::string> jpeg;
    uint64_t seq = 0;  // per camera, increasing with every Set()
  };

  void Set(const std::string& camera, std::shared_ptr<const std::string> jpeg);
  // True once `camera` has had a frame.
  bool Has(const std::string& camera) const;
  std::optional<Frame> Latest(const std::string& camera) const;
  // Waits up to `timeout` for a frame of `camera` with seq > after_seq; nullopt on
  // timeout.
  std::optional<Frame> WaitNewer(const std::string& camera, uint64_t after_seq,
                                 std::chrono::milliseconds timeout);
  std::vector<std::string> cameras() const;

 private:
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    Frame frame;
  };
  std::shared_ptr<Slot> FindSlot(const std::string& camera, bool create) const;

  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace argus::api
