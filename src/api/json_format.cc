#include "api/json_format.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace argus::api {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;

// Largest unix time accepted: what a WallTime holds (nanoseconds since 1970 on
// Linux: the year 2262), so conversions cannot overflow.
constexpr double kMaxUnixSeconds =
    std::chrono::duration<double>(core::WallTime::duration::max()).count() - 1;

// Reads exactly `n` digits at s[*pos].
bool Digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

std::optional<core::WallTime> ParseIso(std::string_view s) {
  size_t p = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, &p, 4, &y) || !Expect(s, &p, '-') || !Digits(s, &p, 2, &mo) ||
      !Expect(s, &p, '-') || !Digits(s, &p, 2, &d)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (y < 1970 || !ymd.ok()) return std::nullopt;
  int64_t ms = 0;
  int offset_min = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    ++p;
    if (!Digits(s, &p, 2, &h) || !Expect(s, &p, ':') || !Digits(s, &p, 2, &mi)) {
      return std::nullopt;
    }
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!Digits(s, &p, 2, &sec)) return std::nullopt;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        size_t start = p;
        int64_t scale = 100;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          ms += (s[p] - '0') * scale;  // digits past milliseconds add 0
          scale /= 10;
          ++p;
        }
        if (p == start) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: leap second
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        int sign = s[p] == '-' ? -1 : 1;
        ++p;
        int oh, om = 0;
        if (!Digits(s, &p, 2, &oh)) return std::nullopt;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size() && !Digits(s, &p, 2, &om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_min = sign * (oh * 60 + om);
      }
    }
  }
  if (p != s.size()) return std::nullopt;
  auto t = sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi - offset_min) +
           std::chrono::seconds(sec) + milliseconds(ms);
  if (t.time_since_epoch().count() < 0 ||
      std::chrono::duration<double>(t.time_since_epoch()).count() > kMaxUnixSeconds) {
    return std::nullopt;
  }
  return std::chrono::time_point_cast<core::WallTime::duration>(t);
}

nlohmann::json ActionJson(const std::optional<events::AlertAction>& a) {
  if (!a) return nullptr;
  return {{"who", a->who}, {"when", FormatTime(a->when)}, {"note", a->note}};
}

}  // namespace

std::string FormatTime(core::WallTime t) {
  auto ms = std::chrono::floor<milliseconds>(t);
  auto day = std::chrono::floor<days>(ms);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss<milliseconds> hms{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<core::WallTime> ParseTime(std::string_view s) {
  if (s.find('-') != std::string_view::npos) return ParseIso(s);
  // Unix seconds: digits with an optional fraction.
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v) || v > kMaxUnixSeconds) {
    return std::nullopt;
  }
  auto ms = static_cast<int64_t>(std::llround(v * 1000));
  return core::WallTime(std::chrono::duration_cast<core::WallTime::duration>(milliseconds(ms)));
}

nlohmann::json ToJson(const events::Alert& a) {
  return {
      {"id", a.id},
      {"camera", a.camera},
      {"rule", a.rule},
      {"zone", a.zone},
      {"type", a.type},
      {"severity", events::ToString(a.severity)},
      {"state", events::ToString(a.state)},
      {"opened_at", FormatTime(a.opened_at)},
      {"last_event_at", FormatTime(a.last_event_at)},
      {"incident_ids", a.incident_ids},
      {"active_incidents", a.active_incidents},
      {"event_count", a.event_count},
      {"escalation_level", a.escalation_level},
      {"ack", ActionJson(a.ack)},
      {"resolution", ActionJson(a.resolution)},
  };
}

nlohmann::json ToJson(const store::StoredEvent& e) {
  nlohmann::json j = events::ToJson(e.event);
  j["seq"] = e.seq;
  j["received_at"] = FormatTime(e.received_at);
  return j;
}

nlohmann::json ToJson(const CameraStatus& c) {
  nlohmann::json j = {
      {"name", c.name},
      {"status", c.status},
      {"fps", c.fps},
      {"analysed_fps", c.analysed_fps},
      {"frames", c.frames},
      {"analysed", c.analysed},
      {"dropped", c.dropped},
      {"damaged_frames", c.damaged},
      {"detector_ms", c.detector_ms},
      {"queue_depth", c.queue_depth},
      {"reconnects", c.reconnects},
      {"last_frame_at",
       c.last_frame_at ? nlohmann::json(FormatTime(*c.last_frame_at)) : nlohmann::json(nullptr)},
      {"error", c.error},
  };
  if (!c.node.empty()) j["node"] = c.node;
  return j;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace argus::api
