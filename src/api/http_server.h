// The HTTP server of `argus serve` (cpp-httplib): the REST API under /api, live
// Server-Sent Events (/api/live), MJPEG streams, /healthz, Prometheus /metrics and,
// optionally, the static dashboard at /.
//
// Every response is JSON except streams, evidence files, metrics and static files;
// errors are {"error":"..."} with a 4xx/5xx code. Every route goes through one
// wrapper (HttpServer::Impl::Route) that authenticates the caller (session cookie
// or API token) and checks the role the route needs: 401 without valid
// credentials, 403 when the role is not enough. /healthz, /api/login and the
// static files are the only public paths; the static files carry no data.
//
// Thread safety: Start/Stop/port from the owning thread. Requests are served on the
// server's own worker threads, which call the Backend, LiveHub and FrameHub; those
// must outlive the server (Stop() or the destructor first).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "api/backend.h"
#include "api/frame_hub.h"
#include "api/live_hub.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/status.h"

namespace argus::api {

inline constexpr int kDefaultHttpPort = 8080;
inline constexpr int kDefaultHttpThreads = 16;  // a browser alone opens 6 connections
inline constexpr size_t kDefaultMaxBodyBytes = 64 * 1024;
inline constexpr double kDefaultHeartbeatS = 5;
inline constexpr double kDefaultMjpegMaxFps = 10;
// Idle keep-alive connections are closed after this long; it also bounds how long
// Stop() waits for them.
inline constexpr int kDefaultKeepAliveTimeoutS = 1;
inline constexpr int kMaxNoteLength = 4000;
// Long enough for a phone on a bad link to send a 64 KB body, short enough that a slow
// client gives its thread back soon.
inline constexpr double kDefaultRequestDeadlineS = 10;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = kDefaultHttpPort;  // 0: any free port (see HttpServer::port())
  int threads = kDefaultHttpThreads;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::string static_dir;                      // the dashboard, served at /; empty: none
  double heartbeat_s = kDefaultHeartbeatS;     // SSE comment when nothing else was sent
  double mjpeg_max_fps = kDefaultMjpegMaxFps;  // a client may ask for less (?fps=)
  // Open SSE + MJPEG streams at once; each holds a worker thread. 0: threads - 2
  // (at least 1), so that streams can never starve the API.
  int max_streams = 0;
  int keep_alive_timeout_s = kDefaultKeepAliveTimeoutS;
  // A request must arrive whole (line, headers, body) within this long of its first byte.
  double request_deadline_s = kDefaultRequestDeadlineS;
  // Connections of one client address whose request is still arriving. 0: threads / 2
  // (at least 2), so that slow clients from one address never hold every thread.
  int max_reading_per_address = 0;
  // The session cookie is marked Secure (sent over HTTPS only; browsers make an
  // exception for localhost). Turn off only for plain HTTP on a trusted LAN.
  bool secure_cookies = true;
  // PEM certificate chain and private key: serve HTTPS (plain HTTP on the same port is
  // redirected to it). Both or neither; empty: plain HTTP.
  std::string tls_cert;
  std::string tls_key;
};

inline constexpr const char* kSessionCookie = "argus_session";

class HttpServer {
 public:
  // Everything passed in must outlive the server.
  HttpServer(ServerOptions options, Backend& backend, auth::Authenticator& auth, LiveHub& live,
             FrameHub& frames, const core::Clock& clock);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and serves on its own threads. kInvalidArgument for bad options,
  // kUnavailable when the address cannot be bound (in use, not permitted).
  core::Status Start();
  // Closes the listener and every connection, SSE and MJPEG streams included, and
  // returns when all worker threads are done (within about keep_alive_timeout_s).
  // Idempotent.
  void Stop();
  // The bound port (useful with port 0); 0 before Start().
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace argus::api
