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

#include "api/json_format.h"
#include "api/metrics.h"

namespace argus::api {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// How often a stream that waits for data checks whether the server is stopping.
constexpr auto kStreamPoll = std::chrono::milliseconds(100);
// An MJPEG stream with no new frame resends the last one this often, so a viewer
// that went away is noticed (only a failed write tells) and frees its thread.
constexpr double kMjpegRepeatS = 5;
constexpr size_t kFileChunkBytes = 64 * 1024;
constexpr const char* kMjpegBoundary = "argusframe";
constexpr int kSseRetryMs = 3000;
constexpr int kReadTimeoutS = 5;
constexpr auto kStartTimeout = std::chrono::seconds(5);
const std::set<std::string> kLiveTypes = {"event", "alert", "camera"};

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

// One SSE message; multi-line data becomes several data: lines, as the format needs.
void AppendSse(std::string* out, const LiveMessage& m) {
  *out += "id: " + std::to_string(m.id) + "\nevent: " + m.event + "\n";
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

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, Backend& b, LiveHub& l, FrameHub& f, const core::Clock& c)
      : options(std::move(o)), backend(b), live(l), frames(f), clock(c) {}

  using Method = void (Impl::*)(const Request&, Response&);

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
  void Route(const char* method, const std::string& pattern, Method fn);
  // Authentication and roles (a later issue) go here: every API route passes
  // through it before its handler.
  core::Status Authorize(const Request&) { return core::Status::Ok(); }
  std::shared_ptr<StreamSlot> AcquireStream(std::atomic<int64_t>* kind);

  void Healthz(const Request& req, Response& res);
  void Metrics(const Request& req, Response& res);
  void Cameras(const Request& req, Response& res);
  void Events(const Request& req, Response& res);
  void Alerts(const Request& req, Response& res);
  void Alert(const Request& req, Response& res);
  void Acknowledge(const Request& req, Response& res) { AlertAction(req, res, false); }
  void Resolve(const Request& req, Response& res) { AlertAction(req, res, true); }
  void AlertAction(const Request& req, Response& res, bool resolve);
  void Snapshot(const Request& req, Response& res) {
    Evidence(req, res, Backend::Evidence::kSnapshot);
  }
  void Clip(const Request& req, Response& res) { Evidence(req, res, Backend::Evidence::kClip); }
  void Evidence(const Request& req, Response& res, Backend::Evidence kind);
  void ZoneCounts(const Request& req, Response& res);
  void Sensors(const Request& req, Response& res);
  void Live(const Request& req, Response& res);
  void Mjpeg(const Request& req, Response& res);

  std::optional<int64_t> AlertId(const Request& req, Response& res);

  ServerOptions options;
  Backend& backend;
  LiveHub& live;
  FrameHub& frames;
  const core::Clock& clock;

