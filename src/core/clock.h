// Injectable time source. Every timeout, dwell, back-off and schedule reads
// time through a Clock so tests can drive it with FakeClock.
// Thread safety: SystemClock and FakeClock may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace argus::core {

using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for schedules and timestamps that people read.
  virtual WallTime Now() const = 0;
  // Monotonic seconds, for timeouts and rates.
  virtual double Seconds() const = 0;
  // Blocks for `d` of this clock's time (FakeClock returns at once and advances).
  virtual void SleepFor(Duration d) = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  double Seconds() const override;
  void SleepFor(Duration d) override;
  static SystemClock& Instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime{}) : now_(start.time_since_epoch().count()) {}
  WallTime Now() const override { return WallTime(WallTime::duration(now_.load())); }
  double Seconds() const override {
    return std::chrono::duration<double>(Now().time_since_epoch()).count();
  }
  // Sleeping on a fake clock advances it, so code under test never blocks.
  void SleepFor(Duration d) override { Advance(d); }
  void Advance(Duration d) { now_ += std::chrono::duration_cast<WallTime::duration>(d).count(); }

 private:
  std::atomic<WallTime::duration::rep> now_;
};

}  // namespace argus::core
