#include "api/guarded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace argus::api {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kReadBufferBytes = 4096;            // httplib reads headers a byte at a time
constexpr int kStopPollMs = 50;                      // how soon an idle connection notices Stop()
constexpr unsigned char kTlsHandshakeRecord = 0x16;  // the first byte a TLS client sends
constexpr size_t kMaxRedirectRequestBytes = 8192;    // a plain request before its redirect
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

std::string PeerIp(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  std::string ip;
  int port = 0;
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0) Address(ss, &ip, &port);
  return ip;
}

int MsLeft(SteadyClock::time_point deadline) {
  return ToMs(std::chrono::duration<double>(deadline - SteadyClock::now()).count());
}

// OpenSSL's reason for the last failure on this thread (and clears the queue).
std::string TlsError() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// Waits for what an OpenSSL call on a non-blocking socket wants; false on any other error
// or when `timeout_ms` passes first.
bool WaitForTls(SSL* ssl, int sock, int rc, int timeout_ms) {
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      return Poll(sock, POLLIN, timeout_ms) > 0;
    case SSL_ERROR_WANT_WRITE:
      return Poll(sock, POLLOUT, timeout_ms) > 0;
    default:
      ERR_clear_error();
      return false;
  }
}

// A host (and port) fit to put in a Location header: no spaces, line breaks or paths.
bool PlainHost(const std::string& host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

// The 308 answer sending a plain-HTTP `request` (its line and headers) to https, or "" when
// it is no HTTP request.
std::string RedirectAnswer(const std::string& request, const std::string& local_host) {
  const size_t line_end = request.find("\r\n");
  const std::string line = request.substr(0, line_end);
  const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0) return "";
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target[0] != '/' || target.find(' ') != std::string::npos) target = "/";
  std::string host = local_host;
  size_t pos = line_end;
  while (pos != std::string::npos && pos + 2 < request.size()) {
    const size_t next = request.find("\r\n", pos + 2);
    const std::string header = request.substr(pos + 2, next - pos - 2);
    if (header.size() > 5 && strncasecmp(header.c_str(), "host:", 5) == 0) {
      const size_t start = header.find_first_not_of(" \t", 5);
      const std::string value = start == std::string::npos ? "" : header.substr(start);
      if (PlainHost(value)) host = value;
    }
    pos = next;
  }
  return "HTTP/1.1 308 Permanent Redirect\r\nLocation: https://" + host + target +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

}  // namespace

