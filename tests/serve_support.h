// Peers for the end-to-end tests of `argus serve`: the daemon itself as a child
// process, RTSP cameras (src/ingest/testing/rtsp_test_server.cc looping a video
// file), a plain-socket reader of the live SSE feed and small HTTP helpers.
// Every child dies with the test process (PR_SET_PDEATHSIG) and in destructors.
// Thread safety: each object from one thread, except SseReader's accessors.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/testing/wait.h"
#include "tests/cli_support.h"

namespace argus::testing {

using SteadyClock = std::chrono::steady_clock;

using core::testing::WaitUntil;

inline double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// A child process with stdout and stderr sent to files.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Kill(SIGKILL); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Spawn(std::vector<std::string> args, const std::string& out_path,
             const std::string& err_path) {
    if (pid_ > 0) return false;
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {  // async-signal-safe calls only until exec
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out < 0 || err < 0) _exit(126);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid_ > 0;
  }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  void Signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }

  // The raw wait status once the child exited; nullopt if it still runs after
  // `timeout_s`.
  std::optional<int> WaitExit(double timeout_s) {
    if (pid_ <= 0) return status_;
    const bool ok = WaitUntil(
        [&] {
          int st = 0;
          if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
          status_ = st;
          pid_ = -1;
          return true;
        },
        timeout_s);
    if (!ok) return std::nullopt;
    return status_;
  }

  // Ends the child at once (SIGKILL by default) and reaps it.
  void Kill(int sig = SIGKILL) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int st = 0;
    waitpid(pid_, &st, 0);
    status_ = st;
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The admin API token of the daemon under test (one daemon per test process).
inline std::string& ApiToken() {
  static std::string token;
  return token;
}

// `argus serve --config F --port 0 --data-dir D` with its output in files
// under `dir` (serve-<n>.out / .err, n counting the starts).
class ServeDaemon {
 public:
  ServeDaemon(std::filesystem::path config, std::filesystem::path data_dir,
              std::filesystem::path dir)
      : config_(std::move(config)), data_dir_(std::move(data_dir)), dir_(std::move(dir)) {}

  // Starts and waits for "listening on port N" (ASan builds start slowly). The
  // first start makes an admin API token (`argus token add`) that HttpGet/HttpPost send.
  bool Start(double timeout_s = 90) {
    ++starts_;
    port_ = 0;
    if (starts_ == 1 && !MakeApiToken()) return false;
    std::vector<std::string> args = {ARGUS_BINARY, "serve", "--config",   config_.string(),
                                     "--port",     "0",     "--data-dir", data_dir_.string()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    if (!process_.Spawn(args, out_path().string(), err_path().string())) {
      return false;
    }
    return WaitUntil(
               [&] {
                 const std::string out = Stdout();
                 const size_t at = out.find("listening on port ");
                 if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
                   port_ = std::atoi(out.c_str() + at + std::strlen("listening on port "));
                   return port_ > 0;
                 }
                 return process_.WaitExit(0).has_value();  // died: stop waiting
               },
               timeout_s) &&
           port_ > 0;
  }

  int port() const { return port_; }
  ChildProcess& process() { return process_; }
  // More `argus serve` arguments for the next starts (e.g. --node-id).
  void SetExtraArgs(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // `argus token add serve-test --role admin` on this daemon's store.
  bool MakeApiToken() {
    ChildProcess cli;
    const auto out = dir_ / "token.out";
    if (!cli.Spawn({ARGUS_BINARY, "token", "add", "serve-test", "--role", "admin", "--config",
                    config_.string(), "--data-dir", data_dir_.string()},
                   out.string(), (dir_ / "token.err").string())) {
      return false;
    }
    const std::optional<int> st = cli.WaitExit(60);
    std::string token = ReadFile(out);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    if (!st || *st != 0 || token.empty()) return false;
    ApiToken() = token;
    return true;
  }
  std::filesystem::path out_path() const {
    return dir_ / ("serve-" + std::to_string(starts_) + ".out");
  }
  std::filesystem::path err_path() const {
    return dir_ / ("serve-" + std::to_string(starts_) + ".err");
  }
  std::string Stdout() const { return ReadFile(out_path()); }
  std::string Stderr() const { return ReadFile(err_path()); }

 private:
  std::filesystem::path config_, data_dir_, dir_;
  ChildProcess process_;
  std::vector<std::string> extra_args_;
  int starts_ = 0;
  int port_ = 0;
};

// Failure context: what the daemon said (its stdout and the tail of its stderr).
inline std::string Logs(const ServeDaemon& d) {
  std::string err = d.Stderr();
  if (err.size() > 6000) err = "..." + err.substr(err.size() - 6000);
  return "\n--- daemon stdout:\n" + d.Stdout() + "\n--- daemon stderr (tail):\n" + err;
}

// A test of the real daemon: a fresh directory per test, <prefix><test name>, for its
// config (config_, not written yet) and data_dir (data_), kept for a post-mortem when
// the test fails. Skipped without vtest.avi, which the cameras play.
class DaemonTest : public ::testing::Test {
 protected:
  explicit DaemonTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    if (!std::filesystem::exists(kVtest)) {
      GTEST_SKIP() << kVtest << " is missing: install Debian's opencv-doc package";
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = TempDir(prefix_ + info->name());
    config_ = dir_ / "site.yaml";
    data_ = dir_ / "data";
  }
  void TearDown() override {
    std::error_code ec;  // a leftover temporary directory is not the test's failure
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  const std::string prefix_;
  std::filesystem::path dir_, config_, data_;
};

// One RTSP camera: the test server looping a video file at rtsp://127.0.0.1:P/test.
class RtspCamera {
 public:
  static bool Available() {
#ifdef ARGUS_RTSP_TEST_SERVER
    return true;
#else
    return false;
#endif
  }

