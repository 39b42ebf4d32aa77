#include "api/http_server.h"

#include <httplib.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api/guarded_server.h"
#include "api/json_format.h"
#include "api/metrics.h"
#include "core/json_bounds.h"

namespace argus::api {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// How often a stream that waits for data checks whether the server is stopping.
constexpr auto kStreamPoll = std::chrono::milliseconds(100);
// How long a frame request waits for a camera's first picture of its variant (made from
// the camera's next frame once asked for). The wall asks only for online cameras, so the
// picture is coming; a loaded server may take over a second to analyse that next frame,
// and a 503 then showed as a broken tile and a console error.
constexpr auto kFrameWait = std::chrono::milliseconds(3000);
// An MJPEG stream with no new frame resends the last one this often, so a viewer
// that went away is noticed (only a failed write tells) and frees its thread.
constexpr double kMjpegRepeatS = 5;
constexpr size_t kFileChunkBytes = 64 * 1024;
constexpr const char* kMjpegBoundary = "argusframe";
constexpr int kSseRetryMs = 3000;
constexpr int kReadTimeoutS = 5;
constexpr auto kStartTimeout = std::chrono::seconds(5);
const std::set<std::string> kLiveTypes = {"event", "alert", "camera"};
constexpr auto kTimelineMargin = std::chrono::minutes(1);
constexpr int kTimelineMaxPages = 10;
constexpr auto kDefaultZoneHistory = std::chrono::hours(24);
constexpr int kMaxZoneHistoryPoints = 20000;

void SendJson(Response& res, int code, const json& j) {
  res.status = code;
  res.set_content(Dump(j), "application/json");
}

void SendError(Response& res, int code, const std::string& message) {
  SendJson(res, code, {{"error", message}});
}

int HttpCode(const core::Status& s) {
  switch (s.code()) {
    case core::StatusCode::kOk:
      return 200;
    case core::StatusCode::kInvalidArgument:
      return 400;
    case core::StatusCode::kNotFound:
      return 404;
    case core::StatusCode::kUnavailable:
      return 503;
    case core::StatusCode::kUnauthenticated:
      return 401;
    case core::StatusCode::kPermissionDenied:
      return 403;
    case core::StatusCode::kResourceExhausted:
      return 429;
    default:
      return 500;
  }
}

void SendStatus(Response& res, const core::Status& s) { SendError(res, HttpCode(s), s.message()); }

const char* DefaultMessage(int code) {
  switch (code) {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 415:
      return "unsupported media type";
    case 416:
      return "range not satisfiable";
    case 503:
      return "service unavailable";
    default:
      return code >= 500 ? "internal error" : "request failed";
  }
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The value of query parameter `name`; nullptr when absent or empty (an empty
// form field means "any").
const std::string* Param(const Request& req, const char* name) {
  auto it = req.params.find(name);
  if (it == req.params.end() || it->second.empty()) return nullptr;
  return &it->second;
}

void BadParam(Response& res, const char* name, const std::string& expected) {
  SendError(res, 400, std::string("query parameter '") + name + "' must be " + expected);
}

// Parses an optional integer parameter in [lo, hi]; false (response sent) when bad.
bool IntParam(const Request& req, Response& res, const char* name, int64_t lo, int64_t hi,
              int64_t* out) {
  const std::string* v = Param(req, name);
  if (!v) return true;
  std::optional<int64_t> n = ParseInt(*v);
  if (!n || *n < lo || *n > hi) {
    BadParam(res, name, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return false;
  }
  *out = *n;
  return true;
}

bool TimeParam(const Request& req, Response& res, const char* name,
               std::optional<core::WallTime>* out) {
  const std::string* v = Param(req, name);
  if (!v) return true;
  *out = ParseTime(*v);
  if (!*out) {
    BadParam(res, name, "an ISO-8601 time (e.g. 2026-01-01T00:00:00Z) or unix seconds");
    return false;
  }
  return true;
}

// JSON bodies: a missing Content-Type is accepted (simple devices omit it), a
// different one is not.
bool IsJsonContentType(const Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = std::string(Trim(std::string_view(type).substr(0, type.find(';'))));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return type.empty() || type == "application/json" || EndsWith(type, "+json");
}

bool ReadJsonObject(const Request& req, Response& res, json* out) {
  if (!IsJsonContentType(req)) {
    SendError(res, 415, "Content-Type must be application/json");
    return false;
  }
  if (core::JsonNestingDepth(req.body) > core::kMaxJsonDepth) {
    SendError(
        res, 400,
        "request body is nested deeper than " + std::to_string(core::kMaxJsonDepth) + " levels");
    return false;
  }
  *out = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded()) {
    SendError(res, 400, "request body is not valid JSON");
    return false;
  }
  if (!out->is_object()) {
    SendError(res, 400, "request body must be a JSON object");
    return false;
  }
  return true;
}

// httplib computes range lengths without clamping them to the content, so an end
// past the file would announce bytes that do not exist. Clamp them (the Request is
// a non-const object inside httplib; only the handler sees it as const) and report
// unsatisfiable ranges.
bool ClampRanges(const Request& req, size_t size) {
  auto& ranges = const_cast<httplib::Ranges&>(req.ranges);
  const auto ssize = static_cast<ssize_t>(size);
  for (auto& r : ranges) {
    if (r.first == -1 && r.second == -1) continue;
    if (size == 0) return false;
    if (r.first == -1) {  // suffix: the last r.second bytes
      if (r.second <= 0) return false;
      r.second = std::min(r.second, ssize);
      continue;
    }
    if (r.first >= ssize) return false;
    if (r.second == -1) continue;
    if (r.second < r.first) return false;
    r.second = std::min(r.second, ssize - 1);
  }
  return true;
}

void ClearRanges(const Request& req) { const_cast<httplib::Ranges&>(req.ranges).clear(); }

// Viewers see people blurred; operators see them as the camera does.
FrameVariant VariantFor(const auth::Principal& who) {
  return auth::Includes(who.role, auth::Role::kOperator) ? FrameVariant::kClear
                                                         : FrameVariant::kBlurred;
}

// What a user who still has a one-time password may do: see who they are, log
// out, and change their own password.
bool MayUseOneTimePassword(const Request& req, const std::string& user) {
  if (req.path == "/api/me" || req.path == "/api/logout") return true;
  return req.method == "POST" && req.path == "/api/users/" + user;
}

// One SSE message; multi-line data becomes several data: lines, as the format needs.
void AppendSse(std::string* out, const LiveHub& hub, const LiveMessage& m) {
  *out += "id: " + hub.MessageId(m.id) + "\nevent: " + m.event + "\n";
  std::string_view data = *m.data;
  while (true) {
    size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    *out += "data: ";
    *out += line;
    *out += '\n';
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  *out += '\n';
}

// The value of cookie `name` in the request's Cookie header; "" when absent.
std::string CookieValue(const Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, semi));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
      return std::string(Trim(pair.substr(eq + 1)));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return "";
}

bool HasJsonContentType(const Request& req) {
  return req.has_header("Content-Type") && IsJsonContentType(req);
}

// The "host[:port]" of an Origin ("https://a:8443") or Referer ("https://a:8443/x?y").
std::string HostOfUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  const size_t start = scheme + 3;
  return url.substr(start, url.find_first_of("/?#", start) - start);
}

// A JSON POST that the browser says comes from this server's own pages. Forms of
// other sites cannot send application/json, and scripts of other sites that try
// are stopped by CORS before the request (preflight) or carry their Origin.
// `need_origin`: the request must also name its page (Origin, or Referer when a browser or
// proxy left Origin out) and it must be this server's: a request naming none could come
// from anywhere (a plugin, an old browser, a proxy that strips headers).
bool SameOriginJson(const Request& req, bool need_origin) {
  if (!HasJsonContentType(req)) return false;
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty() && site != "same-origin" && site != "none") return false;
  std::string origin = req.get_header_value("Origin");
  if (origin == "null") return false;
  if (origin.empty()) origin = req.get_header_value("Referer");
  if (origin.empty()) return !need_origin;
  return HostOfUrl(origin) == req.get_header_value("Host");
}

