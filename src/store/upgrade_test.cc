// Upgrade safety: a store written by each earlier release (the frozen dumps of
// testing/fixtures, see make_fixtures.py there) opens with today's code, is
// migrated to the current schema, keeps its rows and takes new ones.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::store {
namespace {

using testing::TempDir;

std::filesystem::path Fixture(int level) {
  return std::filesystem::path(ARGUS_SOURCE_DIR) / "src/store/testing/fixtures" /
         ("sqlite_v" + std::to_string(level) + ".sql");
}

// The dump loaded into a database file, as that release left it on disk.
bool LoadDump(const std::filesystem::path& dump, const std::string& db_path) {
  std::ifstream in(dump);
  std::stringstream sql;
  sql << in.rdbuf();
  sqlite3* db = nullptr;
  bool ok = in && sqlite3_open(db_path.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

TEST(Upgrade, EveryEarlierSchemaVersionHasAFixture) {
  // A release that adds migration N+1 adds sqlite_vN.sql (make_fixtures.py).
  for (int level = 1; level < static_cast<int>(Migrations().size()); ++level) {
    EXPECT_TRUE(std::filesystem::exists(Fixture(level))) << Fixture(level);
  }
}

void CheckUpgradeFrom(int level, const TempDir& dir) {
  const std::string path = dir.File("argus_v" + std::to_string(level) + ".db");
  ASSERT_TRUE(LoadDump(Fixture(level), path));

  auto opened = SqliteStore::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& s = **opened;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto v = SchemaVersion(db);
    sqlite3_close(db);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, static_cast<int>(Migrations().size()));
  }

  // Level 1's rows.
  auto acked = s.GetAlert(1);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->camera, "hall");
  EXPECT_EQ(acked->state, events::AlertState::kAcknowledged);
  EXPECT_EQ(acked->incident_ids, std::vector<std::string>{"hall/window/1"});
  AlertQuery open_q;
  open_q.state = events::AlertState::kOpen;
  auto open = s.ListAlerts(open_q);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().camera, "vault");
  auto max_id = s.MaxAlertId();
  ASSERT_TRUE(max_id.ok());
  EXPECT_EQ(*max_id, 2);
  auto page = s.QueryEvents({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].event.id, "hall/window/1");
  EXPECT_EQ(page->events[0].event.details.value("dwell_s", -1.0), 0.0);
  auto cams = s.ListCameras();
  ASSERT_TRUE(cams.ok());
  ASSERT_EQ(cams->size(), 1u);
  EXPECT_EQ(cams->front().name, "hall");
  auto audit = s.ListAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().what, "acknowledge alert 1");

  // Level 2's rows.
  if (level >= 2) {
    auto ada = s.GetUser("ada");
    ASSERT_TRUE(ada.ok()) << ada.status().ToString();
    EXPECT_EQ(ada->role, "admin");
    auto token = s.FindApiToken("fixture-token-hash");
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->name, "bms");
  }

  // And it goes on working: new events, alerts, users and audit entries.
  ASSERT_TRUE(s.InsertEvent(testing::MakeEvent("hall/window/2", "hall", "intrusion",
                                               events::Severity::kAlert),
                            testing::kT0)
                  .ok());
  events::Alert next = *acked;
  next.id = 3;
  next.state = events::AlertState::kOpen;
  ASSERT_TRUE(s.UpsertAlert(next).ok());
  ASSERT_TRUE(s.UpsertUser({"new", "viewer", "hash", testing::kT0, false}).ok());
  ASSERT_TRUE(s.AppendAudit({0, "ada", "login", testing::kT0, "10.0.0.9"}).ok());
  page = s.QueryEvents({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 2u);
}

TEST(Upgrade, FromEachFixtureOpensMigratesKeepsRowsAndTakesNewOnes) {
  TempDir dir;
  int checked = 0;
  for (int level = 1; level <= static_cast<int>(Migrations().size()); ++level) {
    if (!std::filesystem::exists(Fixture(level))) continue;
    SCOPED_TRACE("from schema version " + std::to_string(level));
    CheckUpgradeFrom(level, dir);
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace argus::store