  // Output goes to `dir`/<name>-<n>.out|.err, n counting the starts.
  RtspCamera(std::filesystem::path dir, std::string name, std::string file = kVtest)
      : dir_(std::move(dir)), name_(std::move(name)), file_(std::move(file)) {}

  // Starts on `port` (0: any free port) and returns the bound port; 0 on
  // failure, -1 when the server lacks a GStreamer plugin (exit code 77).
  int Start(int port = 0) {
#ifdef ARGUS_RTSP_TEST_SERVER
    ++starts_;
    const auto out = dir_ / (name_ + "-" + std::to_string(starts_) + ".out");
    const auto err = dir_ / (name_ + "-" + std::to_string(starts_) + ".err");
    if (!process_.Spawn({ARGUS_RTSP_TEST_SERVER, std::to_string(port), "--file", file_},
                        out.string(), err.string())) {
      return 0;
    }
    int bound = 0;
    std::optional<int> exited;
    WaitUntil(
        [&] {
          if (std::sscanf(ReadFile(out).c_str(), "PORT %d", &bound) == 1 && bound > 0) return true;
          exited = process_.WaitExit(0);
          return exited.has_value();
        },
        30);
    if (bound > 0) return bound;
    if (!exited) process_.Kill();
    exited = process_.WaitExit(0);
    return exited && WIFEXITED(*exited) && WEXITSTATUS(*exited) == 77 ? -1 : 0;
#else
    (void)port;
    return -1;
#endif
  }

  // Restarts on the same port; the old socket may linger a moment.
  bool Restart(int port) {
    for (int i = 0; i < 50; ++i) {
      if (Start(port) == port) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  // An abrupt camera failure: no RTSP TEARDOWN, sockets closed by the kernel.
  void Kill() { process_.Kill(SIGKILL); }

 private:
  std::filesystem::path dir_;
  std::string name_, file_;
  ChildProcess process_;
  int starts_ = 0;
};

// Reads GET `path` (an SSE stream) on a plain socket and keeps every byte; the
// chunked framing stays in the text but never splits an SSE line ("data: ..."),
// as the server writes whole messages per chunk.
class SseReader {
 public:
  SseReader(int port, const std::string& path) {
    thread_ = std::thread([this, port, path] { Run(port, path); });
  }
  ~SseReader() {
    stop_ = true;
    thread_.join();
  }
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;

  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  // The JSON of every "data:" line of the given SSE event type, in order.
  std::vector<nlohmann::json> Messages(const std::string& event) {
    std::vector<nlohmann::json> out;
    const std::string t = text();
    size_t pos = 0;
    const std::string head = "event: " + event + "\ndata: ";
    while ((pos = t.find(head, pos)) != std::string::npos) {
      pos += head.size();
      const size_t nl = t.find('\n', pos);
      if (nl == std::string::npos) break;
      auto j = nlohmann::json::parse(t.substr(pos, nl - pos), nullptr, false);
      if (!j.is_discarded()) out.push_back(std::move(j));
      pos = nl;
    }
    return out;
  }
  bool connected() const { return connected_; }

 private:
  void Run(int port, const std::string& path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      close(fd);
      return;
    }
    const std::string req = "GET " + path +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ApiToken() +
                            "\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      close(fd);
      return;
    }
    char buf[8192];
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n <= 0) break;
      std::lock_guard lock(mu_);
      text_.append(buf, static_cast<size_t>(n));
      if (text_.find("\r\n\r\n") != std::string::npos) connected_ = true;
    }
    close(fd);
  }

  std::mutex mu_;
  std::string text_;
  std::atomic<bool> stop_{false}, connected_{false};
  std::thread thread_;
};

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  std::string content_type;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

inline HttpAnswer ToAnswer(const httplib::Result& r) {
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  a.content_type = r->get_header_value("Content-Type");
  return a;
}

inline std::unique_ptr<httplib::Client> HttpClient(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  if (!ApiToken().empty()) c->set_default_headers({{"Authorization", "Bearer " + ApiToken()}});
  c->set_connection_timeout(10);
  c->set_read_timeout(30);
  return c;
}

inline HttpAnswer HttpGet(int port, const std::string& path) {
  return ToAnswer(HttpClient(port)->Get(path));
}

inline HttpAnswer HttpPost(int port, const std::string& path, const std::string& body,
                           const std::string& content_type = "application/json") {
  return ToAnswer(HttpClient(port)->Post(path, body, content_type));
}

// The cameras of /api/cameras by name (empty when the daemon does not answer).
inline std::map<std::string, nlohmann::json> Cameras(int port) {
  std::map<std::string, nlohmann::json> out;
  const HttpAnswer a = HttpGet(port, "/api/cameras");
  if (a.status != 200) return out;
  const auto j = a.json();
  if (j.is_discarded() || !j.contains("cameras")) return out;
  for (const auto& c : j["cameras"]) out[c["name"].get<std::string>()] = c;
  return out;
}

inline uint64_t Frames(int port, const std::string& camera) {
  auto cams = Cameras(port);
  auto it = cams.find(camera);
  return it == cams.end() ? 0 : it->second["frames"].get<uint64_t>();
}

}  // namespace argus::testing
