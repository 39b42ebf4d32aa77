#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <thread>

#include "store/test_util.h"

namespace argus::store {
namespace {

using events::Alert;
using events::AlertAction;
using events::AlertState;
using events::Severity;
using std::chrono::hours;
using std::chrono::seconds;
using testing::kT0;
using testing::MakeEvent;
using testing::RawExec;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  Alert MakeAlert(int64_t id, Severity sev = Severity::kAlert) {
    Alert a;
    a.id = id;
    a.camera = "cam1";
    a.rule = "no_touch";
    a.zone = "vitrine";
    a.type = "intrusion";
    a.severity = sev;
    a.opened_at = kT0;
    a.last_event_at = kT0 + seconds(3);
    a.incident_ids = {"cam1/no_touch/1", "cam1/no_touch/2"};
    a.active_incidents = 1;
    a.event_count = 5;
    a.escalation_level = 1;
    return a;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("sub/dir/argus.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, OpenCreatesDirectoriesWalAndCurrentSchema) {
  ASSERT_TRUE(std::filesystem::exists(path_));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  auto v = SchemaVersion(db);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, static_cast<int>(Migrations().size()));
  EXPECT_GE(*v, 1);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(*store_->IntegrityCheck(), "ok");
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndDoesNotRemigrate) {
  ASSERT_TRUE(
      store_->InsertEvent(MakeEvent("e1", "cam1", "intrusion", Severity::kAlert), kT0).ok());
  store_.reset();
  auto again = SqliteStore::Open(path_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto page = (*again)->QueryEvents({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 1u);
}

TEST_F(SqliteStoreTest, NewerSchemaIsAClearErrorAndLeavesTheFileAlone) {
  store_.reset();
  ASSERT_EQ(RawExec(path_, "UPDATE schema_version SET version = 99", nullptr), SQLITE_OK);
  auto s = SqliteStore::Open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("schema version 99 is newer"), std::string::npos)
      << s.status().message();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(*SchemaVersion(db), 99);
  sqlite3_close(db);
}

TEST(Migrate, AppliesPendingMigrationsInOrderEachAtomically) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  const std::string m1 = "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);";
  const std::string m2 = "ALTER TABLE a ADD COLUMN y TEXT;";
  ASSERT_TRUE(Migrate(db, {m1}).ok());
  EXPECT_EQ(*SchemaVersion(db), 1);
  // A failing migration is rolled back entirely, its version not recorded.
  const std::string bad = "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);";
  const core::Status s = Migrate(db, {m1, bad});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration 2 failed"), std::string::npos) << s.message();
  EXPECT_EQ(*SchemaVersion(db), 1);
  EXPECT_NE(sqlite3_exec(db, "SELECT * FROM b", nullptr, nullptr, nullptr), SQLITE_OK)
      << "table b of the failed migration must not exist";
  // Only the pending migration runs (m1 again would fail: table a exists).
  ASSERT_TRUE(Migrate(db, {m1, m2}).ok());
  EXPECT_EQ(*SchemaVersion(db), 2);
  EXPECT_EQ(sqlite3_exec(db, "SELECT y FROM a", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(Migrate(db, {m1}).code(), core::StatusCode::kInvalidArgument);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, EventRoundTripsEveryContractField) {
  events::Event e = MakeEvent("cam1/r/7", "cam1", "loitering", Severity::kCritical);
  e.phase = events::Phase::kUpdate;
  e.details["nested"] = {{"a", 1}};
  ASSERT_TRUE(store_->InsertEvent(e, kT0 + seconds(5)).ok());
  auto page = store_->QueryEvents({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  const StoredEvent& got = page->events[0];
  EXPECT_GT(got.seq, 0);
  EXPECT_EQ(got.received_at, kT0 + seconds(5));
  EXPECT_EQ(events::ToJson(got.event), events::ToJson(e));
}

TEST_F(SqliteStoreTest, EventQueriesFilterByTimeCameraTypeAndSeverity) {
  // 4 cameras x 3 types x 4 severities, one per second.
  int n = 0;
  std::vector<events::Event> batch;
  for (const char* cam : {"c1", "c2", "c3", "c4"}) {
    for (const char* type : {"intrusion", "loitering", "crowd"}) {
      for (Severity sev :
           {Severity::kInfo, Severity::kWarning, Severity::kAlert, Severity::kCritical}) {
        ASSERT_TRUE(
            store_
                ->InsertEvent(MakeEvent("e" + std::to_string(n), cam, type, sev), kT0 + seconds(n))
                .ok());
        ++n;
      }
    }
  }
  auto count = [&](EventQuery q) {
    q.limit = kMaxPageSize;
    auto page = store_->QueryEvents(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? static_cast<int>(page->events.size()) : -1;
  };
  EXPECT_EQ(count({}), 48);
  EventQuery q;
  q.camera = "c2";
  EXPECT_EQ(count(q), 12);
  q.type = "crowd";
  EXPECT_EQ(count(q), 4);
  q.min_severity = Severity::kAlert;
  EXPECT_EQ(count(q), 2);
  EventQuery t;
  t.from = kT0 + seconds(10);
  t.to = kT0 + seconds(20);  // [10, 20)
  EXPECT_EQ(count(t), 10);
  t.camera = "c1";  // c1 is seconds 0..11
  EXPECT_EQ(count(t), 2);
  EventQuery none;
  none.camera = "nope";
  EXPECT_EQ(count(none), 0);
}

TEST_F(SqliteStoreTest, EventPagingVisitsEveryEventOnceNewestFirst) {
  std::vector<events::Event> batch;
  for (int i = 0; i < 25; ++i) {
    batch.push_back(MakeEvent("e" + std::to_string(i), "c1", "intrusion", Severity::kAlert));
  }
  ASSERT_TRUE(store_->InsertEvents(batch, kT0).ok());
  EventQuery q;
  q.limit = 10;
  std::vector<std::string> seen;
  std::vector<size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->QueryEvents(q);
    ASSERT_TRUE(page.ok());
    sizes.push_back(page->events.size());
    for (const auto& e : page->events) seen.push_back(e.event.id);
    if (page->next_before_seq == 0) break;
    q.before_seq = page->next_before_seq;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "e" + std::to_string(24 - i));
}

TEST_F(SqliteStoreTest, AlertUpsertGetAndList) {
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1)).ok());
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(2, Severity::kWarning)).ok());
  Alert changed = MakeAlert(1, Severity::kCritical);
  changed.event_count = 9;
  changed.incident_ids.push_back("cam1/no_touch/3");
  ASSERT_TRUE(store_->UpsertAlert(changed).ok());

