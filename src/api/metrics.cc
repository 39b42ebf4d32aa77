#include "api/metrics.h"

#include <charconv>
#include <cmath>
#include <functional>

namespace argus::api {

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, ptr);
}

namespace {

void Family(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void Sample(std::string* out, const char* name, const char* label, std::string_view label_value,
            double v) {
  *out += name;
  if (label) {
    *out += '{';
    *out += label;
    *out += "=\"";
    *out += EscapeLabelValue(label_value);
    *out += "\"}";
  }
  *out += ' ';
  *out += FormatSampleValue(v);
  *out += '\n';
}

constexpr double kMillisecondsPerSecond = 1000;  // Prometheus wants base units

struct CameraMetric {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const CameraStatus&)> value;
};

}  // namespace

std::string RenderMetrics(const std::vector<CameraStatus>& cameras, const ServerCounters& server) {
  static const CameraMetric kCameraMetrics[] = {
      {"argus_camera_up", "gauge", "1 when the camera is online, else 0.",
       [](const CameraStatus& c) { return c.status == "online" ? 1.0 : 0.0; }},
      {"argus_camera_fps", "gauge", "Decoded frames per second, recent.",
       [](const CameraStatus& c) { return c.fps; }},
      {"argus_camera_analysed_fps", "gauge", "Analysed frames per second, recent.",
       [](const CameraStatus& c) { return c.analysed_fps; }},
      {"argus_camera_frames_total", "counter", "Frames decoded.",
       [](const CameraStatus& c) { return double(c.frames); }},
      {"argus_camera_analysed_frames_total", "counter", "Frames analysed.",
       [](const CameraStatus& c) { return double(c.analysed); }},
      {"argus_camera_dropped_frames_total", "counter", "Frames dropped by back-pressure.",
       [](const CameraStatus& c) { return double(c.dropped); }},
      {"argus_camera_damaged_frames_total", "counter",
       "Frames the decoder had to conceal errors in (lost data, a broken stream).",
       [](const CameraStatus& c) { return double(c.damaged); }},
      {"argus_camera_detector_latency_seconds", "gauge", "Mean detector latency, recent.",
       [](const CameraStatus& c) { return c.detector_ms / kMillisecondsPerSecond; }},
      {"argus_camera_queued_frames", "gauge", "Frames waiting for analysis.",
       [](const CameraStatus& c) { return double(c.queue_depth); }},
      {"argus_camera_reconnects_total", "counter", "Reconnections of the camera stream.",
       [](const CameraStatus& c) { return double(c.reconnects); }},
  };
  std::string out;
  for (const CameraMetric& m : kCameraMetrics) {
    Family(&out, m.name, m.type, m.help);
    for (const CameraStatus& c : cameras) Sample(&out, m.name, "camera", c.name, m.value(c));
  }
  Family(&out, "argus_http_requests_total", "counter", "HTTP responses sent, by status code.");
  for (const auto& [code, n] : server.requests_by_code) {
    Sample(&out, "argus_http_requests_total", "code", std::to_string(code), double(n));
  }
  Family(&out, "argus_http_live_clients", "gauge", "Open /api/live event streams.");
  Sample(&out, "argus_http_live_clients", nullptr, "", double(server.live_clients));
  Family(&out, "argus_http_mjpeg_clients", "gauge", "Open MJPEG streams.");
  Sample(&out, "argus_http_mjpeg_clients", nullptr, "", double(server.mjpeg_clients));
  Family(&out, "argus_http_live_dropped_messages_total", "counter",
         "Live messages dropped because a client read too slowly.");
  Sample(&out, "argus_http_live_dropped_messages_total", nullptr, "", double(server.live_dropped));
  return out;
}

}  // namespace argus::api
