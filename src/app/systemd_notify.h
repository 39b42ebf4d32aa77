// The sd_notify(3) side of `argus serve` under systemd's Type=notify: READY once
// the cameras and the HTTP API are up, RELOADING/READY around SIGHUP, STOPPING
// on shutdown, and WATCHDOG pings so that a hung daemon is restarted. Without
// NOTIFY_SOCKET in the environment (not started by systemd) every call is a no-op.
//
// Thread safety: Ready/Reloading/Stopping from the thread that runs the daemon;
// WatchdogTick from any one thread (the event loop).
#pragma once

#include <atomic>
#include <string>

#include "core/clock.h"

namespace argus::app {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  explicit SystemdNotifier(const core::Clock& clock);

  bool enabled() const { return enabled_; }
  // 0 when systemd asked for no watchdog (WatchdogSec= unset, or meant for another pid).
  double watchdog_interval_s() const { return watchdog_s_; }

  void Ready(const std::string& status);
  void Reloading();
  void Stopping();
  // Sends WATCHDOG=1 when a quarter of the watchdog interval passed since the
  // last ping (systemd's advice is "at least every half"), so it is cheap to
  // call on every turn of a loop.
  void WatchdogTick();

 private:
  void Send(const std::string& state);

  const core::Clock& clock_;
  bool enabled_ = false;
  double watchdog_s_ = 0;
  std::atomic<double> last_ping_s_{-1e300};
};

}  // namespace argus::app
