#include "rules/schedule.h"

#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>

namespace argus::rules {

namespace {

std::mutex& TzMutex() {
  static std::mutex m;
  return m;
}

}  // namespace

LocalTime ToLocalTime(core::WallTime t, const std::string& timezone) {
  const std::time_t tt = static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
  std::tm tm{};
  {
    std::lock_guard<std::mutex> lock(TzMutex());
    const char* old = std::getenv("TZ");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    setenv("TZ", timezone.c_str(), 1);
    tzset();
    localtime_r(&tt, &tm);
    if (saved) {
      setenv("TZ", saved->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  LocalTime lt;
  lt.weekday = (tm.tm_wday + 6) % 7;  // tm: 0 = Sunday
  lt.minute = tm.tm_hour * 60 + tm.tm_min;
  return lt;
}

bool IsOpenAt(const std::vector<config::OpenHours>& hours, LocalTime local) {
  const int yesterday = (local.weekday + 6) % 7;
  for (const config::OpenHours& h : hours) {
    const bool overnight = h.close_minute <= h.open_minute;
    if (h.days[local.weekday] && local.minute >= h.open_minute &&
        (overnight || local.minute < h.close_minute)) {
      return true;
    }
    // The tail after midnight of a span that opened yesterday.
    if (overnight && h.days[yesterday] && local.minute < h.close_minute) return true;
  }
  return false;
}

Schedule::Schedule(const config::SiteConfig& site, std::string when)
    : timezone_(site.timezone), hours_(site.open_hours), when_(std::move(when)) {}

bool Schedule::Active(core::WallTime t) {
  if (when_ == "always") return true;
  const int64_t minute = std::chrono::floor<std::chrono::minutes>(t.time_since_epoch()).count();
  if (minute != cached_minute_) {
    cached_open_ = IsOpenAt(hours_, ToLocalTime(t, timezone_));
    cached_minute_ = minute;
  }
  return when_ == "open" ? cached_open_ : !cached_open_;
}

}  // namespace argus::rules