// A string field of a JSON body; false (400 sent) when absent or not a string.
bool StringField(const json& body, Response& res, const char* name, std::string* out) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    SendError(res, 400, std::string("\"") + name + "\" must be a string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool RoleField(const json& body, Response& res, auth::Role* out) {
  std::string role;
  if (!StringField(body, res, "role", &role)) return false;
  if (!auth::ParseRole(role, out)) {
    SendError(res, 400, "\"role\" must be viewer, operator or admin");
    return false;
  }
  return true;
}

// The first `limit` items as JSON, and the `key` of the last one when more follow
// (the query asked for limit + 1 rows to tell).
template <typename T, typename ToJsonFn>
std::pair<json, json> PageOf(const std::vector<T>& items, int64_t limit, const char* key,
                             ToJsonFn to_json) {
  json list = json::array();
  json next = nullptr;
  for (const T& item : items) {
    if (static_cast<int64_t>(list.size()) == limit) {
      next = list.back()[key];
      break;
    }
    list.push_back(to_json(item));
  }
  return {list, next};
}

json UserJson(const store::UserRecord& u) {
  return {{"name", u.name},
          {"role", u.role},
          {"created_at", FormatTime(u.created_at)},
          {"disabled", u.disabled}};
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, Backend& b, auth::Authenticator& a, LiveHub& l, FrameHub& f,
       const core::Clock& c)
      : options(std::move(o)), backend(b), auth(a), live(l), frames(f), clock(c) {}

  using Principal = auth::Principal;
  using Method = void (Impl::*)(const Request&, Response&, const Principal&);
  // Who may call a route: anyone, or a role and those above it.
  enum class Access { kPublic, kViewer, kOperator, kAdmin };

  // Counts one open stream for as long as the stream's response lives.
  struct StreamSlot {
    StreamSlot(Impl* i, std::atomic<int64_t>* k) : impl(i), kind(k) {}
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;
    Impl* impl;
    std::atomic<int64_t>* kind;
    ~StreamSlot() {
      --impl->open_streams;
      --*kind;
    }
  };

  core::Status Validate() const;
  void Configure();
  void Route(const char* method, const std::string& pattern, Access access, Method fn);
  // The caller of a request: an API token (Authorization: Bearer) or a session cookie.
  core::Result<Principal> Authenticate(const Request& req);
  void WriteAudit(const Principal& who, const std::string& what, const Request& req);
  std::shared_ptr<StreamSlot> AcquireStream(std::atomic<int64_t>* kind);

  void Healthz(const Request& req, Response& res, const Principal&);
  void Metrics(const Request& req, Response& res, const Principal&);
  void Login(const Request& req, Response& res, const Principal&);
  void Logout(const Request& req, Response& res, const Principal& who);
  void Me(const Request& req, Response& res, const Principal& who);
  void Cameras(const Request& req, Response& res, const Principal&);
  void Nodes(const Request& req, Response& res, const Principal&);
  void Events(const Request& req, Response& res, const Principal&);
  void Alerts(const Request& req, Response& res, const Principal&);
  void Alert(const Request& req, Response& res, const Principal&);
  void Timeline(const Request& req, Response& res, const Principal&);
  void Acknowledge(const Request& req, Response& res, const Principal& who) {
    AlertAction(req, res, who, false);
  }
  void Resolve(const Request& req, Response& res, const Principal& who) {
    AlertAction(req, res, who, true);
  }
  void AlertAction(const Request& req, Response& res, const Principal& who, bool resolve);
  void Snapshot(const Request& req, Response& res, const Principal& who);
  void Clip(const Request& req, Response& res, const Principal& who);
  void Evidence(const Request& req, Response& res, Backend::Evidence kind);
  void ZoneCounts(const Request& req, Response& res, const Principal&);
  void ZoneHistory(const Request& req, Response& res, const Principal&);
  void Site(const Request& req, Response& res, const Principal&);
  void System(const Request& req, Response& res, const Principal& who);
  void Sensors(const Request& req, Response& res, const Principal&);
  void Live(const Request& req, Response& res, const Principal&);
  void Mjpeg(const Request& req, Response& res, const Principal& who);
  void Frame(const Request& req, Response& res, const Principal& who);
  // Whether `camera` is configured or has had a picture; sends 404 when not.
  bool KnownCamera(const std::string& camera, Response& res);
  // False, with a redirect (or 503) sent, when another node runs `camera`.
  bool RunHere(const Request& req, const std::string& camera, Response& res);
  // Sends the client to the same request on node `home` (307), or says why it cannot
  // (503 naming the node). `what` starts the message: "camera 'x' runs".
  void SendToNode(const Request& req, Response& res, const CameraHome& home,
                  const std::string& what, const std::string& fetch);
  // Evidence recorded by another node: sent there (true), or nothing sent (false).
  bool EvidenceElsewhere(const Request& req, Response& res, int64_t id, int incident);
  void Users(const Request& req, Response& res, const Principal&);
  void AddUser(const Request& req, Response& res, const Principal& who);
  void UpdateUser(const Request& req, Response& res, const Principal& who);
  void Tokens(const Request& req, Response& res, const Principal&);
  void AddToken(const Request& req, Response& res, const Principal& who);
  void RevokeToken(const Request& req, Response& res, const Principal& who);
  void Audit(const Request& req, Response& res, const Principal&);
  void CameraTracks(const Request& req, Response& res, const Principal&);
  void Follows(const Request& req, Response& res, const Principal&);
  void LearnedPicture(const Request& req, Response& res, const Principal&);
  void StartFollow(const Request& req, Response& res, const Principal& who);
  void StopFollow(const Request& req, Response& res, const Principal& who);
  void ReloadConfig(const Request& req, Response& res, const Principal& who);

  std::optional<int64_t> AlertId(const Request& req, Response& res);

  ServerOptions options;
  Backend& backend;
  auth::Authenticator& auth;
  LiveHub& live;
  FrameHub& frames;
  const core::Clock& clock;

  GuardedServer server;  // httplib with a request deadline and per-address limit
  std::thread thread;
  bool started = false;
  int bound_port = 0;
  std::atomic<bool> stopping{false};

  std::atomic<int64_t> open_streams{0};
  std::atomic<int64_t> live_clients{0};
  std::atomic<int64_t> mjpeg_clients{0};
  std::mutex counters_mu;
  std::map<int, uint64_t> requests_by_code;
};

