// Test-only: a real HTTP receiver for webhooks on a free loopback port (cpp-httplib),
// POSTs to /hook answered by the handler given (recording, failing, ...).
// Thread safety: the handler runs on the server's threads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace argus::notify::testing {

class WebhookServer {
 public:
  explicit WebhookServer(httplib::Server::Handler handler) {
    server_.Post("/hook", std::move(handler));
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bound already, so early requests wait in the backlog; still, wait for the loop.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookServer() {
    server_.stop();
    thread_.join();
  }
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace argus::notify::testing