// httplib's SocketStream (or SSLSocketStream, over `ssl` on a non-blocking socket), plus
// the deadline of the request being read and the per-address count of requests arriving.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(GuardedServer& server, int sock, SSL* ssl, double read_timeout_s,
                double write_timeout_s)
      : server_(server),
        sock_(sock),
        ssl_(ssl),
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
  // Bytes received and not yet read (in our buffer or decrypted by OpenSSL).
  size_t pending() const { return buffered() + (ssl_ ? SSL_pending(ssl_) : 0); }

  bool is_readable() const override {
    return pending() > 0 || Poll(sock_, POLLIN, ReadWaitMs()) > 0;
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
    if ((!ssl_ || SSL_pending(ssl_) == 0) && Poll(sock_, POLLIN, 0) == 0) {
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
    if (size >= kReadBufferBytes) return Receive(ptr, size);
    const ssize_t n = Receive(buf_, kReadBufferBytes);
    if (n <= 0) return n;
    buf_off_ = 0;
    buf_len_ = static_cast<size_t>(n);
    return TakeBuffered(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    EndReading();
    if (refused_ || !is_writable()) return -1;  // refused: the 503 went out already
    if (ssl_) {
      // The same arguments again after a WANT_*, as OpenSSL requires.
      const int len = static_cast<int>(std::min<size_t>(size, INT32_MAX));
      for (;;) {
        const int rc = SSL_write(ssl_, ptr, len);
        if (rc > 0) return rc;
        if (!WaitForTls(ssl_, sock_, rc, ToMs(write_timeout_s_))) return -1;
      }
    }
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
  // One read from the socket, decrypted under TLS (whose record may come in pieces: each
  // wait is bounded like the plain one).
  ssize_t Receive(char* ptr, size_t size) {
    if (ssl_) {
      const int len = static_cast<int>(std::min<size_t>(size, INT32_MAX));
      for (;;) {
        const int rc = SSL_read(ssl_, ptr, len);
        if (rc > 0) return rc;
        if (!WaitForTls(ssl_, sock_, rc, ReadWaitMs())) return -1;
      }
    }
    ssize_t n;
    do {
      n = ::recv(sock_, ptr, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
  }
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
  SSL* const ssl_;  // null: plain HTTP
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

GuardedServer::~GuardedServer() {
  if (tls_) SSL_CTX_free(tls_);
}

bool GuardedServer::EnableTls(const std::string& cert_path, const std::string& key_path,
                              std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    *error = "cannot set up TLS: " + TlsError();
    return false;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // A write may go out in several calls on a non-blocking socket (httplib writes in pieces).
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_path.c_str()) != 1) {
    *error = "TLS certificate " + cert_path + ": " + TlsError();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "TLS key " + key_path + ": " + TlsError();
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    *error =
        "TLS key " + key_path + " does not match the certificate " + cert_path + ": " + TlsError();
  } else {
    if (tls_) SSL_CTX_free(tls_);
    tls_ = ctx;
    return true;
  }
  SSL_CTX_free(ctx);
  return false;
}

// Waits for the first byte of a connection within the keep-alive time (noticing Stop()):
// 1 when it came, 0 when not, -1 on error.
int GuardedServer::WaitForRequest(int sock, const GuardedStream* strm) {
  const auto idle_start = SteadyClock::now();
  const auto idle_limit = std::chrono::seconds(keep_alive_timeout_sec_);
  if (strm && strm->pending() > 0) return 1;
  int ready = 0;
  while (svr_sock_ != INVALID_SOCKET && ready == 0 &&
         SteadyClock::now() - idle_start <= idle_limit) {
    ready = Poll(sock, POLLIN, kStopPollMs);
  }
  return ready;
}

// A plain-HTTP request on the TLS port: read its line and headers (within the request
// deadline) and send it to the same URL over https.
void GuardedServer::RedirectToHttps(int sock, SteadyClock::time_point deadline) {
  std::string request;
  char buf[1024];
  while (request.find("\r\n\r\n") == std::string::npos &&
         request.size() < kMaxRedirectRequestBytes) {
    if (Poll(sock, POLLIN, MsLeft(deadline)) <= 0) {
      CountDeadline();
      return;
    }
    const ssize_t n = ::recv(sock, buf, sizeof buf, 0);
    if (n <= 0) return;
    request.append(buf, static_cast<size_t>(n));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  std::string ip;
  int port = 0;
  if (getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0) Address(ss, &ip, &port);
  const std::string local =
      (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
  const std::string answer = RedirectAnswer(request, local);
  if (!answer.empty()) (void)::send(sock, answer.data(), answer.size(), MSG_NOSIGNAL);
}

// The TLS handshake of a new connection on a non-blocking socket, within the request
// deadline; null (counted) when it fails or takes longer. Plain HTTP is redirected.
SSL* GuardedServer::AcceptTls(int sock) {
  if (WaitForRequest(sock, nullptr) <= 0) return nullptr;
  unsigned char first = 0;
  if (::recv(sock, &first, 1, MSG_PEEK) != 1) return nullptr;
  const auto deadline =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(options_.request_deadline_s));
  const std::string ip = PeerIp(sock);
  if (!BeginReading(ip)) {
    (void)::send(sock, kBusyAnswer, sizeof kBusyAnswer - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    return nullptr;
  }
  SSL* ssl = nullptr;
  if (first != kTlsHandshakeRecord) {
    RedirectToHttps(sock, deadline);
  } else if (fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK) == 0 &&
             (ssl = SSL_new(tls_)) != nullptr && SSL_set_fd(ssl, sock) == 1) {
    for (;;) {
      const int rc = SSL_accept(ssl);
      if (rc == 1) break;
      if (!WaitForTls(ssl, sock, rc, MsLeft(deadline))) {
        if (SteadyClock::now() >= deadline) CountDeadline();
        SSL_free(ssl);
        ssl = nullptr;
        break;
      }
    }
  } else if (ssl) {
    SSL_free(ssl);
    ssl = nullptr;
  }
  EndReading(ip);
  return ssl;
}

// httplib's own loop (keep-alive, then one process_request per request), run on our
// stream. The wait for the next request polls in slices so that Stop() is noticed soon.
bool GuardedServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  SSL* ssl = tls_ ? AcceptTls(sock) : nullptr;
  if (!tls_ || ssl) {
    GuardedStream strm(*this, sock, ssl, read_timeout_sec_ + read_timeout_usec_ / 1e6,
                       write_timeout_sec_ + write_timeout_usec_ / 1e6);
    for (size_t count = keep_alive_max_count_; count > 0 && svr_sock_ != INVALID_SOCKET; --count) {
      if (WaitForRequest(sock, &strm) <= 0) break;
      strm.BeginRequest();
      bool connection_closed = false;
      current_stream = &strm;
      ret = process_request(strm, count == 1, connection_closed, [](httplib::Request&) {});
      current_stream = nullptr;
      strm.EndReading();
      if (!ret || connection_closed || strm.refused()) break;
    }
  }
  if (ssl) {
    SSL_shutdown(ssl);  // our close_notify; not waiting for the client's
    SSL_free(ssl);
    ERR_clear_error();  // a client gone first leaves errors on this thread's queue
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace argus::api