core::Status HttpServer::Impl::Validate() const {
  using core::InvalidArgument;
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgument("http port must be in [0, 65535], got " + std::to_string(options.port));
  }
  if (options.threads < 1) return InvalidArgument("http threads must be >= 1");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return InvalidArgument("https needs both server.tls_cert and server.tls_key");
  }
  if (!(options.request_deadline_s > 0)) {
    return InvalidArgument("http request_deadline_s must be > 0");
  }
  if (options.max_body_bytes < 1) return InvalidArgument("http max_body_bytes must be >= 1");
  if (!(options.heartbeat_s > 0)) return InvalidArgument("http heartbeat_s must be > 0");
  if (!(options.mjpeg_max_fps > 0)) return InvalidArgument("http mjpeg_max_fps must be > 0");
  if (options.max_streams < 0) return InvalidArgument("http max_streams must be >= 0");
  if (options.keep_alive_timeout_s < 0) {
    return InvalidArgument("http keep_alive_timeout_s must be >= 0");
  }
  if (!options.static_dir.empty() && !std::filesystem::is_directory(options.static_dir)) {
    return InvalidArgument("http static_dir '" + options.static_dir + "' is not a directory");
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(options.host.c_str(), nullptr, &hints, &result);
  if (result) freeaddrinfo(result);
  if (rc != 0) {
    return InvalidArgument("http host '" + options.host + "': " + gai_strerror(rc));
  }
  return core::Status::Ok();
}

void HttpServer::Impl::Route(const char* method, const std::string& pattern, Access access,
                             Method fn) {
  const bool post = std::string_view(method) == "POST";
  httplib::Server::Handler h = [this, fn, access, post](const Request& req, Response& res) {
    GuardedServer::RequestArrived();  // the handler's time is not the client's
    Principal who;
    if (access != Access::kPublic) {
      core::Result<Principal> p = Authenticate(req);
      if (!p.ok()) {
        if (p.status().code() == core::StatusCode::kUnauthenticated) {
          res.set_header("WWW-Authenticate", "Bearer realm=\"argus\"");
        }
        SendStatus(res, p.status());
        return;
      }
      const auth::Role need = access == Access::kAdmin      ? auth::Role::kAdmin
                              : access == Access::kOperator ? auth::Role::kOperator
                                                            : auth::Role::kViewer;
      if (!auth::Includes(p->role, need)) {
        SendError(res, 403,
                  std::string("this needs the ") + auth::ToString(need) + " role; " + p->name +
                      " is " + auth::ToString(p->role));
        return;
      }
      // Browsers attach the cookie to requests other sites make too; only a script
      // of the dashboard's own origin can send a JSON body, and it names its origin.
      // API tokens are not sent by browsers on their own: no check.
      if (post && !p->via_token && !SameOriginJson(req, /*need_origin=*/true)) {
        SendError(res, 403,
                  "cross-site request refused: a POST with the session cookie needs JSON "
                  "(Content-Type: application/json) and an Origin or Referer header of this "
                  "server's own address");
        return;
      }
      // The first admin's one-time password allows nothing but changing it.
      if (!p->via_token && backend.MustChangePassword(p->name) &&
          !MayUseOneTimePassword(req, p->name)) {
        SendError(res, 403,
                  "change your one-time password first: POST /api/users/" + p->name +
                      " {\"password\": \"...\"}");
        return;
      }
      who = std::move(*p);
    }
    try {
      (this->*fn)(req, res, who);
    } catch (const std::exception& e) {  // a bug, but not one that takes the daemon down
      spdlog::error("http {} {}: {}", req.method, req.path, e.what());
      SendError(res, 500, "internal error");
    }
  };
  if (post) {
    server.Post(pattern, h);
  } else {
    server.Get(pattern, h);
  }
}

core::Result<auth::Principal> HttpServer::Impl::Authenticate(const Request& req) {
  const std::string authz = req.get_header_value("Authorization");
  if (!authz.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!StartsWith(authz, kBearer)) {
      return core::Unauthenticated("the Authorization header must be 'Bearer <token>'");
    }
    return auth.FromToken(std::string(Trim(std::string_view(authz).substr(kBearer.size()))));
  }
  const std::string cookie = CookieValue(req, kSessionCookie);
  if (cookie.empty()) return core::Unauthenticated("log in first, or send an API token");
  return auth.FromSession(cookie);
}

void HttpServer::Impl::WriteAudit(const Principal& who, const std::string& what,
                                  const Request& req) {
  if (core::Status st =
          backend.store().AppendAudit({0, who.name, what, clock.Now(), req.remote_addr});
      !st.ok()) {
    spdlog::error("audit: cannot record '{}' by {}: {}", what, who.name, st.message());
  }
}