  auto got = store_->GetAlert(1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->severity, Severity::kCritical);
  EXPECT_EQ(got->event_count, 9);
  EXPECT_EQ(got->incident_ids, changed.incident_ids);
  EXPECT_EQ(got->opened_at, kT0);
  EXPECT_EQ(got->last_event_at, kT0 + seconds(3));
  EXPECT_EQ(got->active_incidents, 1);
  EXPECT_EQ(got->escalation_level, 1);
  EXPECT_EQ(got->state, AlertState::kOpen);
  EXPECT_FALSE(got->ack.has_value());
  EXPECT_EQ(store_->GetAlert(3).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(*store_->MaxAlertId(), 2);

  auto all = store_->ListAlerts({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, 2);  // newest first
  EXPECT_EQ(store_->UpsertAlert(MakeAlert(0)).code(), core::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, AcknowledgeThenResolveWithAuditTrail) {
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1)).ok());
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(2)).ok());
  ASSERT_TRUE(store_->Acknowledge(1, {"ana", kT0 + seconds(10), "on my way"}, "10.0.0.7").ok());

  auto a = store_->GetAlert(1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, AlertState::kAcknowledged);
  ASSERT_TRUE(a->ack.has_value());
  EXPECT_EQ(a->ack->who, "ana");
  EXPECT_EQ(a->ack->when, kT0 + seconds(10));
  EXPECT_EQ(a->ack->note, "on my way");

  // A late upsert from the event path does not undo the acknowledgement.
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1)).ok());
  EXPECT_EQ(store_->GetAlert(1)->state, AlertState::kAcknowledged);

  AlertQuery open;
  open.state = AlertState::kOpen;
  auto opens = store_->ListAlerts(open);
  ASSERT_TRUE(opens.ok());
  ASSERT_EQ(opens->size(), 1u);
  EXPECT_EQ((*opens)[0].id, 2);

  ASSERT_TRUE(store_->Resolve(1, {"bob", kT0 + seconds(20), "false alarm"}, "10.0.0.8").ok());
  a = store_->GetAlert(1);
  EXPECT_EQ(a->state, AlertState::kResolved);
  ASSERT_TRUE(a->resolution.has_value());
  EXPECT_EQ(a->resolution->who, "bob");
  EXPECT_EQ(a->resolution->when, kT0 + seconds(20));
  EXPECT_EQ(a->resolution->note, "false alarm");
  EXPECT_EQ(a->ack->who, "ana");

  auto audit = store_->ListAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].what, "resolve alert 1");
  EXPECT_EQ((*audit)[0].from, "10.0.0.8");
  EXPECT_EQ((*audit)[1].who, "ana");
  EXPECT_EQ((*audit)[1].what, "acknowledge alert 1");
  EXPECT_EQ((*audit)[1].when, kT0 + seconds(10));
}

