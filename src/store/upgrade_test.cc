// Upgrade safety: a store written by each earlier release (the frozen fixtures of
// testing/fixtures, see make_fixtures.py there) opens with today's code, is
// migrated to the current schema, keeps its rows and takes new ones. SQLite from
// a dump per level; PostgreSQL from a script per level loaded into a fresh
// database of a real server started by the test (testing::PgServer).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/pg_store.h"
#include "store/site_store.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"
#include "store/testing/pg_server.h"

namespace argus::store {
namespace {

using testing::TempDir;

// `backend` is "sqlite" or "pg".
std::filesystem::path Fixture(const std::string& backend, int level) {
  return std::filesystem::path(ARGUS_SOURCE_DIR) / "src/store/testing/fixtures" /
         (backend + "_v" + std::to_string(level) + ".sql");
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The dump loaded into a database file, as that release left it on disk.
bool LoadDump(const std::filesystem::path& dump, const std::string& db_path) {
  const std::string sql = ReadFile(dump);
  sqlite3* db = nullptr;
  bool ok = !sql.empty() && sqlite3_open(db_path.c_str(), &db) == SQLITE_OK &&
            sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

TEST(Upgrade, EveryEarlierSchemaVersionHasAFixture) {
  // A release that adds migration N+1 adds sqlite_vN.sql and pg_vN.sql (make_fixtures.py).
  for (int level = 1; level < static_cast<int>(Migrations().size()); ++level) {
    EXPECT_TRUE(std::filesystem::exists(Fixture("sqlite", level))) << Fixture("sqlite", level);
  }
  for (int level = 1; level < static_cast<int>(PgMigrations().size()); ++level) {
    EXPECT_TRUE(std::filesystem::exists(Fixture("pg", level))) << Fixture("pg", level);
  }
}

// The level's fixture rows are all there through today's Store, and it takes new ones.
void CheckRowsKeptAndNewOnesTaken(int level, Store& s) {
  // Level 1's rows.
  auto acked = s.GetAlert(1);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->camera, "hall");
  EXPECT_EQ(acked->state, events::AlertState::kAcknowledged);
  EXPECT_EQ(acked->incident_ids, std::vector<std::string>{"hall/window/1"});
  ASSERT_TRUE(acked->ack.has_value());
  EXPECT_EQ(acked->ack->who, "olga");
  EXPECT_EQ(acked->ack->note, "guard sent");
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
  auto readings = s.QuerySensorReadings("", core::WallTime{}, testing::kT0, 10);
  ASSERT_TRUE(readings.ok());
  ASSERT_EQ(readings->size(), 1u);
  EXPECT_EQ(readings->front().sensor, "zone:hall/window-2f");

  // Level 2's rows.
  if (level >= 2) {
    auto ada = s.GetUser("ada");
    ASSERT_TRUE(ada.ok()) << ada.status().ToString();
    EXPECT_EQ(ada->role, "admin");
    auto token = s.FindApiToken("fixture-token-hash");
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->name, "bms");
    EXPECT_FALSE(token->revoked);
  }
  // Level 3's rows.
  if (level >= 3) {
    auto model = s.LoadLearnedModel("hall");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_EQ(*model, "c 0 0 1.5 0 0 2\n");
  }

  // Level 4's rows.
  if (level >= 4) {
    auto kept = s.ListLoginFailures(testing::kT0 - std::chrono::hours(24 * 365 * 10));
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    ASSERT_EQ(kept->size(), 1u);
    EXPECT_EQ(kept->front().key, "user:ada@10.0.0.9");
    EXPECT_EQ(kept->front().failures.size(), 2u);
  }
  // Level 5's rows (PostgreSQL): the node registry and a lease, whose holder the lease
  // history of migration 6 took over.
  if (level >= 5) {
    auto nodes = s.ListNodes();
    ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
    ASSERT_EQ(nodes->size(), 1u);
    EXPECT_EQ(nodes->front().address, "http://10.0.0.7:8080");
    if (SiteStore* site = SiteStoreOf(s)) {
      auto holder = site->LeaseHolderAt("vault", 3);
      ASSERT_TRUE(holder.ok()) << holder.status().ToString();
      EXPECT_EQ(*holder, "n1");
    }
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
  // The store's id counter hands out ids above the fixture's alerts (1, 2) and the one
  // added above (3); sessions and leases (migration 5) work on an upgraded store.
  auto id = s.NextAlertId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 4);
  ASSERT_TRUE(
      s.InsertSession({"h", "ada", "admin", "c", testing::kT0, testing::kT0, testing::kT0}).ok());
  EXPECT_TRUE(s.GetSession("h").ok());
  auto lease =
      s.AcquireLease("hall", "node-a", 0, testing::kT0, testing::kT0 + std::chrono::seconds(5));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_EQ(lease->epoch, 1);
}

void CheckSqliteUpgradeFrom(int level, const TempDir& dir) {
  const std::string path = dir.File("argus_v" + std::to_string(level) + ".db");
  ASSERT_TRUE(LoadDump(Fixture("sqlite", level), path));

  auto opened = SqliteStore::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto v = SchemaVersion(db);
    sqlite3_close(db);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, static_cast<int>(Migrations().size()));
  }
  CheckRowsKeptAndNewOnesTaken(level, **opened);
}