void HttpServer::Impl::Configure() {
  const size_t threads = static_cast<size_t>(options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_keep_alive_timeout(options.keep_alive_timeout_s);
  server.set_read_timeout(kReadTimeoutS);
  server.set_guard_options({options.request_deadline_s, options.max_reading_per_address > 0
                                                            ? options.max_reading_per_address
                                                            : std::max(2, options.threads / 2)});
  // Small writes (SSE messages, JSON answers) must not wait for delayed ACKs.
  server.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second daemon bind
  // the same port silently; SO_REUSEADDR alone allows a quick restart.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  server.set_pre_routing_handler([](const Request& req, Response& res) {
    // A decoded NUL or control character in the path would let "favicon.svg%00.html" open
    // favicon.svg but be typed by its ".html" ending (an XSS vector) : refused outright.
    if (std::any_of(req.path.begin(), req.path.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      SendError(res, 400, "control characters in the path");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Byte ranges make sense for evidence and static files only; on a JSON answer
    // httplib would cut the document (or an error message) apart.
    const bool api =
        StartsWith(req.path, "/api/") || req.path == "/metrics" || req.path == "/healthz";
    if (api && !EndsWith(req.path, "/clip") && !EndsWith(req.path, "/snapshot")) {
      ClearRanges(req);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    res.set_content(Dump({{"error", DefaultMessage(res.status)}}), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    SendError(res, 500, "internal error");
  });
  server.set_logger([this](const Request&, const Response& res) {
    std::lock_guard<std::mutex> lock(counters_mu);
    ++requests_by_code[res.status];
  });

  using A = Access;
  Route("GET", "/healthz", A::kPublic, &Impl::Healthz);
  Route("POST", "/api/login", A::kPublic, &Impl::Login);
  Route("POST", "/api/logout", A::kViewer, &Impl::Logout);
  Route("GET", "/api/me", A::kViewer, &Impl::Me);
  Route("GET", "/metrics", A::kViewer, &Impl::Metrics);
  Route("GET", "/api/cameras", A::kViewer, &Impl::Cameras);
  Route("GET", "/api/nodes", A::kViewer, &Impl::Nodes);
  Route("GET", "/api/cameras/([^/]+)/mjpeg", A::kViewer, &Impl::Mjpeg);
  Route("GET", "/api/cameras/([^/]+)/frame", A::kViewer, &Impl::Frame);
  Route("GET", "/api/cameras/([^/]+)/tracks", A::kOperator, &Impl::CameraTracks);
  Route("GET", "/api/cameras/([^/]+)/learned.svg", A::kViewer, &Impl::LearnedPicture);
  Route("GET", "/api/follows", A::kOperator, &Impl::Follows);
  Route("POST", "/api/follows", A::kOperator, &Impl::StartFollow);
  Route("POST", "/api/follows/([^/]+)/stop", A::kOperator, &Impl::StopFollow);
  Route("GET", "/api/events", A::kViewer, &Impl::Events);
  Route("GET", "/api/alerts", A::kViewer, &Impl::Alerts);
  Route("GET", "/api/alerts/([^/]+)", A::kViewer, &Impl::Alert);
  Route("GET", "/api/alerts/([^/]+)/timeline", A::kViewer, &Impl::Timeline);
  Route("POST", "/api/alerts/([^/]+)/acknowledge", A::kOperator, &Impl::Acknowledge);
  Route("POST", "/api/alerts/([^/]+)/resolve", A::kOperator, &Impl::Resolve);
  Route("GET", "/api/alerts/([^/]+)/snapshot", A::kViewer, &Impl::Snapshot);
  Route("GET", "/api/alerts/([^/]+)/clip", A::kOperator, &Impl::Clip);
  Route("GET", "/api/zones/counts", A::kViewer, &Impl::ZoneCounts);
  Route("GET", "/api/zones/history", A::kViewer, &Impl::ZoneHistory);
  Route("GET", "/api/site", A::kViewer, &Impl::Site);
  Route("GET", "/api/system", A::kViewer, &Impl::System);
  Route("POST", "/api/sensors", A::kOperator, &Impl::Sensors);
  Route("GET", "/api/live", A::kViewer, &Impl::Live);
  Route("GET", "/api/users", A::kAdmin, &Impl::Users);
  Route("POST", "/api/users", A::kAdmin, &Impl::AddUser);
  Route("POST", "/api/users/([^/]+)", A::kAdmin, &Impl::UpdateUser);
  Route("GET", "/api/tokens", A::kAdmin, &Impl::Tokens);
  Route("POST", "/api/tokens", A::kAdmin, &Impl::AddToken);
  Route("POST", "/api/tokens/([^/]+)/revoke", A::kAdmin, &Impl::RevokeToken);
  Route("GET", "/api/audit", A::kAdmin, &Impl::Audit);
  Route("POST", "/api/config/reload", A::kAdmin, &Impl::ReloadConfig);
}

std::shared_ptr<HttpServer::Impl::StreamSlot> HttpServer::Impl::AcquireStream(
    std::atomic<int64_t>* kind) {
  const int64_t max =
      options.max_streams > 0 ? options.max_streams : std::max(1, options.threads - 2);
  if (++open_streams > max) {
    --open_streams;
    return nullptr;
  }
  ++*kind;
  return std::make_shared<StreamSlot>(this, kind);
}

// 200 either way: the process is alive and serving (a liveness probe must not restart a
// daemon over a full disk); "degraded" with the reasons when something cannot write.
void HttpServer::Impl::Healthz(const Request&, Response& res, const Principal&) {
  const std::vector<std::string> problems = backend.Problems();
  json body = {{"status", problems.empty() ? "ok" : "degraded"}, {"time", FormatTime(clock.Now())}};
  if (!problems.empty()) body["problems"] = problems;
  SendJson(res, 200, body);
}

void HttpServer::Impl::Metrics(const Request&, Response& res, const Principal&) {
  ServerCounters c;
  {
    std::lock_guard<std::mutex> lock(counters_mu);
    c.requests_by_code = requests_by_code;
  }
  c.live_clients = live_clients;
  c.mjpeg_clients = mjpeg_clients;
  c.live_dropped = live.dropped_total();
  std::string body = RenderMetrics(backend.Cameras(), c);
  body += backend.ExtraMetrics();
  if (!body.empty() && body.back() != '\n') body += '\n';
  const GuardedServer::Stats g = server.stats();
  body +=
      "# HELP argus_http_requests_cut_total Requests still arriving at their deadline.\n"
      "# TYPE argus_http_requests_cut_total counter\n"
      "argus_http_requests_cut_total " +
      std::to_string(g.deadline_exceeded) +
      "\n# HELP argus_http_connections_refused_total Connections refused: too many requests "
      "arriving from their address.\n"
      "# TYPE argus_http_connections_refused_total counter\n"
      "argus_http_connections_refused_total " +
      std::to_string(g.refused_per_address) + "\n";
  res.status = 200;
  res.set_content(body, kMetricsContentType);
}

void HttpServer::Impl::Cameras(const Request&, Response& res, const Principal&) {
  json cams = json::array();
  for (const CameraStatus& c : backend.SiteCameras()) cams.push_back(ToJson(c));
  SendJson(res, 200, {{"cameras", cams}});
}

void HttpServer::Impl::Nodes(const Request&, Response& res, const Principal&) {
  core::Result<json> nodes = backend.Nodes();
  if (!nodes.ok()) {
    SendStatus(res, nodes.status());
    return;
  }
  SendJson(res, 200, *nodes);
}

void HttpServer::Impl::Events(const Request& req, Response& res, const Principal&) {
  store::EventQuery q;
  int64_t before = 0, limit = store::kDefaultPageSize;
  if (!TimeParam(req, res, "from", &q.from) || !TimeParam(req, res, "to", &q.to) ||
      !IntParam(req, res, "before", 0, INT64_MAX, &before) ||
      !IntParam(req, res, "limit", 1, store::kMaxPageSize, &limit)) {
    return;
  }
  if (q.from && q.to && *q.from > *q.to) {
    SendError(res, 400, "query parameter 'from' must not be after 'to'");
    return;
  }
  if (const std::string* v = Param(req, "severity")) {
    events::Severity s;
    if (!events::ParseSeverity(*v, &s)) {
      BadParam(res, "severity", "info|warning|alert|critical");
      return;
    }
    q.min_severity = s;
  }
  if (const std::string* v = Param(req, "camera")) q.camera = *v;
  if (const std::string* v = Param(req, "type")) q.type = *v;
  q.before_seq = before;
  q.limit = static_cast<int>(limit);
  core::Result<store::EventPage> page = backend.store().QueryEvents(q);
  if (!page.ok()) {
    SendStatus(res, page.status());
    return;
  }
  json list = json::array();
  for (const store::StoredEvent& e : page->events) list.push_back(ToJson(e));
  SendJson(res, 200,
           {{"events", list},
            {"next_before", page->next_before_seq > 0 ? json(page->next_before_seq) : json()}});
}

void HttpServer::Impl::Alerts(const Request& req, Response& res, const Principal&) {
  store::AlertQuery q;
  int64_t before = 0, limit = store::kDefaultPageSize;
  if (!IntParam(req, res, "before", 0, INT64_MAX, &before) ||
      !IntParam(req, res, "limit", 1, store::kMaxPageSize, &limit)) {
    return;
  }
  if (const std::string* v = Param(req, "state")) {
    events::AlertState s;
    if (!events::ParseAlertState(*v, &s)) {
      BadParam(res, "state", "open|acknowledged|resolved");
      return;
    }
    q.state = s;
  }
  if (const std::string* v = Param(req, "camera")) q.camera = *v;
  q.before_id = before;
  // One extra row tells whether there is a next page (the store caps the page).
  q.limit = static_cast<int>(std::min<int64_t>(limit + 1, store::kMaxPageSize));
  core::Result<std::vector<events::Alert>> alerts = backend.store().ListAlerts(q);
  if (!alerts.ok()) {
    SendStatus(res, alerts.status());
    return;
  }
  auto [list, next] =
      PageOf(*alerts, limit, "id", [](const events::Alert& a) { return ToJson(a); });
  if (limit == store::kMaxPageSize && static_cast<int64_t>(alerts->size()) == limit) {
    next = list.back()["id"];  // cannot tell; an empty next page is harmless
  }
  SendJson(res, 200, {{"alerts", list}, {"next_before", next}});
}

std::optional<int64_t> HttpServer::Impl::AlertId(const Request& req, Response& res) {
  std::optional<int64_t> id = ParseInt(req.matches[1].str());
  if (!id || *id <= 0) {
    SendError(res, 400, "alert id must be a positive integer");
    return std::nullopt;
  }
  return id;
}

void HttpServer::Impl::Alert(const Request& req, Response& res, const Principal&) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  core::Result<events::Alert> a = backend.store().GetAlert(*id);
  if (!a.ok()) {
    SendStatus(res, a.status());
    return;
  }
  SendJson(res, 200, ToJson(*a));
}

void HttpServer::Impl::AlertAction(const Request& req, Response& res, const Principal& who,
                                   bool resolve) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  json body;
  if (!ReadJsonObject(req, res, &body)) return;
  // Who acts is the authenticated caller; a "who" in the body (older clients) is
  // ignored so nobody can acknowledge in someone else's name.
  std::string note;
  auto n = body.find("note");
  if (n != body.end() && !n->is_null()) {
    if (!n->is_string() || n->get_ref<const std::string&>().size() > size_t(kMaxNoteLength)) {
      SendError(
          res, 400,
          "\"note\" must be a string of at most " + std::to_string(kMaxNoteLength) + " bytes");
      return;
    }
    note = n->get<std::string>();
  }
  core::Result<events::Alert> a = resolve
                                      ? backend.Resolve(*id, who.name, note, req.remote_addr)
                                      : backend.Acknowledge(*id, who.name, note, req.remote_addr);
  if (!a.ok()) {
    // Not in the state the action needs (e.g. resolving an open alert): a conflict
    // with the alert's state, not a malformed request.
    int code = a.status().code() == core::StatusCode::kInvalidArgument ? 409 : HttpCode(a.status());
    SendError(res, code, a.status().message());
    return;
  }
  SendJson(res, 200, ToJson(*a));
}

void HttpServer::Impl::Evidence(const Request& req, Response& res, Backend::Evidence kind) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  const bool clip = kind == Backend::Evidence::kClip;
  // ?incident=N: the evidence of the N-th incident merged into the alert (0: the first).
  int incident = 0;
  if (req.has_param("incident")) {
    const std::string v = req.get_param_value("incident");
    const auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), incident);
    if (err != std::errc() || end != v.data() + v.size() || incident < 0) {
      SendError(res, 400, "incident must be a number >= 0, got '" + v + "'");
      return;
    }
  }
  core::Result<std::string> path = backend.EvidencePath(*id, kind, incident);
  if (!path.ok()) {
    if (path.status().code() == core::StatusCode::kNotFound &&
        EvidenceElsewhere(req, res, *id, incident)) {
      return;
    }
    if (path.status().code() == core::StatusCode::kNotFound) {
      // The backend says why: not recorded (yet), or lost to an interrupted recording.
      SendError(res, 404,
                path.status().message().empty()
                    ? std::string("no ") + (clip ? "clip" : "snapshot") + " for alert " +
                          std::to_string(*id)
                    : path.status().message());
    } else {
      SendStatus(res, path.status());
    }
    return;
  }
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(*path, ec);
  const uintmax_t size = regular ? std::filesystem::file_size(*path, ec) : 0;
  auto file = std::make_shared<std::ifstream>(*path, std::ios::binary);
  if (!regular || ec || !*file) {
    if (EvidenceElsewhere(req, res, *id, incident)) return;
    SendError(res, 404, "evidence file of alert " + std::to_string(*id) + " is missing");
    return;
  }
  if (!ClampRanges(req, size)) {
    ClearRanges(req);
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    SendError(res, 416, "range not satisfiable");
    return;
  }
  const char* type = clip ? "video/mp4" : "image/jpeg";
  res.set_header("Accept-Ranges", "bytes");
  if (size == 0) {
    res.set_content("", type);
    return;
  }
  // The status stays unset so that httplib answers 206 to a Range request.
  res.set_content_provider(size, type,
                           [file](size_t offset, size_t length, httplib::DataSink& sink) {
                             std::string buf(std::min(length, kFileChunkBytes), '\0');
                             file->seekg(static_cast<std::streamoff>(offset));
                             file->read(buf.data(), static_cast<std::streamsize>(buf.size()));
                             const std::streamsize got = file->gcount();
                             if (got <= 0) return false;  // the file shrank under us
                             return sink.write(buf.data(), static_cast<size_t>(got));
                           });
}