TEST_F(SqliteStoreTest, InvalidTransitionsChangeNothing) {
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1)).ok());
  EXPECT_EQ(store_->Resolve(1, {"bob", kT0, ""}, "").code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Acknowledge(7, {"ana", kT0, ""}, "").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->Acknowledge(1, {"", kT0, ""}, "").code(), core::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Acknowledge(1, {"ana", kT0, ""}, "").ok());
  EXPECT_EQ(store_->Acknowledge(1, {"eve", kT0, ""}, "").code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAlert(1)->ack->who, "ana");
  EXPECT_EQ(store_->ListAudit(0, 10)->size(), 1u) << "only the valid acknowledgement is audited";
  EXPECT_EQ(store_->GetAlert(1)->state, AlertState::kAcknowledged);
}

TEST_F(SqliteStoreTest, AuditLogIsAppendOnlyEvenForRawSql) {
  ASSERT_TRUE(store_->AppendAudit({0, "ana", "export clip 3", kT0, "10.0.0.7"}).ok());
  std::string err;
  EXPECT_NE(RawExec(path_, "UPDATE audit_log SET who = 'mallory'", &err), SQLITE_OK);
  EXPECT_NE(err.find("append-only"), std::string::npos) << err;
  EXPECT_NE(RawExec(path_, "DELETE FROM audit_log", &err), SQLITE_OK);
  EXPECT_NE(err.find("append-only"), std::string::npos) << err;
  auto audit = store_->ListAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].who, "ana");
  EXPECT_EQ((*audit)[0].what, "export clip 3");
  EXPECT_EQ(store_->AppendAudit({0, "", "x", kT0, ""}).code(), core::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, AuditPaging) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->AppendAudit({0, "ana", "view camera " + std::to_string(i), kT0, ""}).ok());
  }
  auto first = store_->ListAudit(0, 3);
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].what, "view camera 4");
  auto rest = store_->ListAudit(first->back().seq, 3);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[1].what, "view camera 0");
}

