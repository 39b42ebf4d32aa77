#include "app/journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace argus::app {
namespace {

TEST(AlertJournal, FieldsNameTheAlertForJournalctlQueries) {
  events::Alert a;
  a.id = 12;
  a.camera = "facade-east";
  a.rule = "window";
  a.zone = "window-2f";
  a.type = "intrusion";
  a.severity = events::Severity::kCritical;
  EXPECT_EQ(
      AlertJournalFields("opened", a),
      (std::vector<std::string>{
          "MESSAGE=alert 12 opened: critical intrusion on camera facade-east (rule window, "
          "zone window-2f)",
          "PRIORITY=2", "SYSLOG_IDENTIFIER=argus", "ARGUS_ALERT_ID=12", "ARGUS_ALERT_CHANGE=opened",
          "ARGUS_CAMERA=facade-east", "ARGUS_RULE=window", "ARGUS_ZONE=window-2f",
          "ARGUS_TYPE=intrusion", "ARGUS_SEVERITY=critical", "ARGUS_STATE=open"}));
  a.severity = events::Severity::kInfo;
  a.zone.clear();
  a.state = events::AlertState::kResolved;
  const auto f = AlertJournalFields("resolved", a);
  EXPECT_EQ(f[0], "MESSAGE=alert 12 resolved: info intrusion on camera facade-east (rule window)");
  EXPECT_EQ(f[1], "PRIORITY=6");
  EXPECT_EQ(f.back(), "ARGUS_STATE=resolved");
}

TEST(AlertJournal, OnlyWhenSystemdConnectedTheOutputToTheJournal) {
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(AlertJournal().enabled());
  setenv("JOURNAL_STREAM", "8:12345", 1);
  EXPECT_TRUE(AlertJournal().enabled());
  unsetenv("JOURNAL_STREAM");
}

}  // namespace
}  // namespace argus::app