void HttpServer::Impl::ZoneCounts(const Request&, Response& res, const Principal&) {
  SendJson(res, 200, backend.ZoneCounts());
}

void HttpServer::Impl::Sensors(const Request& req, Response& res, const Principal&) {
  if (!IsJsonContentType(req)) {
    SendError(res, 415, "Content-Type must be application/json");
    return;
  }
  const double now_s = std::chrono::duration<double>(clock.Now().time_since_epoch()).count();
  core::Result<notify::SensorReading> r = notify::ParseSensorMessage("http", req.body, now_s);
  if (!r.ok()) {
    SendError(res, 400, r.status().message());
    return;
  }
  core::Status st = backend.OnSensor(*r);
  if (!st.ok()) {
    SendStatus(res, st);
    return;
  }
  SendJson(res, 202, {{"status", "accepted"}});
}

void HttpServer::Impl::Live(const Request& req, Response& res, const Principal&) {
  std::set<std::string> types;
  if (const std::string* v = Param(req, "types")) {
    std::string_view rest = *v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view t = Trim(rest.substr(0, comma));
      if (!t.empty()) {
        if (!kLiveTypes.count(std::string(t))) {
          BadParam(res, "types", "a comma-separated list of event|alert|camera");
          return;
        }
        types.insert(std::string(t));
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::shared_ptr<StreamSlot> slot = AcquireStream(&live_clients);
  if (!slot) {
    SendError(res, 503, "too many open streams");
    return;
  }
  // A client resuming after a lost connection names the last message it saw:
  // EventSource sends Last-Event-ID itself; a page that opens a new EventSource
  // (to back off between attempts) passes it as ?last_event_id=.
  std::string last_id = req.get_header_value("Last-Event-ID");
  if (const std::string* v = Param(req, "last_event_id")) last_id = *v;
  bool resumed = false;
  std::shared_ptr<LiveHub::Subscription> sub =
      last_id.empty() ? live.Subscribe(std::move(types))
                      : live.Resume(std::move(types), last_id, &resumed);
  // The first message says whether the missed messages follow; when not, the
  // client reloads its lists. It also gives the heartbeat period, so the client
  // can tell a stalled connection from a quiet one.
  struct State {
    bool started = false;
    SteadyClock::time_point last_write;
    std::string hello;
  };
  auto state = std::make_shared<State>();
  state->hello = "event: hello\ndata: " +
                 json{{"resumed", resumed}, {"heartbeat_s", options.heartbeat_s}}.dump() + "\n\n";
  const auto heartbeat = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(options.heartbeat_s));
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // proxies must not buffer the stream
  res.set_chunked_content_provider(
      "text/event-stream", [this, slot, sub, state, heartbeat](size_t, httplib::DataSink& sink) {
        if (stopping) {
          sink.done();
          return true;
        }
        std::string out;
        if (!state->started) {
          out = ": argus live\nretry: " + std::to_string(kSseRetryMs) + "\n\n" + state->hello;
          state->started = true;
        } else {
          std::vector<LiveMessage> msgs;
          uint64_t dropped = sub->Wait(kStreamPoll, &msgs);
          if (dropped > 0) {
            // The client's lists now miss messages: it reloads them.
            out += ": dropped " + std::to_string(dropped) +
                   " messages (client too slow)\nevent: reload\ndata: " +
                   json{{"dropped", dropped}}.dump() + "\n\n";
          }
          for (const LiveMessage& m : msgs) AppendSse(&out, live, m);
          // An event (not a comment) so that a page sees the stream is alive.
          if (out.empty() && SteadyClock::now() - state->last_write >= heartbeat) {
            out = "event: heartbeat\ndata: {}\n\n";
          }
          // A client that hung up is otherwise only noticed by the next write.
          if (out.empty() && !sink.is_writable()) return false;
        }
        if (out.empty()) return true;
        state->last_write = SteadyClock::now();
        return sink.write(out.data(), out.size());
      });
}

bool HttpServer::Impl::KnownCamera(const std::string& camera, Response& res) {
  bool known = frames.Has(camera);
  if (!known) {
    for (const CameraStatus& c : backend.Cameras()) known = known || c.name == camera;
  }
  if (!known) SendError(res, 404, "no camera '" + camera + "'");
  return known;
}

bool HttpServer::Impl::RunHere(const Request& req, const std::string& camera, Response& res) {
  const std::optional<CameraHome> home = backend.RemoteHome(camera);
  if (!home) return true;
  SendToNode(req, res, *home, "camera '" + camera + "' runs", "its pictures");
  return false;
}

bool HttpServer::Impl::EvidenceElsewhere(const Request& req, Response& res, int64_t id,
                                         int incident) {
  const std::optional<CameraHome> home = backend.EvidenceHome(id, incident);
  if (!home) return false;
  SendToNode(req, res, *home, "the evidence of alert " + std::to_string(id) + " was recorded",
             "it");
  return true;
}

void HttpServer::Impl::SendToNode(const Request& req, Response& res, const CameraHome& home,
                                  const std::string& what, const std::string& fetch) {
  if (!home.alive || home.address.empty()) {
    res.set_header("Retry-After", "5");
    SendError(res, 503,
              what + " on node '" + home.node + "', which " +
                  (home.alive ? "has no cluster.address to fetch " + fetch + " from"
                              : std::string("is offline")));
    return;
  }
  std::string to = home.address;
  if (to.find("://") == std::string::npos) to = "http://" + to;
  while (!to.empty() && to.back() == '/') to.pop_back();
  // The same request, query and all, at the node that has the pictures.
  const std::string location = to + (req.target.empty() ? req.path : req.target);
  res.set_header("Location", location);
  res.set_header("Cache-Control", "no-store");
  SendJson(res, 307,
           {{"error", what + " on node '" + home.node + "'"},
            {"node", home.node},
            {"location", location}});
}

// The camera wall's tile: the latest live picture as one JPEG per request. It is
// the picture the camera already encoded for the hub, so a hundred walls cost no
// more encoding than one; a connection is held only for the transfer.
void HttpServer::Impl::Frame(const Request& req, Response& res, const Principal& who) {
  const std::string camera = req.matches[1].str();
  if (!RunHere(req, camera, res) || !KnownCamera(camera, res)) return;
  const FrameVariant full = VariantFor(who);
  std::optional<FrameHub::Frame> f;
  // ?size=tile: the camera wall's small picture, shared by every wall (FrameVariant). It is
  // made only once asked for: until then (or while the wall's requests are slow), the full
  // picture is sent at once rather than a tile waited for; a wall of 100 tiles on six
  // browser connections cannot afford a wait per tile.
  if (const std::string* size = Param(req, "size")) {
    if (*size != "tile") {
      BadParam(res, "size", "'tile'");
      return;
    }
    f = frames.WaitNewer(
        camera, 0, std::chrono::milliseconds(0),
        full == FrameVariant::kClear ? FrameVariant::kClearTile : FrameVariant::kBlurredTile);
  }
  // Waits briefly only when there is no picture yet (all but the clear one are made once
  // asked for).
  if (!f) f = frames.WaitNewer(camera, 0, kFrameWait, full);
  if (!f) {
    res.set_header("Retry-After", "1");
    SendError(res, 503, "no picture from camera '" + camera + "' yet");
    return;
  }
  res.set_header("Cache-Control", "no-cache, no-store");
  res.set_header("X-Frame-Seq", std::to_string(f->seq));
  res.set_content(f->jpeg->data(), f->jpeg->size(), "image/jpeg");
}

void HttpServer::Impl::Mjpeg(const Request& req, Response& res, const Principal& who) {
  const std::string camera = req.matches[1].str();
  if (!RunHere(req, camera, res) || !KnownCamera(camera, res)) return;
  double fps = options.mjpeg_max_fps;
  if (const std::string* v = Param(req, "fps")) {
    double f = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), f);
    if (ec != std::errc() || ptr != v->data() + v->size() || !std::isfinite(f) || f <= 0) {
      BadParam(res, "fps", "a number > 0");
      return;
    }
    fps = std::min(fps, f);
  }
  std::shared_ptr<StreamSlot> slot = AcquireStream(&mjpeg_clients);
  if (!slot) {
    SendError(res, 503, "too many open streams");
    return;
  }
  struct State {
    uint64_t seq = 0;
    SteadyClock::time_point last_sent;
    std::shared_ptr<const std::string> last;
  };
  auto state = std::make_shared<State>();
  const auto interval =
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(1.0 / fps));
  const auto repeat = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(kMjpegRepeatS));
  const FrameVariant variant = VariantFor(who);
  res.set_header("Cache-Control", "no-cache, no-store");
  res.set_content_provider(
      std::string("multipart/x-mixed-replace; boundary=") + kMjpegBoundary,
      [this, slot, state, camera, interval, repeat, variant](size_t, httplib::DataSink& sink) {
        if (stopping) {
          sink.done();
          return true;
        }
        const auto now = SteadyClock::now();
        if (state->last && now < state->last_sent + interval) {  // the frame-rate cap
          std::this_thread::sleep_for(
              std::min<SteadyClock::duration>(state->last_sent + interval - now, kStreamPoll));
          return true;
        }
        std::shared_ptr<const std::string> jpeg;
        if (auto f = frames.WaitNewer(camera, state->seq, kStreamPoll, variant)) {
          state->seq = f->seq;
          jpeg = f->jpeg;
        } else if (state->last && now - state->last_sent >= repeat) {
          jpeg = state->last;
        } else {
          return sink.is_writable();  // notices a viewer that hung up
        }
        state->last = jpeg;
        state->last_sent = SteadyClock::now();
        std::string head =
            std::string("--") + kMjpegBoundary +
            "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(jpeg->size()) +
            "\r\n\r\n";
        return sink.write(head.data(), head.size()) && sink.write(jpeg->data(), jpeg->size()) &&
               sink.write("\r\n", 2);
      });
}

