// When a rule is active: `when: always | open | closed` against the site's
// opening hours, read in the site's IANA time zone (DST included).
// libstdc++ 12 has no std::chrono time zones, so local time comes from glibc's
// localtime_r under a temporarily set TZ (guarded by a process-wide mutex and
// restored after). Other threads calling getenv("TZ")/localtime concurrently
// could observe the temporary value; Schedule caches per minute so this happens
// about once a minute per camera.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"

namespace argus::rules {

struct LocalTime {
  int weekday = 0;  // 0 = Monday .. 6 = Sunday (as config::OpenHours::days)
  int minute = 0;   // minutes after local midnight
};

// Converts `t` to local time in `timezone` (e.g. "Europe/Paris").
LocalTime ToLocalTime(core::WallTime t, const std::string& timezone);

// True when a span of `hours` covers the local time. A span whose close is not
// after its open passes midnight and ends on the next day.
bool IsOpenAt(const std::vector<config::OpenHours>& hours, LocalTime local);

// Thread safety: one thread per instance.
class Schedule {
 public:
  // `when` is "always", "open" or "closed" (validated by the config module).
  Schedule(const config::SiteConfig& site, std::string when);
  bool Active(core::WallTime t);
  bool always() const { return when_ == "always"; }

 private:
  std::string timezone_;
  std::vector<config::OpenHours> hours_;
  std::string when_;
  int64_t cached_minute_ = INT64_MIN;
  bool cached_open_ = false;
};

}  // namespace argus::rules
