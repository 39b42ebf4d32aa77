#include "app/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace argus::app {

namespace {
constexpr double kPingFractionOfInterval = 0.25;
}  // namespace

SystemdNotifier::SystemdNotifier(const core::Clock& clock) : clock_(clock) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_s_ = static_cast<double>(usec) / 1e6;
}

void SystemdNotifier::Send(const std::string& state) {
  if (!enabled_) return;
  // The environment stays set (unset_environment = 0): reloads notify again.
  if (const int r = sd_notify(0, state.c_str()); r < 0) {
    spdlog::warn("sd_notify({}): error {}", state.substr(0, state.find('\n')), -r);
  }
}

void SystemdNotifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }

void SystemdNotifier::Reloading() { Send("RELOADING=1\nSTATUS=reloading the config"); }

void SystemdNotifier::Stopping() { Send("STOPPING=1\nSTATUS=shutting down"); }

void SystemdNotifier::WatchdogTick() {
  if (watchdog_s_ <= 0) return;
  const double now = clock_.Seconds();
  if (now - last_ping_s_.load() < watchdog_s_ * kPingFractionOfInterval) return;
  last_ping_s_.store(now);
  Send("WATCHDOG=1");
}

}  // namespace argus::app