void HttpServer::Impl::Login(const Request& req, Response& res, const Principal&) {
  // Only the dashboard's own script posts JSON: a login form elsewhere cannot log
  // a browser into an attacker's account here.
  if (!SameOriginJson(req, /*need_origin=*/false)) {
    SendError(res, 403, "log in with a JSON POST from the dashboard's origin");
    return;
  }
  json body;
  std::string user, password;
  if (!ReadJsonObject(req, res, &body) || !StringField(body, res, "user", &user) ||
      !StringField(body, res, "password", &password)) {
    return;
  }
  core::Result<auth::Session> s = auth.Login(user, password, req.remote_addr);
  if (!s.ok()) {
    if (s.status().code() == core::StatusCode::kResourceExhausted) {
      // At least 1: refused for attempts still in flight, not yet a lockout.
      const double wait = std::max(1.0, auth.RetryAfterS(user, req.remote_addr));
      res.set_header("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
    }
    SendStatus(res, s.status());
    return;
  }
  const auto max_age =
      std::chrono::duration_cast<std::chrono::seconds>(s->expires_at - clock.Now()).count();
  res.set_header("Set-Cookie",
                 std::string(kSessionCookie) + "=" + s->secret +
                     "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age) +
                     (options.secure_cookies ? "; Secure" : ""));
  SendJson(res, 200,
           {{"user", s->who.name},
            {"role", auth::ToString(s->who.role)},
            {"expires_at", FormatTime(s->expires_at)},
            {"must_change_password", backend.MustChangePassword(s->who.name)}});
}

void HttpServer::Impl::Logout(const Request& req, Response& res, const Principal& who) {
  if (!who.via_token) auth.Logout(CookieValue(req, kSessionCookie));
  res.set_header("Set-Cookie", std::string(kSessionCookie) +
                                   "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
                                   (options.secure_cookies ? "; Secure" : ""));
  SendJson(res, 200, json::object());
}

void HttpServer::Impl::Me(const Request&, Response& res, const Principal& who) {
  SendJson(res, 200,
           {{"user", who.name},
            {"role", auth::ToString(who.role)},
            {"via_token", who.via_token},
            {"must_change_password", !who.via_token && backend.MustChangePassword(who.name)}});
}

void HttpServer::Impl::Timeline(const Request& req, Response& res, const Principal&) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  core::Result<events::Alert> a = backend.store().GetAlert(*id);
  if (!a.ok()) {
    SendStatus(res, a.status());
    return;
  }
  // Events are stored by arrival; an alert's are those of its incidents, received
  // between its opening and its last event (a margin covers clock steps).
  const std::set<std::string> incidents(a->incident_ids.begin(), a->incident_ids.end());
  store::EventQuery q;
  q.camera = a->camera;
  q.from = a->opened_at - kTimelineMargin;
  q.to = a->last_event_at + kTimelineMargin;
  q.limit = store::kMaxPageSize;
  json list = json::array();
  for (int page = 0; page < kTimelineMaxPages; ++page) {
    core::Result<store::EventPage> p = backend.store().QueryEvents(q);
    if (!p.ok()) {
      SendStatus(res, p.status());
      return;
    }
    for (const store::StoredEvent& e : p->events) {
      if (incidents.count(e.event.id)) list.push_back(ToJson(e));
    }
    if (p->next_before_seq == 0) break;
    q.before_seq = p->next_before_seq;
  }
  std::reverse(list.begin(), list.end());  // oldest first
  SendJson(res, 200, {{"events", list}});
}

