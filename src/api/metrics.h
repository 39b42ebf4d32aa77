// Prometheus text exposition (format 0.0.4) of the daemon's state for /metrics.
// Pure functions; callable from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"

namespace argus::api {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// What the HTTP server itself counts.
struct ServerCounters {
  std::map<int, uint64_t> requests_by_code;  // HTTP status -> responses sent
  int64_t live_clients = 0;                  // open /api/live streams
  int64_t mjpeg_clients = 0;                 // open MJPEG streams
  uint64_t live_dropped = 0;                 // SSE messages dropped for slow clients
};

// A label value with \, " and newline escaped, as the format requires.
std::string EscapeLabelValue(std::string_view v);
// A sample value: shortest round-trip decimal, or NaN / +Inf / -Inf.
std::string FormatSampleValue(double v);
// Camera metrics, then the server's own; each family with HELP and TYPE lines.
std::string RenderMetrics(const std::vector<CameraStatus>& cameras, const ServerCounters& server);

}  // namespace argus::api