  httplib::Server server;
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

void HttpServer::Impl::Route(const char* method, const std::string& pattern, Method fn) {
  httplib::Server::Handler h = [this, fn](const Request& req, Response& res) {
    if (core::Status st = Authorize(req); !st.ok()) {
      SendError(res, 401, st.message());
      return;
    }
    try {
      (this->*fn)(req, res);
    } catch (const std::exception& e) {  // a bug, but not one that takes the daemon down
      spdlog::error("http {} {}: {}", req.method, req.path, e.what());
      SendError(res, 500, "internal error");
    }
  };
  if (std::string_view(method) == "GET") {
    server.Get(pattern, h);
  } else {
    server.Post(pattern, h);
  }
}

void HttpServer::Impl::Configure() {
  const size_t threads = static_cast<size_t>(options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_keep_alive_timeout(options.keep_alive_timeout_s);
  server.set_read_timeout(kReadTimeoutS);
  // Small writes (SSE messages, JSON answers) must not wait for delayed ACKs.
  server.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second daemon bind
  // the same port silently; SO_REUSEADDR alone allows a quick restart.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  server.set_pre_routing_handler([](const Request& req, Response&) {
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

  Route("GET", "/healthz", &Impl::Healthz);
  Route("GET", "/metrics", &Impl::Metrics);
  Route("GET", "/api/cameras", &Impl::Cameras);
  Route("GET", "/api/cameras/([^/]+)/mjpeg", &Impl::Mjpeg);
  Route("GET", "/api/events", &Impl::Events);
  Route("GET", "/api/alerts", &Impl::Alerts);
  Route("GET", "/api/alerts/([^/]+)", &Impl::Alert);
  Route("POST", "/api/alerts/([^/]+)/acknowledge", &Impl::Acknowledge);
  Route("POST", "/api/alerts/([^/]+)/resolve", &Impl::Resolve);
  Route("GET", "/api/alerts/([^/]+)/snapshot", &Impl::Snapshot);
  Route("GET", "/api/alerts/([^/]+)/clip", &Impl::Clip);
  Route("GET", "/api/zones/counts", &Impl::ZoneCounts);
  Route("POST", "/api/sensors", &Impl::Sensors);
  Route("GET", "/api/live", &Impl::Live);
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

void HttpServer::Impl::Healthz(const Request&, Response& res) {
  SendJson(res, 200, {{"status", "ok"}, {"time", FormatTime(clock.Now())}});
}

void HttpServer::Impl::Metrics(const Request&, Response& res) {
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
  res.status = 200;
  res.set_content(body, kMetricsContentType);
}

void HttpServer::Impl::Cameras(const Request&, Response& res) {
  json cams = json::array();
  for (const CameraStatus& c : backend.Cameras()) cams.push_back(ToJson(c));
  SendJson(res, 200, {{"cameras", cams}});
}

void HttpServer::Impl::Events(const Request& req, Response& res) {
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

void HttpServer::Impl::Alerts(const Request& req, Response& res) {
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
  json list = json::array();
  json next = nullptr;
  for (const events::Alert& a : *alerts) {
    if (static_cast<int64_t>(list.size()) == limit) {
      next = list.back()["id"];
      break;
    }
    list.push_back(ToJson(a));
  }
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

void HttpServer::Impl::Alert(const Request& req, Response& res) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  core::Result<events::Alert> a = backend.store().GetAlert(*id);
  if (!a.ok()) {
    SendStatus(res, a.status());
    return;
  }
  SendJson(res, 200, ToJson(*a));
}

void HttpServer::Impl::AlertAction(const Request& req, Response& res, bool resolve) {
  std::optional<int64_t> id = AlertId(req, res);
  if (!id) return;
  json body;
  if (!ReadJsonObject(req, res, &body)) return;
  auto who = body.find("who");
  if (who == body.end() || !who->is_string() || Trim(who->get_ref<const std::string&>()).empty()) {
    SendError(res, 400, "\"who\" must be a non-empty string");
    return;
  }
  if (who->get_ref<const std::string&>().size() > static_cast<size_t>(kMaxWhoLength)) {
    SendError(res, 400, "\"who\" must be at most " + std::to_string(kMaxWhoLength) + " bytes");
    return;
  }
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
  const std::string who_s = who->get<std::string>();
  core::Result<events::Alert> a = resolve ? backend.Resolve(*id, who_s, note, req.remote_addr)
                                          : backend.Acknowledge(*id, who_s, note, req.remote_addr);
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
  core::Result<std::string> path = backend.EvidencePath(*id, kind);
  if (!path.ok()) {
    if (path.status().code() == core::StatusCode::kNotFound) {
      SendError(
          res, 404,
          std::string("no ") + (clip ? "clip" : "snapshot") + " for alert " + std::to_string(*id));
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

void HttpServer::Impl::ZoneCounts(const Request&, Response& res) {
  SendJson(res, 200, backend.ZoneCounts());
}

void HttpServer::Impl::Sensors(const Request& req, Response& res) {
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

void HttpServer::Impl::Live(const Request& req, Response& res) {
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
  std::shared_ptr<LiveHub::Subscription> sub = live.Subscribe(std::move(types));
  struct State {
    bool started = false;
    SteadyClock::time_point last_write;
  };
  auto state = std::make_shared<State>();
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
          out = ": argus live\nretry: " + std::to_string(kSseRetryMs) + "\n\n";
          state->started = true;
        } else {
          std::vector<LiveMessage> msgs;
          uint64_t dropped = sub->Wait(kStreamPoll, &msgs);
          if (dropped > 0) {
            out += ": dropped " + std::to_string(dropped) + " messages (client too slow)\n\n";
          }
          for (const LiveMessage& m : msgs) AppendSse(&out, m);
          if (out.empty() && SteadyClock::now() - state->last_write >= heartbeat) {
            out = ": heartbeat\n\n";
          }
          // A client that hung up is otherwise only noticed by the next write.
          if (out.empty() && !sink.is_writable()) return false;
        }
        if (out.empty()) return true;
        state->last_write = SteadyClock::now();
        return sink.write(out.data(), out.size());
      });
}

void HttpServer::Impl::Mjpeg(const Request& req, Response& res) {
  const std::string camera = req.matches[1].str();
  bool known = frames.Has(camera);
  if (!known) {
    for (const CameraStatus& c : backend.Cameras()) known = known || c.name == camera;
  }
  if (!known) {
    SendError(res, 404, "no camera '" + camera + "'");
    return;
  }
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
  res.set_header("Cache-Control", "no-cache, no-store");
  res.set_content_provider(
      std::string("multipart/x-mixed-replace; boundary=") + kMjpegBoundary,
      [this, slot, state, camera, interval, repeat](size_t, httplib::DataSink& sink) {
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
        if (auto f = frames.WaitNewer(camera, state->seq, kStreamPoll)) {
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

HttpServer::HttpServer(ServerOptions options, Backend& backend, LiveHub& live, FrameHub& frames,
                       const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), backend, live, frames, clock)) {}

HttpServer::~HttpServer() { Stop(); }

core::Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started) return core::InvalidArgument("http server: Start() called twice");
  ARGUS_RETURN_IF_ERROR(s.Validate());
  s.started = true;
  s.Configure();
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
  spdlog::info("http: listening on {}:{}", s.options.host, s.bound_port);
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