void HttpServer::Impl::Snapshot(const Request& req, Response& res, const Principal& who) {
  // Viewers see people blurred; operators see the evidence as recorded.
  Evidence(req, res,
           auth::Includes(who.role, auth::Role::kOperator) ? Backend::Evidence::kSnapshot
                                                           : Backend::Evidence::kSnapshotBlurred);
}

void HttpServer::Impl::Clip(const Request& req, Response& res, const Principal& who) {
  const bool download = Param(req, "download") && *Param(req, "download") == "1";
  Evidence(req, res, Backend::Evidence::kClip);
  if (res.status >= 300 || !res.body.empty()) return;  // an error was sent
  // A player fetches a clip in several ranges; the first one (from byte 0) is the view.
  const bool first = req.ranges.empty() || req.ranges.front().first <= 0;
  const std::string alert = "alert " + req.matches[1].str();
  if (download) {
    res.set_header("Content-Disposition",
                   "attachment; filename=\"argus-alert-" + req.matches[1].str() + ".mp4\"");
    WriteAudit(who, "export clip of " + alert, req);
  } else if (first) {
    WriteAudit(who, "view clip of " + alert, req);
  }
}

void HttpServer::Impl::ZoneHistory(const Request& req, Response& res, const Principal&) {
  const std::string* camera = Param(req, "camera");
  const std::string* zone = Param(req, "zone");
  if (!camera || !zone) {
    SendError(res, 400, "query parameters 'camera' and 'zone' are required");
    return;
  }
  std::optional<core::WallTime> from, to;
  if (!TimeParam(req, res, "from", &from) || !TimeParam(req, res, "to", &to)) return;
  if (!to) to = clock.Now();
  if (!from) from = *to - kDefaultZoneHistory;
  core::Result<std::vector<store::SensorReading>> r = backend.store().QuerySensorReadings(
      ZoneSensorName(*camera, *zone), *from, *to, kMaxZoneHistoryPoints);
  if (!r.ok()) {
    SendStatus(res, r.status());
    return;
  }
  json points = json::array();
  for (const store::SensorReading& p : *r) {
    points.push_back({{"at", FormatTime(p.at)}, {"count", p.value}});
  }
  SendJson(res, 200, {{"camera", *camera}, {"zone", *zone}, {"points", points}});
}

void HttpServer::Impl::Site(const Request&, Response& res, const Principal&) {
  std::optional<json> site = backend.SiteMap();
  if (!site) {
    SendError(res, 404, "no site model configured (server.site_model)");
    return;
  }
  SendJson(res, 200, *site);
}

void HttpServer::Impl::System(const Request&, Response& res, const Principal& who) {
  json j = backend.System();
  j["user"] = {{"name", who.name}, {"role", auth::ToString(who.role)}};
  SendJson(res, 200, j);
}

void HttpServer::Impl::Users(const Request&, Response& res, const Principal&) {
  core::Result<std::vector<store::UserRecord>> users = backend.store().ListUsers();
  if (!users.ok()) {
    SendStatus(res, users.status());
    return;
  }
  json list = json::array();
  for (const store::UserRecord& u : *users) list.push_back(UserJson(u));
  SendJson(res, 200, {{"users", list}});
}

void HttpServer::Impl::AddUser(const Request& req, Response& res, const Principal& who) {
  json body;
  std::string name, password;
  auth::Role role;
  if (!ReadJsonObject(req, res, &body) || !StringField(body, res, "name", &name) ||
      !StringField(body, res, "password", &password) || !RoleField(body, res, &role)) {
    return;
  }
  core::Result<store::UserRecord> u = auth.AddUser(name, password, role, who.name, req.remote_addr);
  if (!u.ok()) {
    SendStatus(res, u.status());
    return;
  }
  SendJson(res, 201, UserJson(*u));
}

void HttpServer::Impl::UpdateUser(const Request& req, Response& res, const Principal& who) {
  const std::string name = req.matches[1].str();
  json body;
  if (!ReadJsonObject(req, res, &body)) return;
  auth::Authenticator::UserChange change;
  if (body.contains("role")) {
    auth::Role role;
    if (!RoleField(body, res, &role)) return;
    change.role = role;
  }
  if (body.contains("password")) {
    std::string password;
    if (!StringField(body, res, "password", &password)) return;
    change.password = password;
  }
  if (body.contains("disabled")) {
    if (!body["disabled"].is_boolean()) {
      SendError(res, 400, "\"disabled\" must be true or false");
      return;
    }
    change.disabled = body["disabled"].get<bool>();
  }
  // An admin who demotes or disables themselves could leave nobody to undo it.
  if (name == who.name &&
      ((change.role && *change.role != auth::Role::kAdmin) || change.disabled.value_or(false))) {
    SendError(res, 400, "you cannot remove your own admin rights; ask another admin");
    return;
  }
  core::Result<store::UserRecord> u = auth.UpdateUser(name, change, who.name, req.remote_addr);
  if (!u.ok()) {
    SendStatus(res, u.status());
    return;
  }
  SendJson(res, 200, UserJson(*u));
}

void HttpServer::Impl::Tokens(const Request&, Response& res, const Principal&) {
  core::Result<std::vector<store::ApiTokenRecord>> tokens = backend.store().ListApiTokens();
  if (!tokens.ok()) {
    SendStatus(res, tokens.status());
    return;
  }
  json list = json::array();
  for (const store::ApiTokenRecord& t : *tokens) {
    list.push_back({{"id", t.id},
                    {"name", t.name},
                    {"role", t.role},
                    {"created_by", t.created_by},
                    {"created_at", FormatTime(t.created_at)},
                    {"revoked", t.revoked}});
  }
  SendJson(res, 200, {{"tokens", list}});
}

