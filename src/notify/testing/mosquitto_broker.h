// Test peers: a real mosquitto broker run as a child process on a free
// loopback port, and a libmosquitto subscriber that records what arrives.
// The broker dies with its owner (destructor, and PR_SET_PDEATHSIG if the
// test process itself dies).
#pragma once

#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace argus::notify::testing {

inline constexpr char kMosquittoBinary[] = "/usr/sbin/mosquitto";

// A loopback TCP port nobody listens on right now.
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

inline bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

inline std::string CurrentUser() {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "root";
}

class MosquittoBroker {
 public:
  MosquittoBroker() : port_(FreeLoopbackPort()) {
    char tmpl[] = "/tmp/argus-mosquitto-XXXXXX";
    dir_ = mkdtemp(tmpl) != nullptr ? tmpl : "/tmp";
    conf_ = dir_ + "/mosquitto.conf";
    std::ofstream(conf_) << "listener " << port_ << " 127.0.0.1\n"
                         << "allow_anonymous true\n"
                         // Sessions of clean_session=false subscribers survive a
                         // restart, QoS 0 included, so tests do not race reconnects.
                         << "persistence true\npersistence_location " << dir_ << "/\n"
                         << "queue_qos0_messages true\n"
                         << "log_dest file " << dir_
                         << "/mosquitto.log\n"
                         // As root mosquitto would switch to user "mosquitto", which
                         // cannot write to our private temp dir.
                         << "user " << CurrentUser() << "\n";
  }
  ~MosquittoBroker() {
    Kill();
    std::error_code ec;
    if (dir_ != "/tmp") std::filesystem::remove_all(dir_, ec);
  }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  static bool Available() { return access(kMosquittoBinary, X_OK) == 0; }
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

  // Starts the broker and waits until it accepts connections.
  bool Start() {
    if (pid_ > 0) return true;
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      execl(kMosquittoBinary, kMosquittoBinary, "-c", conf_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid_ < 0) return false;
    for (int i = 0; i < 200; ++i) {  // up to 10 s, usually a few ms
      if (CanConnect(port_)) return true;
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {  // died, e.g. port still busy
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    return false;
  }

  // Starts, retrying for a while: the old listener's port may take a moment.
  bool Restart() {
    for (int i = 0; i < 20; ++i) {
      if (Start()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // SIGTERM, so the broker saves its persistent sessions; SIGKILL if it lingers.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }

 private:
  int port_;
  std::string dir_;
  std::string conf_;
  pid_t pid_ = -1;
};

struct ReceivedMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
};

// Subscribes to `filter` and records every message (QoS 1 subscription). With
// a `client_id` the session is persistent: messages published while this
// client is reconnecting are kept for it by the broker.
class RecordingSubscriber {
 public:
  RecordingSubscriber(int port, const std::string& filter, const std::string& client_id = "")
      : filter_(filter) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(client_id.empty() ? nullptr : client_id.c_str(), client_id.empty(), this);
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
      auto* s = static_cast<RecordingSubscriber*>(self);
      if (rc == 0) mosquitto_subscribe(m, nullptr, s->filter_.c_str(), 1);
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
      auto* s = static_cast<RecordingSubscriber*>(self);
      std::lock_guard lock(s->mu_);
      s->subscribed_ = true;
      s->cv_.notify_all();
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* msg) {
      auto* s = static_cast<RecordingSubscriber*>(self);
      std::lock_guard lock(s->mu_);
      s->messages_.push_back({msg->topic,
                              std::string(static_cast<const char*>(msg->payload),
                                          static_cast<size_t>(msg->payloadlen)),
                              msg->qos, msg->retain});
      s->cv_.notify_all();
    });
    mosquitto_connect_async(mosq_, "127.0.0.1", port, 10);
    mosquitto_loop_start(mosq_);
  }
  ~RecordingSubscriber() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }
  RecordingSubscriber(const RecordingSubscriber&) = delete;
  RecordingSubscriber& operator=(const RecordingSubscriber&) = delete;

  bool WaitSubscribed(double timeout_s = 5) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                        [this] { return subscribed_; });
  }
  // Waits until at least `n` messages arrived; returns a copy of all of them.
  std::vector<ReceivedMessage> WaitFor(size_t n, double timeout_s = 5) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                 [&] { return messages_.size() >= n; });
    return messages_;
  }
  // Publishes from the test (e.g. a sensor) with QoS 1.
  int Publish(const std::string& topic, const std::string& payload) {
    return mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), 1, false);
  }

 private:
  std::string filter_;
  mosquitto* mosq_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool subscribed_ = false;
  std::vector<ReceivedMessage> messages_;
};

// The retained messages (topic -> payload) a client subscribing to `filter` now
// receives, as Home Assistant sees them when it (re)starts: waits up to
// `timeout_s` for `expected` of them, then briefly for any beyond.
inline std::map<std::string, std::string> RetainedNow(int port, const std::string& filter,
                                                      size_t expected, double timeout_s = 10) {
  RecordingSubscriber sub(port, filter);
  std::map<std::string, std::string> out;
  if (!sub.WaitSubscribed(timeout_s)) return out;
  sub.WaitFor(expected, timeout_s);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const ReceivedMessage& m : sub.WaitFor(0, 0)) {
    if (m.retain) out[m.topic] = m.payload;
  }
  return out;
}

}  // namespace argus::notify::testing
