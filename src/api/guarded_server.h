// An httplib::Server that a few slow clients cannot freeze.
//
// cpp-httplib (0.11, Debian) gives every connection a pool thread for its whole life and
// only bounds each single read (read timeout): a client sending one header byte every
// few seconds holds its thread forever, and nine of them held every thread of the API
// (issue 16). httplib offers no whole-request deadline and no per-address limit, but
// lets a subclass run each connection itself; GuardedServer does, with its own Stream:
//   - a request (request line, headers and body) must arrive within request_deadline_s
//     of its first byte, or the connection is closed;
//   - one client address may have at most max_reading_per_address connections that wait
//     for the rest of a request; more are answered 503 and closed at once, so one address
//     can never hold every thread. A connection counts from the moment the server has to
//     wait for more of its request until the request has arrived whole
//     (RequestArrived(), called by every route handler) or the answer starts. Requests
//     sent whole never count, however long they then wait for a thread or a busy handler
//     (a login's Argon2, a store behind other queries), nor do connections idle between
//     requests or being answered (SSE, MJPEG, downloads). A browser sends its six parallel
//     requests at once; counting each from its first byte until its answer cut the
//     dashboard's module loads whenever the machine was busy.
// Everything else (keep-alive, parsing, routing, writing) stays httplib's.
//
// TLS (EnableTls): the same guard runs over OpenSSL (httplib's SSLServer would bypass it).
// The port then speaks both: a connection whose first byte starts a TLS handshake is served
// over TLS, anything else is plain HTTP and gets a 308 redirect to the same URL over https.
// The handshake and the plain request to redirect count like a request arriving (deadline,
// per-address slots).
//
// Thread safety: as httplib::Server (EnableTls before listening); the counters are guarded
// by a mutex.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace argus::api {

class GuardedStream;

struct GuardOptions {
  double request_deadline_s = 10;
  int max_reading_per_address = 4;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(GuardOptions options = {}) : options_(options) {}
  ~GuardedServer() override;
  void set_guard_options(GuardOptions options) { options_ = options; }

  // Serves TLS with the PEM certificate chain and private key at these paths. False with
  // `error` set (naming the file and OpenSSL's reason) when they cannot be used.
  bool EnableTls(const std::string& cert_path, const std::string& key_path, std::string* error);
  bool tls() const { return tls_ != nullptr; }

  // Connections refused or cut by the guard since start (for /metrics).
  struct Stats {
    uint64_t refused_per_address = 0;
    uint64_t deadline_exceeded = 0;
  };
  Stats stats();

  // Called from a route handler (on the connection's thread): httplib has read the whole
  // request, body included, before it calls a handler, so the client is done sending.
  // No effect outside a GuardedServer's request.
  static void RequestArrived();

 private:
  bool process_and_close_socket(socket_t sock) override;
  int WaitForRequest(int sock, const GuardedStream* strm);
  SSL* AcceptTls(int sock);
  void RedirectToHttps(int sock, std::chrono::steady_clock::time_point deadline);
  // Counts a connection of `addr` whose request is arriving; false when over the limit.
  bool BeginReading(const std::string& addr);
  void EndReading(const std::string& addr);
  void CountDeadline();

  GuardOptions options_;
  std::mutex mu_;
  std::map<std::string, int> reading_;  // by client address
  Stats stats_;
  SSL_CTX* tls_ = nullptr;

  friend class GuardedStream;
};

}  // namespace argus::api