void HttpServer::Impl::AddToken(const Request& req, Response& res, const Principal& who) {
  json body;
  std::string name;
  auth::Role role;
  if (!ReadJsonObject(req, res, &body) || !StringField(body, res, "name", &name) ||
      !RoleField(body, res, &role)) {
    return;
  }
  auto t = auth.CreateToken(name, role, who.name, req.remote_addr);
  if (!t.ok()) {
    SendStatus(res, t.status());
    return;
  }
  SendJson(
      res, 201,
      {{"id", t->first}, {"name", name}, {"role", auth::ToString(role)}, {"token", t->second}});
}

void HttpServer::Impl::RevokeToken(const Request& req, Response& res, const Principal& who) {
  std::optional<int64_t> id = ParseInt(req.matches[1].str());
  if (!id || *id <= 0) {
    SendError(res, 400, "token id must be a positive integer");
    return;
  }
  if (core::Status st = auth.RevokeToken(*id, who.name, req.remote_addr); !st.ok()) {
    SendStatus(res, st);
    return;
  }
  SendJson(res, 200, {{"id", *id}, {"revoked", true}});
}

void HttpServer::Impl::CameraTracks(const Request& req, Response& res, const Principal&) {
  const std::string camera = req.matches[1].str();
  if (!KnownCamera(camera, res) || !RunHere(req, camera, res)) return;
  core::Result<json> tracks = backend.CameraTracks(camera);
  if (!tracks.ok()) {
    SendStatus(res, tracks.status());
    return;
  }
  SendJson(res, 200, *tracks);
}

// Counts per cell of the image, no person in it: every role may see it.
void HttpServer::Impl::LearnedPicture(const Request& req, Response& res, const Principal&) {
  const std::string camera = req.matches[1].str();
  if (!KnownCamera(camera, res)) return;
  core::Result<std::string> svg = backend.LearnedPicture(camera);
  if (!svg.ok()) {
    SendStatus(res, svg.status());
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(*svg, "image/svg+xml");
}

void HttpServer::Impl::Follows(const Request&, Response& res, const Principal&) {
  core::Result<json> follows = backend.Follows();
  if (!follows.ok()) {
    SendStatus(res, follows.status());
    return;
  }
  SendJson(res, 200, *follows);
}

// Following someone is watching a person on purpose: it needs a reason, and the audit log
// keeps who asked, why, and from where.
void HttpServer::Impl::StartFollow(const Request& req, Response& res, const Principal& who) {
  json body;
  std::string camera, reason;
  if (!ReadJsonObject(req, res, &body) || !StringField(body, res, "camera", &camera) ||
      !StringField(body, res, "reason", &reason)) {
    return;
  }
  const auto track = body.find("track");
  if (track == body.end() || !track->is_number_integer()) {
    SendError(res, 400,
              "\"track\" must be an integer (a track id of GET /api/cameras/{name}/tracks)");
    return;
  }
  if (!KnownCamera(camera, res) || !RunHere(req, camera, res)) return;
  core::Result<json> f = backend.StartFollow(camera, track->get<int>(), who.name, reason);
  if (!f.ok()) {
    SendStatus(res, f.status());
    return;
  }
  WriteAudit(who,
             "follow person: camera " + camera + " track " + std::to_string(track->get<int>()) +
                 " (follow " + std::to_string((*f)["id"].get<int64_t>()) +
                 "), reason: " + (*f)["reason"].get<std::string>(),
             req);
  SendJson(res, 201, *f);
}

void HttpServer::Impl::StopFollow(const Request& req, Response& res, const Principal& who) {
  std::optional<int64_t> id = ParseInt(req.matches[1].str());
  if (!id || *id <= 0) {
    SendError(res, 400, "follow id must be a positive integer");
    return;
  }
  core::Result<json> f = backend.StopFollow(*id, who.name);
  if (!f.ok()) {
    SendStatus(res, f.status());
    return;
  }
  WriteAudit(who, "stop following: follow " + std::to_string(*id), req);
  SendJson(res, 200, *f);
}

// 200 with what changed; 400 with the config's first problem (file:line: field: message)
// when the file does not load (the running config stays).
void HttpServer::Impl::ReloadConfig(const Request& req, Response& res, const Principal& who) {
  core::Result<json> r = backend.ReloadConfig(who.name, req.remote_addr);
  if (!r.ok()) {
    SendStatus(res, r.status());
    return;
  }
  SendJson(res, r->contains("error") ? 400 : 200, *r);
}

void HttpServer::Impl::Audit(const Request& req, Response& res, const Principal&) {
  int64_t before = 0, limit = store::kDefaultPageSize;
  if (!IntParam(req, res, "before", 0, INT64_MAX, &before) ||
      !IntParam(req, res, "limit", 1, store::kMaxPageSize - 1, &limit)) {
    return;
  }
  core::Result<std::vector<store::AuditEntry>> entries =
      backend.store().ListAudit(before, static_cast<int>(limit + 1));
  if (!entries.ok()) {
    SendStatus(res, entries.status());
    return;
  }
  auto [list, next] = PageOf(*entries, limit, "seq", [](const store::AuditEntry& e) {
    return json{{"seq", e.seq},
                {"who", e.who},
                {"what", e.what},
                {"when", FormatTime(e.when)},
                {"from", e.from}};
  });
  SendJson(res, 200, {{"entries", list}, {"next_before", next}});
}

HttpServer::HttpServer(ServerOptions options, Backend& backend, auth::Authenticator& auth,
                       LiveHub& live, FrameHub& frames, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), backend, auth, live, frames, clock)) {}

HttpServer::~HttpServer() { Stop(); }

core::Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started) return core::InvalidArgument("http server: Start() called twice");
  ARGUS_RETURN_IF_ERROR(s.Validate());
  s.started = true;
  s.Configure();
  std::string tls_error;
  if (!s.options.tls_cert.empty() &&
      !s.server.EnableTls(s.options.tls_cert, s.options.tls_key, &tls_error)) {
    return core::InvalidArgument("https: " + tls_error);
  }
  if (!s.options.static_dir.empty() && !s.server.set_mount_point("/", s.options.static_dir)) {
    return core::InvalidArgument("http static_dir '" + s.options.static_dir + "' cannot be served");
  }
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  errno = 0;
  if (s.options.port == 0) {
    s.bound_port = s.server.bind_to_any_port(s.options.host);
  } else if (s.server.bind_to_port(s.options.host, s.options.port)) {
    s.bound_port = s.options.port;
  }
  if (s.bound_port <= 0) {
    const int err = errno;
    s.bound_port = 0;
    return core::Unavailable("http: cannot listen on " + where + ": " +
                             (err ? std::strerror(err) : "bind failed") +
                             " (is another process using the port?)");
  }
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  // httplib::Server::stop() only works once the accept loop runs; wait for it so a
  // Stop() right after Start() cannot miss it.
  const auto deadline = SteadyClock::now() + kStartTimeout;
  while (!s.server.is_running() && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!s.server.is_running()) {
    Stop();
    return core::Internal("http: the server thread did not start");
  }
  spdlog::info("http: listening on {}://{}:{}", s.server.tls() ? "https" : "http", s.options.host,
               s.bound_port);
  return core::Status::Ok();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  s.stopping = true;  // streams end at their next poll
  s.server.stop();
  // listen_after_bind() returns once the worker pool has finished every connection.
  s.thread.join();
}

int HttpServer::port() const { return impl_->bound_port; }

}  // namespace argus::api
