// systemd's side of sd_notify(3) for tests: a datagram socket bound to a fresh
// path, named by NOTIFY_SOCKET in this process's environment (children inherit
// it) until destroyed. Thread safety: one thread.
#pragma once

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace argus::app::testing {

class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    char tmpl[] = "/tmp/argus-notify-XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    ok_ = true;
  }
  ~FakeNotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    if (fd_ >= 0) close(fd_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  FakeNotifySocket(const FakeNotifySocket&) = delete;
  FakeNotifySocket& operator=(const FakeNotifySocket&) = delete;

  bool ok() const { return ok_; }

  // The next datagram, or nullopt after `timeout_s`.
  std::optional<std::string> Receive(double timeout_s) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout_s * 1000)) != 1) return std::nullopt;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

  // Datagrams until one contains `needle` (returned last) or `timeout_s` passed.
  std::vector<std::string> ReceiveUntil(const std::string& needle, double timeout_s) {
    std::vector<std::string> got;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
      const double left =
          std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
      auto m = Receive(left);
      if (!m) break;
      got.push_back(*m);
      if (m->find(needle) != std::string::npos) break;
    }
    return got;
  }

 private:
  std::string dir_, path_;
  int fd_ = -1;
  bool ok_ = false;
};

}  // namespace argus::app::testing