TEST(Upgrade, FromEachFixtureOpensMigratesKeepsRowsAndTakesNewOnes) {
  TempDir dir;
  int checked = 0;
  for (int level = 1; level <= static_cast<int>(Migrations().size()); ++level) {
    if (!std::filesystem::exists(Fixture("sqlite", level))) continue;
    SCOPED_TRACE("from schema version " + std::to_string(level));
    CheckSqliteUpgradeFrom(level, dir);
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

void CheckPgUpgradeFrom(int level, testing::PgServer& server) {
  const std::string db = "argus_upgrade_v" + std::to_string(level);
  const core::Status created = server.CreateDatabase(db);
  ASSERT_TRUE(created.ok()) << created.ToString();
  const std::string script = ReadFile(Fixture("pg", level));
  ASSERT_FALSE(script.empty()) << Fixture("pg", level);
  const core::Status loaded = server.Exec(db, script);
  ASSERT_TRUE(loaded.ok()) << Fixture("pg", level) << ": " << loaded.ToString();
  // The fixture is at its level before today's code touches it.
  auto before = server.Query(db, "SELECT max(version) FROM schema_migrations");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(*before, std::to_string(level));

  auto opened = PgStore::Open(server.ConnInfo(db));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  {
    PGconn* conn = PQconnectdb(server.ConnInfo(db).c_str());
    auto v = PgSchemaVersion(conn);
    PQfinish(conn);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, static_cast<int>(PgMigrations().size()));
  }
  CheckRowsKeptAndNewOnesTaken(level, **opened);
  // The config each node runs and the site's (migration 7) work on an upgraded store.
  Store& s = **opened;
  ASSERT_TRUE(
      s.UpsertNode({"node-a", "", "0.1.0", testing::kT0, testing::kT0, 1, "abc", "v1"}).ok());
  auto nodes = s.ListNodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  // Fixtures from level 5 on have a node of their own.
  auto a = std::find_if(nodes->begin(), nodes->end(),
                        [](const NodeRecord& n) { return n.id == "node-a"; });
  ASSERT_NE(a, nodes->end());
  EXPECT_EQ(a->config_hash, "abc");
  auto put = s.PutSiteConfig({"abc", "v1", "node-a", testing::kT0}, "");
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(*put);
}

TEST(Upgrade, PgFromEachFixtureOpensMigratesKeepsRowsAndTakesNewOnes) {
  auto server = testing::SharedPgServer();
  if (!server.ok() && server.status().code() == core::StatusCode::kNotFound) {
    GTEST_SKIP() << "PostgreSQL upgrade not tested: " << server.status().ToString();
  }
  ASSERT_TRUE(server.ok()) << "PostgreSQL test server: " << server.status().ToString();
  int checked = 0;
  for (int level = 1; level <= static_cast<int>(PgMigrations().size()); ++level) {
    if (!std::filesystem::exists(Fixture("pg", level))) continue;
    SCOPED_TRACE("from PostgreSQL schema version " + std::to_string(level));
    CheckPgUpgradeFrom(level, **server);
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace argus::store
