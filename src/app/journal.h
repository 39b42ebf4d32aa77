// Alerts as structured entries in the systemd journal, so that an operator can
// ask `journalctl -u argus ARGUS_CAMERA=hall` or `ARGUS_ALERT_ID=12`. Active
// only when systemd connected the daemon's output to the journal (JOURNAL_STREAM
// set); otherwise the ordinary log lines are all there is.
// Thread safety: Log from any thread (sd_journal_sendv is thread-safe).
#pragma once

#include <string>
#include <vector>

#include "events/alert.h"

namespace argus::app {

// The journal fields of one alert change ("KEY=value"): MESSAGE, PRIORITY (from
// the severity), SYSLOG_IDENTIFIER and ARGUS_ALERT_ID, ARGUS_ALERT_CHANGE,
// ARGUS_CAMERA, ARGUS_RULE, ARGUS_ZONE, ARGUS_TYPE, ARGUS_SEVERITY, ARGUS_STATE.
std::vector<std::string> AlertJournalFields(const std::string& change, const events::Alert& a);

class AlertJournal {
 public:
  AlertJournal();
  bool enabled() const { return enabled_; }
  void Log(const std::string& change, const events::Alert& a) const;

 private:
  bool enabled_ = false;
};

}  // namespace argus::app