TEST_F(SqliteStoreTest, RetentionDeletesOldEventsAndResolvedAlertsPerSeverity) {
  const core::WallTime now = kT0 + hours(24 * 100);
  ASSERT_TRUE(
      store_->InsertEvent(MakeEvent("old_info", "c", "t", Severity::kInfo), now - hours(24 * 8))
          .ok());
  ASSERT_TRUE(
      store_->InsertEvent(MakeEvent("new_info", "c", "t", Severity::kInfo), now - hours(24 * 6))
          .ok());
  ASSERT_TRUE(
      store_
          ->InsertEvent(MakeEvent("old_crit", "c", "t", Severity::kCritical), now - hours(24 * 90))
          .ok());
  // Alert 1: info, resolved 8 days ago -> deleted with its acknowledgement.
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1, Severity::kInfo)).ok());
  ASSERT_TRUE(store_->Acknowledge(1, {"ana", now - hours(24 * 9), ""}, "").ok());
  ASSERT_TRUE(store_->Resolve(1, {"ana", now - hours(24 * 8), ""}, "").ok());
  // Alert 2: info, opened 100 days ago but still open -> kept.
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(2, Severity::kInfo)).ok());
  // Alert 3: critical, resolved long ago, no retention for critical -> kept.
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(3, Severity::kCritical)).ok());
  ASSERT_TRUE(store_->Acknowledge(3, {"ana", kT0, ""}, "").ok());
  ASSERT_TRUE(store_->Resolve(3, {"ana", kT0, ""}, "").ok());

  RetentionPolicy p;
  p.days[Severity::kInfo] = 7;
  auto r = store_->ApplyRetention(p, now);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events_deleted, 1);
  EXPECT_EQ(r->alerts_deleted, 1);
  auto page = store_->QueryEvents({});
  std::set<std::string> left;
  for (const auto& e : page->events) left.insert(e.event.id);
  EXPECT_EQ(left, (std::set<std::string>{"new_info", "old_crit"}));
  EXPECT_EQ(store_->GetAlert(1).status().code(), core::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetAlert(2).ok());
  EXPECT_TRUE(store_->GetAlert(3).ok());
  std::string err;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM acknowledgements WHERE alert_id = 1", -1,
                               &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0) << "acknowledgements follow their alert";
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(store_->ListAudit(0, 10)->size(), 4u) << "retention never touches the audit log";
  p.days[Severity::kWarning] = -1;
  EXPECT_FALSE(store_->ApplyRetention(p, now).ok());
}

TEST_F(SqliteStoreTest, CamerasUpsertAndList) {
  ASSERT_TRUE(store_->UpsertCamera({"hall", "online", kT0}).ok());
  ASSERT_TRUE(store_->UpsertCamera({"atrium", "offline", kT0}).ok());
  ASSERT_TRUE(store_->UpsertCamera({"hall", "reconnecting", kT0 + seconds(9)}).ok());
  auto cams = store_->ListCameras();
  ASSERT_TRUE(cams.ok());
  ASSERT_EQ(cams->size(), 2u);
  EXPECT_EQ((*cams)[0].name, "atrium");
  EXPECT_EQ((*cams)[1].status, "reconnecting");
  EXPECT_EQ((*cams)[1].last_seen, kT0 + seconds(9));
  EXPECT_FALSE(store_->UpsertCamera({"", "online", kT0}).ok());
}

TEST_F(SqliteStoreTest, SensorReadingsByNameAndTimeRange) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(store_
                    ->InsertSensorReading({0, i % 2 ? "g3/humidity" : "g3/temp",
                                           i % 2 ? "humidity" : "temperature", 40.0 + i,
                                           i % 2 ? "%" : "C", kT0 + seconds(i)})
                    .ok());
  }
  auto r = store_->QuerySensorReadings("g3/humidity", kT0 + seconds(1), kT0 + seconds(5), 100);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);  // seconds 1 and 3
  EXPECT_EQ((*r)[0].value, 41.0);
  EXPECT_EQ((*r)[1].unit, "%");
  EXPECT_EQ((*r)[1].at, kT0 + seconds(3));
  EXPECT_EQ(store_->QuerySensorReadings("", kT0, kT0 + seconds(6), 100)->size(), 6u);
}

TEST_F(SqliteStoreTest, ConcurrentWritersFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string cam = "c" + std::to_string(t);
        if (!store_
                 ->InsertEvent(MakeEvent(cam + "/" + std::to_string(i), cam, "x", Severity::kAlert),
                               kT0)
                 .ok() ||
            !store_->QueryEvents({}).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EventQuery q;
  q.limit = kMaxPageSize;
  EXPECT_EQ(store_->QueryEvents(q)->events.size(), size_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace argus::store
