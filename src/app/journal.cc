#include "app/journal.h"

#include <fmt/format.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdlib>

namespace argus::app {

namespace {

// syslog(3) priorities: crit, err, warning, info.
int Priority(events::Severity s) {
  switch (s) {
    case events::Severity::kCritical:
      return 2;
    case events::Severity::kAlert:
      return 3;
    case events::Severity::kWarning:
      return 4;
    default:
      return 6;
  }
}

}  // namespace

std::vector<std::string> AlertJournalFields(const std::string& change, const events::Alert& a) {
  const char* severity = events::ToString(a.severity);
  std::string message = fmt::format("alert {} {}: {} {} on camera {} (rule {}", a.id, change,
                                    severity, a.type, a.camera, a.rule);
  if (!a.zone.empty()) message += ", zone " + a.zone;
  message += ")";
  return {"MESSAGE=" + message,
          fmt::format("PRIORITY={}", Priority(a.severity)),
          "SYSLOG_IDENTIFIER=argus",
          fmt::format("ARGUS_ALERT_ID={}", a.id),
          "ARGUS_ALERT_CHANGE=" + change,
          "ARGUS_CAMERA=" + a.camera,
          "ARGUS_RULE=" + a.rule,
          "ARGUS_ZONE=" + a.zone,
          "ARGUS_TYPE=" + a.type,
          std::string("ARGUS_SEVERITY=") + severity,
          std::string("ARGUS_STATE=") + events::ToString(a.state)};
}

AlertJournal::AlertJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  enabled_ = stream != nullptr && *stream != '\0';
}

void AlertJournal::Log(const std::string& change, const events::Alert& a) const {
  if (!enabled_) return;
  const std::vector<std::string> fields = AlertJournalFields(change, a);
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (const std::string& f : fields) {
    iov.push_back({const_cast<char*>(f.data()), f.size()});
  }
  (void)sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));  // best effort
}

}  // namespace argus::app
