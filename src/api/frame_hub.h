// The latest JPEG of each camera (already annotated by the daemon), for MJPEG
// streaming. Camera threads Set() frames; HTTP threads wait for a newer one.
// Only the latest frame is kept: a slow viewer skips frames, it never queues them.
//
// Each camera has two variants: kClear (what operators see) and kBlurred (every
// person blurred, for viewers), each also as a small tile. All but kClear cost an extra
// blur or encode, so their producer makes them only while someone wants them:
// WaitNewer() marks the variant as wanted, Wanted() tells the producer.
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

#include "core/clock.h"

namespace argus::api {

// The tile variants are the same pictures scaled down for a camera wall's tile and
// refreshed about once a second: a wall of 100 cameras fetches 100 small pictures a
// second, and every wall open at once shares them.
enum class FrameVariant { kClear, kBlurred, kClearTile, kBlurredTile };
inline constexpr int kFrameVariants = 4;

// How long a variant stays wanted after a reader last asked for it: longer than a
// stream's poll and frame-rate cap, short enough to stop encoding soon after the
// last viewer left.
inline constexpr double kDefaultWantedWindowS = 5;

class FrameHub {
 public:
  struct Frame {
    std::shared_ptr<const std::string> jpeg;
    uint64_t seq = 0;  // per camera and variant, increasing with every Set()
  };

  // `clock` measures how long ago a variant was asked for.
  explicit FrameHub(const core::Clock& clock = core::SystemClock::Instance());

  void Set(const std::string& camera, std::shared_ptr<const std::string> jpeg,
           FrameVariant variant = FrameVariant::kClear);
  // Forgets the variant's frame (its seq stays): the producer stopped making it, and a
  // reader coming later must not get an old picture. Waiters keep waiting.
  void Clear(const std::string& camera, FrameVariant variant);
  // True once `camera` has had a frame (of that variant, not cleared since).
  bool Has(const std::string& camera, FrameVariant variant = FrameVariant::kClear) const;
  std::optional<Frame> Latest(const std::string& camera,
                              FrameVariant variant = FrameVariant::kClear) const;
  // Waits up to `timeout` for a frame of `camera` with seq > after_seq; nullopt on
  // timeout. Marks the variant as wanted, for the whole wait.
  std::optional<Frame> WaitNewer(const std::string& camera, uint64_t after_seq,
                                 std::chrono::milliseconds timeout,
                                 FrameVariant variant = FrameVariant::kClear);
  // True while a reader waits for `variant` of `camera`, or asked for it within the
  // last `within_s` seconds.
  bool Wanted(const std::string& camera, FrameVariant variant,
              double within_s = kDefaultWantedWindowS) const;
  std::vector<std::string> cameras() const;

 private:
  struct Variant {
    Frame frame;
    int waiters = 0;
    std::optional<double> last_asked_s;  // clock seconds
  };
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    Variant variants[kFrameVariants];
  };
  std::shared_ptr<Slot> FindSlot(const std::string& camera, bool create) const;

  const core::Clock& clock_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<Slot>> slots_;
};

}  // namespace argus::api
