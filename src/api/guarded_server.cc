#include "api/guarded_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace argus::api {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReadBufferBytes = 4096;  // httplib reads headers a byte at a time
constexpr int kStopPollMs = 50;            // how soon an idle connection notices Stop()
constexpr char kBusyAnswer[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    "Content-Length: 58\r\nConnection: close\r\n\r\n"
    "{\"error\":\"too many unfinished requests from this address\"}";

int ToMs(double s) { return static_cast<int>(std::max(0.0, s) * 1000); }

// 1: readable / writable, 0: timed out, -1: error.
int Poll(int sock, short events, int timeout_ms) {
  pollfd p{sock, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc <= 0) return rc;
  return (p.revents & (events | POLLHUP | POLLERR)) ? 1 : 0;
}

void Address(const sockaddr_storage& ss, std::string* ip, int* port) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    *port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    *port = ntohs(a->sin6_port);
  }
  *ip = buf;
}

}  // namespace

// httplib's SocketStream, plus the deadline of the request being read and the per-address
// count of requests arriving.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(GuardedServer& server, int sock, double read_timeout_s, double write_timeout_s)
      : server_(server),
        sock_(sock),
        read_timeout_s_(read_timeout_s),
        write_timeout_s_(write_timeout_s) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      Address(ss, &remote_ip_, &remote_port_);
    }
    len = sizeof ss;
    if (getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      Address(ss, &local_ip_, &local_port_);
    }
  }
  ~GuardedStream() override { EndReading(); }

  // A request starts arriving: its deadline runs from now.
  void BeginRequest() {
    deadline_ = SteadyClock::now() +
                std::chrono::duration_cast<SteadyClock::duration>(
                    std::chrono::duration<double>(server_.options_.request_deadline_s));
    in_request_ = true;
  }
  // The request has arrived whole, or the answer starts: the client is no longer sending.
  void EndReading() {
    if (counted_) server_.EndReading(remote_ip_);
    counted_ = false;
    in_request_ = false;
  }
  bool refused() const { return refused_; }

  bool is_readable() const override {
    return buffered() > 0 || Poll(sock_, POLLIN, ReadWaitMs()) > 0;
  }
  bool is_writable() const override {
    if (Poll(sock_, POLLOUT, ToMs(write_timeout_s_)) <= 0) return false;
    // Alive unless the peer has closed: readable with nothing to read.
    if (Poll(sock_, POLLIN, 0) == 0) return true;
    char c;
    return ::recv(sock_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered() > 0) return TakeBuffered(ptr, size);
    // Strict: a client that keeps the bytes coming past the deadline is cut all the same.
    if (in_request_ && SteadyClock::now() >= deadline_) {
      server_.CountDeadline();
      return -1;
    }
    if (Poll(sock_, POLLIN, 0) == 0) {
      // The rest of the request has not come: from now on this connection holds one of
      // its address's slots for requests still arriving. A request sent whole never gets
      // here, however long it then waits for a thread or its handler.
      if (in_request_ && !counted_) {
        if (!server_.BeginReading(remote_ip_)) {
          (void)::send(sock_, kBusyAnswer, sizeof kBusyAnswer - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
          refused_ = true;
          return -1;
        }
        counted_ = true;
      }
      if (Poll(sock_, POLLIN, ReadWaitMs()) <= 0) {
        if (in_request_ && SteadyClock::now() >= deadline_) server_.CountDeadline();
        return -1;
      }
    }
    ssize_t n;
    if (size >= kReadBufferBytes) {
      do {
        n = ::recv(sock_, ptr, size, 0);
      } while (n < 0 && errno == EINTR);
      return n;
    }
    do {
      n = ::recv(sock_, buf_, kReadBufferBytes, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    buf_off_ = 0;
    buf_len_ = static_cast<size_t>(n);
    return TakeBuffered(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    EndReading();
    if (refused_ || !is_writable()) return -1;  // refused: the 503 went out already
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return sock_; }

 private:
  size_t buffered() const { return buf_len_ - buf_off_; }
  ssize_t TakeBuffered(char* ptr, size_t size) {
    const size_t n = std::min(size, buffered());
    std::memcpy(ptr, buf_ + buf_off_, n);
    buf_off_ += n;
    return static_cast<ssize_t>(n);
  }
  // The read timeout, cut short by the deadline of a request still arriving.
  int ReadWaitMs() const {
    int ms = ToMs(read_timeout_s_);
    if (in_request_) {
      const double left = std::chrono::duration<double>(deadline_ - SteadyClock::now()).count();
      ms = std::min(ms, ToMs(left));
    }
    return ms;
  }

  GuardedServer& server_;
  const int sock_;
  const double read_timeout_s_, write_timeout_s_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;
  SteadyClock::time_point deadline_{};
  bool in_request_ = false;  // its first byte came, the request has not arrived whole
  bool counted_ = false;     // holds a slot of its address (BeginReading)
  bool refused_ = false;     // over its address's limit: answered 503, to be closed
  char buf_[kReadBufferBytes];
  size_t buf_off_ = 0, buf_len_ = 0;
};

namespace {
// The stream whose request this thread is processing (process_and_close_socket).
thread_local GuardedStream* current_stream = nullptr;
}  // namespace

void GuardedServer::RequestArrived() {
  if (current_stream) current_stream->EndReading();
}

GuardedServer::Stats GuardedServer::stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

bool GuardedServer::BeginReading(const std::string& addr) {
  std::lock_guard lock(mu_);
  int& n = reading_[addr];
  if (n >= options_.max_reading_per_address) {
    if (n == 0) reading_.erase(addr);
    ++stats_.refused_per_address;
    return false;
  }
  ++n;
  return true;
}

void GuardedServer::EndReading(const std::string& addr) {
  std::lock_guard lock(mu_);
  auto it = reading_.find(addr);
  if (it != reading_.end() && --it->second <= 0) reading_.erase(it);
}

void GuardedServer::CountDeadline() {
  std::lock_guard lock(mu_);
  ++stats_.deadline_exceeded;
}

// httplib's own loop (keep-alive, then one process_request per request), run on our
// stream. The wait for the next request polls in slices so that Stop() is noticed soon.
bool GuardedServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    GuardedStream strm(*this, sock, read_timeout_sec_ + read_timeout_usec_ / 1e6,
                       write_timeout_sec_ + write_timeout_usec_ / 1e6);
    const auto idle_limit = std::chrono::seconds(keep_alive_timeout_sec_);
    for (size_t count = keep_alive_max_count_; count > 0 && svr_sock_ != INVALID_SOCKET; --count) {
      const auto idle_start = SteadyClock::now();
      int ready = 0;
      while (svr_sock_ != INVALID_SOCKET && ready == 0 &&
             SteadyClock::now() - idle_start <= idle_limit) {
        ready = Poll(sock, POLLIN, kStopPollMs);
      }
      if (ready <= 0) break;
      strm.BeginRequest();
      bool connection_closed = false;
      current_stream = &strm;
      ret = process_request(strm, count == 1, connection_closed, [](httplib::Request&) {});
      current_stream = nullptr;
      strm.EndReading();
      if (!ret || connection_closed || strm.refused()) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace argus::api
