// The Store contract, run against every backend: SQLite and PostgreSQL must behave
// the same (ordering, paging, filters, transitions, audit, retention). Each test gets
// a fresh database; raw SQL goes through a separate connection, as an administrator
// (or an intruder) would use it. Backend-specific tests live in sqlite_store_test.cc,
// crash_safety_test.cc and pg_store_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"
#include "store/testing/pg_server.h"

namespace argus::store {
namespace {

using events::Alert;
using events::AlertState;
using events::Severity;
using std::chrono::hours;
using std::chrono::seconds;
using testing::kT0;
using testing::MakeEvent;

// One fresh database of one backend.
class Backend {
 public:
  virtual ~Backend() = default;
  // Opens a new store on the database (call again to "restart the daemon").
  virtual core::Result<std::unique_ptr<Store>> Open() = 0;
  // Runs SQL on a separate raw connection; the database's error text when it fails.
  virtual core::Status RawExec(const std::string& sql) = 0;
  // The integer that `sql` selects.
  virtual core::Result<int64_t> RawInt(const std::string& sql) = 0;
};

class SqliteBackend final : public Backend {
 public:
  core::Result<std::unique_ptr<Store>> Open() override {
    auto s = SqliteStore::Open(path_);
    if (!s.ok()) return s.status();
    return std::unique_ptr<Store>(std::move(*s));
  }
  core::Status RawExec(const std::string& sql) override {
    std::string err;
    if (testing::RawExec(path_, sql, &err) != SQLITE_OK) return core::IoError(err);
    return core::Status::Ok();
  }
  core::Result<int64_t> RawInt(const std::string& sql) override {
    sqlite3* db = nullptr;
    sqlite3_stmt* st = nullptr;
    core::Result<int64_t> out = core::IoError("sqlite: " + sql);
    if (sqlite3_open(path_.c_str(), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = static_cast<int64_t>(sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

 private:
  testing::TempDir dir_;
  std::string path_ = dir_.File("sub/dir/argus.db");
};

class PgBackend final : public Backend {
 public:
  static core::Result<std::unique_ptr<Backend>> Make() {
    auto server = testing::SharedPgServer();
    if (!server.ok()) return server.status();
    static std::atomic<int> counter{0};
    auto b = std::make_unique<PgBackend>(*server, "contract_" + std::to_string(++counter));
    ARGUS_RETURN_IF_ERROR((*server)->CreateDatabase(b->db_));
    return std::unique_ptr<Backend>(std::move(b));
  }
  PgBackend(testing::PgServer* server, std::string db) : server_(server), db_(std::move(db)) {}
  // The database is left behind: the whole server directory goes at exit.

  core::Result<std::unique_ptr<Store>> Open() override {
    auto s = PgStore::Open(server_->ConnInfo(db_));
    if (!s.ok()) return s.status();
    return std::unique_ptr<Store>(std::move(*s));
  }
  core::Status RawExec(const std::string& sql) override { return server_->Exec(db_, sql); }
  core::Result<int64_t> RawInt(const std::string& sql) override {
    auto v = server_->Query(db_, sql);
    if (!v.ok()) return v.status();
    return static_cast<int64_t>(std::stoll(*v));
  }

 private:
  testing::PgServer* server_;
  std::string db_;
};

struct BackendParam {
  const char* name;
  core::Result<std::unique_ptr<Backend>> (*make)();
  friend void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.name; }
};

core::Result<std::unique_ptr<Backend>> MakeSqlite() {
  return std::unique_ptr<Backend>(std::make_unique<SqliteBackend>());
}

class StoreContractTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    auto b = GetParam().make();
    ASSERT_TRUE(b.ok()) << GetParam().name << " backend unavailable: " << b.status().ToString();
    backend_ = std::move(*b);
    auto s = backend_->Open();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();  // before the backend drops its database
    backend_.reset();
  }
  static Alert MakeAlert(int64_t id, Severity sev = Severity::kAlert,
                         const std::string& camera = "cam1") {
    Alert a;
    a.id = id;
    a.camera = camera;
    a.rule = "no_touch";
    a.zone = "vitrine";
    a.type = "intrusion";
    a.severity = sev;
    a.opened_at = kT0;
    a.last_event_at = kT0 + seconds(3);
    a.incident_ids = {camera + "/no_touch/1", camera + "/no_touch/2"};
    a.active_incidents = 1;
    a.event_count = 5;
    a.escalation_level = 1;
    return a;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, ReopenKeepsDataAndDoesNotRemigrate) {
  ASSERT_TRUE(
      store_->InsertEvent(MakeEvent("e1", "cam1", "intrusion", Severity::kAlert), kT0).ok());
  store_.reset();
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto page = (*again)->QueryEvents({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].event.id, "e1");
}

TEST_P(StoreContractTest, EventRoundTripsEveryContractField) {
  events::Event e = MakeEvent("cam1/r/7", "cam1", "loitering", Severity::kCritical);
  e.phase = events::Phase::kUpdate;
  e.t = 0.1 + 0.2;  // not exactly representable: must come back bit for bit
  e.bbox = {10.25, 1.0 / 3.0, 1e-7, 12345.678901234};
  e.details["nested"] = {{"a", 1}};
  e.details["text"] = "Galerie d'Apollon \u2014 \"vitrine\" \u2713";
  e.details["ratio"] = 2.0 / 3.0;
  ASSERT_TRUE(store_->InsertEvent(e, kT0 + seconds(5)).ok());
  auto page = store_->QueryEvents({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->events.size(), 1u);
  const StoredEvent& got = page->events[0];
  EXPECT_GT(got.seq, 0);
  EXPECT_EQ(got.received_at, kT0 + seconds(5));
  EXPECT_EQ(events::ToJson(got.event), events::ToJson(e));
  EXPECT_EQ(got.event.t, e.t);
  EXPECT_EQ(got.event.bbox.y, e.bbox.y);
}

TEST_P(StoreContractTest, EventQueriesFilterByTimeCameraTypeAndSeverity) {
  // 4 cameras x 3 types x 4 severities, one per second.
  int n = 0;
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

TEST_P(StoreContractTest, IncidentsWithoutAlertAreTheStartsNoAlertOfTheirCameraLists) {
  auto event = [](const std::string& id, const std::string& camera, events::Phase phase) {
    events::Event e = MakeEvent(id, camera, "intrusion", Severity::kAlert);
    e.phase = phase;
    return e;
  };
  const events::Phase start = events::Phase::kStart;
  ASSERT_TRUE(store_->InsertEvent(event("cam1/old", "cam1", start), kT0).ok());  // before `from`
  ASSERT_TRUE(
      store_
          ->InsertEvents({event("cam1/held", "cam1", start), event("cam1/lost", "cam1", start),
                          event("cam1/lost", "cam1", events::Phase::kUpdate),
                          event("cam2/lost", "cam2", start)},
                         kT0 + seconds(10))
          .ok());
  Alert held = MakeAlert(1, Severity::kAlert, "cam1");
  held.incident_ids = {"cam1/held"};
  ASSERT_TRUE(store_->UpsertAlert(held).ok());
  Alert elsewhere = MakeAlert(2, Severity::kAlert, "cam2");  // lists cam1's id: not its camera
  elsewhere.incident_ids = {"cam1/lost"};
  ASSERT_TRUE(store_->UpsertAlert(elsewhere).ok());

  auto ids = [&](const std::string& camera) {
    std::vector<std::string> out;
    auto got = store_->IncidentsWithoutAlert(camera, kT0 + seconds(5));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return out;
    for (const StoredEvent& e : *got) {
      EXPECT_EQ(e.event.phase, start);
      out.push_back(e.event.id);
    }
    return out;
  };
  EXPECT_EQ(ids("cam1"), std::vector<std::string>({"cam1/lost"}));
  EXPECT_EQ(ids(""), std::vector<std::string>({"cam1/lost", "cam2/lost"}));
  held.incident_ids.push_back("cam1/lost");  // its alert written after all
  ASSERT_TRUE(store_->UpsertAlert(held).ok());
  EXPECT_EQ(ids(""), std::vector<std::string>({"cam2/lost"}));
  EXPECT_TRUE(ids("cam3").empty());
}

TEST_P(StoreContractTest, EventPagingVisitsEveryEventOnceNewestFirst) {
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

TEST_P(StoreContractTest, PageLimitsAreClamped) {
  std::vector<events::Event> batch;
  for (int i = 0; i < 3; ++i) {
    batch.push_back(MakeEvent("e" + std::to_string(i), "c1", "intrusion", Severity::kAlert));
  }
  ASSERT_TRUE(store_->InsertEvents(batch, kT0).ok());
  EventQuery q;
  q.limit = 0;  // -> 1
  auto page = store_->QueryEvents(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].event.id, "e2");
  EXPECT_EQ(page->next_before_seq, page->events[0].seq);
  ASSERT_TRUE(store_->AppendAudit({0, "ana", "a", kT0, ""}).ok());
  ASSERT_TRUE(store_->AppendAudit({0, "ana", "b", kT0, ""}).ok());
  EXPECT_EQ(store_->ListAudit(0, -5)->size(), 1u);
  AlertQuery aq;
  aq.limit = kMaxPageSize + 1;
  EXPECT_TRUE(store_->ListAlerts(aq).ok());
}

TEST_P(StoreContractTest, InsertEventsIsAllOrNothing) {
  std::vector<events::Event> batch = {MakeEvent("ok1", "c1", "intrusion", Severity::kAlert),
                                      MakeEvent("bad", "c1", "intrusion", Severity::kAlert),
                                      MakeEvent("ok2", "c1", "intrusion", Severity::kAlert)};
  batch[1].severity = static_cast<Severity>(7);  // violates the severity CHECK
  EXPECT_FALSE(store_->InsertEvents(batch, kT0).ok());
  auto page = store_->QueryEvents({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->events.empty()) << "the batch must be rolled back entirely";
  // The store is still usable after the failed transaction.
  batch.erase(batch.begin() + 1);
  ASSERT_TRUE(store_->InsertEvents(batch, kT0).ok());
  EXPECT_EQ(store_->QueryEvents({})->events.size(), 2u);
}

TEST_P(StoreContractTest, AlertUpsertGetAndList) {
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
  EXPECT_FALSE(got->resolution.has_value());
  EXPECT_EQ(store_->GetAlert(3).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(*store_->MaxAlertId(), 2);

  // Escalation never goes back down through an upsert.
  changed.escalation_level = 0;
  ASSERT_TRUE(store_->UpsertAlert(changed).ok());
  EXPECT_EQ(store_->GetAlert(1)->escalation_level, 1);

  auto all = store_->ListAlerts({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, 2);  // newest first
  EXPECT_EQ(store_->UpsertAlert(MakeAlert(0)).code(), core::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, AlertListFiltersByStateAndCameraAndPages) {
  for (int id = 1; id <= 6; ++id) {
    ASSERT_TRUE(store_->UpsertAlert(MakeAlert(id, Severity::kAlert, id % 2 ? "odd" : "even")).ok());
  }
  ASSERT_TRUE(store_->Acknowledge(3, {"ana", kT0, ""}, "").ok());
  auto ids = [](const std::vector<Alert>& as) {
    std::vector<int64_t> out;
    for (const auto& a : as) out.push_back(a.id);
    return out;
  };
  AlertQuery q;
  q.camera = "odd";
  EXPECT_EQ(ids(*store_->ListAlerts(q)), (std::vector<int64_t>{5, 3, 1}));
  q.state = AlertState::kOpen;
  EXPECT_EQ(ids(*store_->ListAlerts(q)), (std::vector<int64_t>{5, 1}));
  AlertQuery page;
  page.limit = 4;
  auto first = store_->ListAlerts(page);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(*first), (std::vector<int64_t>{6, 5, 4, 3}));
  EXPECT_EQ((*first)[3].ack->who, "ana") << "listed alerts carry their acknowledgement";
  page.before_id = first->back().id;
  EXPECT_EQ(ids(*store_->ListAlerts(page)), (std::vector<int64_t>{2, 1}));
}

TEST_P(StoreContractTest, AcknowledgeThenResolveWithAuditTrail) {
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
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM acknowledgements WHERE alert_id = 1"), 1);
}

TEST_P(StoreContractTest, InvalidTransitionsChangeNothing) {
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(1)).ok());
  EXPECT_EQ(store_->Resolve(1, {"bob", kT0, ""}, "").code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Acknowledge(7, {"ana", kT0, ""}, "").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->Resolve(7, {"ana", kT0, ""}, "").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->Acknowledge(1, {"", kT0, ""}, "").code(), core::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->Acknowledge(1, {"ana", kT0, ""}, "").ok());
  EXPECT_EQ(store_->Acknowledge(1, {"eve", kT0, ""}, "").code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAlert(1)->ack->who, "ana");
  EXPECT_EQ(store_->ListAudit(0, 10)->size(), 1u) << "only the valid acknowledgement is audited";
  EXPECT_EQ(store_->GetAlert(1)->state, AlertState::kAcknowledged);
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM acknowledgements"), 1);
}

TEST_P(StoreContractTest, AuditLogIsAppendOnlyEvenForRawSql) {
  ASSERT_TRUE(store_->AppendAudit({0, "ana", "export clip 3", kT0, "10.0.0.7"}).ok());
  core::Status s = backend_->RawExec("UPDATE audit_log SET who = 'mallory'");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("append-only"), std::string::npos) << s.message();
  s = backend_->RawExec("DELETE FROM audit_log");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("append-only"), std::string::npos) << s.message();
  auto audit = store_->ListAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].who, "ana");
  EXPECT_EQ((*audit)[0].what, "export clip 3");
  EXPECT_EQ((*audit)[0].from, "10.0.0.7");
  EXPECT_EQ((*audit)[0].when, kT0);
  EXPECT_EQ(store_->AppendAudit({0, "", "x", kT0, ""}).code(), core::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, AuditPaging) {
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

TEST_P(StoreContractTest, RetentionDeletesOldEventsAndResolvedAlertsPerSeverity) {
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
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM acknowledgements WHERE alert_id = 1"), 0)
      << "acknowledgements follow their alert";
  EXPECT_EQ(store_->ListAudit(0, 10)->size(), 4u) << "retention never touches the audit log";
  p.days[Severity::kWarning] = -1;
  EXPECT_EQ(store_->ApplyRetention(p, now).status().code(), core::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, CamerasUpsertAndListInByteOrder) {
  ASSERT_TRUE(store_->UpsertCamera({"hall", "online", kT0}).ok());
  ASSERT_TRUE(store_->UpsertCamera({"atrium", "offline", kT0}).ok());
  ASSERT_TRUE(store_->UpsertCamera({"Zenith", "online", kT0}).ok());
  ASSERT_TRUE(store_->UpsertCamera({"hall", "reconnecting", kT0 + seconds(9)}).ok());
  auto cams = store_->ListCameras();
  ASSERT_TRUE(cams.ok());
  ASSERT_EQ(cams->size(), 3u);
  EXPECT_EQ((*cams)[0].name, "Zenith");  // upper case sorts first, whatever the locale
  EXPECT_EQ((*cams)[1].name, "atrium");
  EXPECT_EQ((*cams)[2].status, "reconnecting");
  EXPECT_EQ((*cams)[2].last_seen, kT0 + seconds(9));
  EXPECT_FALSE(store_->UpsertCamera({"", "online", kT0}).ok());
}

TEST_P(StoreContractTest, SensorReadingsByNameAndTimeRange) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(store_
                    ->InsertSensorReading({0, i % 2 ? "g3/humidity" : "g3/temp",
                                           i % 2 ? "humidity" : "temperature", 40.0 + i + 0.1,
                                           i % 2 ? "%" : "C", kT0 + seconds(i)})
                    .ok());
  }
  auto r = store_->QuerySensorReadings("g3/humidity", kT0 + seconds(1), kT0 + seconds(5), 100);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);  // seconds 1 and 3
  EXPECT_EQ((*r)[0].value, 41.1);
  EXPECT_EQ((*r)[0].kind, "humidity");
  EXPECT_EQ((*r)[1].unit, "%");
  EXPECT_EQ((*r)[1].at, kT0 + seconds(3));
  EXPECT_LT((*r)[0].seq, (*r)[1].seq);
  auto all = store_->QuerySensorReadings("", kT0, kT0 + seconds(6), 100);
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ((*all)[0].sensor, "g3/temp");  // oldest first
  EXPECT_EQ(store_->QuerySensorReadings("", kT0, kT0 + seconds(6), 4)->size(), 4u);
  EXPECT_FALSE(store_->InsertSensorReading({0, "", "x", 1, "", kT0}).ok());
}

// Names that must come back byte for byte: quotes, SQL metacharacters, non-ASCII.
const std::string kQuotedName = "o'brien \"the\" admin; DROP TABLE users; --";
const std::string kUnicodeName = "\u00e9lodie \u2014 \u5c0f\u6797 \u2713";

UserRecord MakeUser(const std::string& name, const std::string& role, bool disabled = false) {
  return {name, role, "$argon2id$v=19$m=65536,t=2,p=1$" + name,
          kT0 + std::chrono::milliseconds(1234), disabled};
}

ApiTokenRecord MakeToken(const std::string& name, const std::string& hash) {
  ApiTokenRecord t;
  t.name = name;
  t.role = "operator";
  t.token_hash = hash;
  t.created_by = "ana";
  t.created_at = kT0 + std::chrono::milliseconds(42);
  return t;
}

void ExpectSameUser(const UserRecord& got, const UserRecord& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.password_hash, want.password_hash);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.disabled, want.disabled);
}

void ExpectSameToken(const ApiTokenRecord& got, const ApiTokenRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.token_hash, want.token_hash);
  EXPECT_EQ(got.created_by, want.created_by);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.revoked, want.revoked);
}

TEST_P(StoreContractTest, UserInsertGetAndUpdateEveryField) {
  const UserRecord ana = MakeUser("ana", "operator");
  ASSERT_TRUE(store_->UpsertUser(ana).ok());
  auto got = store_->GetUser("ana");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameUser(*got, ana);

  // Role change, new password hash, disabled, new creation time: every field replaced.
  UserRecord changed = ana;
  changed.role = "admin";
  changed.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$rotated";
  changed.disabled = true;
  changed.created_at = kT0 + std::chrono::milliseconds(98765);
  ASSERT_TRUE(store_->UpsertUser(changed).ok());
  got = store_->GetUser("ana");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameUser(*got, changed);

  // And back: re-enabling is an upsert too.
  changed.disabled = false;
  ASSERT_TRUE(store_->UpsertUser(changed).ok());
  EXPECT_FALSE(store_->GetUser("ana")->disabled);
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM users"), 1) << "an update, not a second row";
}

TEST_P(StoreContractTest, UnknownUserIsNotFoundAndBadUsersAreRefused) {
  EXPECT_EQ(store_->GetUser("ghost").status().code(), core::StatusCode::kNotFound);
  ASSERT_TRUE(store_->UpsertUser(MakeUser("ana", "viewer")).ok());
  EXPECT_EQ(store_->GetUser("Ana").status().code(), core::StatusCode::kNotFound)
      << "names are case-sensitive";
  EXPECT_EQ(store_->GetUser("").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpsertUser(MakeUser("", "viewer")).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->UpsertUser(MakeUser("bob", "")).code(), core::StatusCode::kInvalidArgument);
  auto all = store_->ListUsers();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(StoreContractTest, UsersListInByteOrderAndNamesRoundTrip) {
  EXPECT_TRUE(store_->ListUsers()->empty());
  for (const std::string& name :
       {std::string("bob"), kUnicodeName, std::string("Zoe"), kQuotedName, std::string("ana")}) {
    ASSERT_TRUE(store_->UpsertUser(MakeUser(name, "viewer", name == "bob")).ok()) << name;
  }
  auto users = store_->ListUsers();
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  std::vector<std::string> names;
  for (const auto& u : *users) names.push_back(u.name);
  // Byte order whatever the locale: upper case, then lower case, then UTF-8 (0xC3...).
  EXPECT_EQ(names, (std::vector<std::string>{"Zoe", "ana", "bob", kQuotedName, kUnicodeName}));
  ExpectSameUser((*users)[2], MakeUser("bob", "viewer", true));
  for (const std::string& name : {kQuotedName, kUnicodeName}) {
    auto got = store_->GetUser(name);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status().ToString();
    ExpectSameUser(*got, MakeUser(name, "viewer"));
  }
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM users"), 5) << "the quoted name was data";
}

TEST_P(StoreContractTest, UserNameIsThePrimaryKeyEvenForRawSql) {
  ASSERT_TRUE(store_->UpsertUser(MakeUser("ana", "viewer")).ok());
  EXPECT_FALSE(backend_->RawExec("INSERT INTO users SELECT * FROM users").ok());
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM users"), 1);
}

TEST_P(StoreContractTest, ApiTokensInsertFindRevokeAndList) {
  EXPECT_TRUE(store_->ListApiTokens()->empty());
  std::vector<ApiTokenRecord> tokens = {MakeToken("ingest", "aa01"), MakeToken(kQuotedName, "bb02"),
                                        MakeToken(kUnicodeName, "cc03")};
  tokens[1].created_by = kUnicodeName;
  tokens[2].role = "admin";
  int64_t last = 0;
  for (auto& t : tokens) {
    auto id = store_->InsertApiToken(t);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_GT(*id, last) << "ids increase with insertion";
    last = t.id = *id;
  }

  // A second token with a stored hash is refused and changes nothing.
  ApiTokenRecord dup = MakeToken("copy", "bb02");
  EXPECT_EQ(store_->InsertApiToken(dup).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListApiTokens()->size(), 3u);
  EXPECT_EQ(store_->InsertApiToken(MakeToken("nohash", "")).status().code(),
            core::StatusCode::kInvalidArgument);

  for (const auto& t : tokens) {
    auto got = store_->FindApiToken(t.token_hash);
    ASSERT_TRUE(got.ok()) << t.name << ": " << got.status().ToString();
    ExpectSameToken(*got, t);
  }
  EXPECT_EQ(store_->FindApiToken("dd04").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->FindApiToken("AA01").status().code(), core::StatusCode::kNotFound)
      << "hashes match exactly";

  // Revoked tokens are still found, flagged; revoking twice is fine.
  ASSERT_TRUE(store_->RevokeApiToken(tokens[1].id).ok());
  tokens[1].revoked = true;
  auto revoked = store_->FindApiToken("bb02");
  ASSERT_TRUE(revoked.ok());
  ExpectSameToken(*revoked, tokens[1]);
  EXPECT_TRUE(store_->RevokeApiToken(tokens[1].id).ok());
  EXPECT_TRUE(store_->FindApiToken("bb02")->revoked);
  EXPECT_FALSE(store_->FindApiToken("aa01")->revoked) << "only the one token is revoked";
  EXPECT_EQ(store_->RevokeApiToken(last + 1000).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeApiToken(0).code(), core::StatusCode::kNotFound);

  auto all = store_->ListApiTokens();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 0; i < tokens.size(); ++i) ExpectSameToken((*all)[i], tokens[i]);

  // The store still hands out ids after a refused insert.
  auto next = store_->InsertApiToken(MakeToken("later", "ee05"));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, last);
}

TEST_P(StoreContractTest, TokenHashIsUniqueEvenForRawSql) {
  ASSERT_TRUE(store_->InsertApiToken(MakeToken("ingest", "aa01")).ok());
  core::Status s = backend_->RawExec(
      "INSERT INTO api_tokens (name, role, token_hash, created_by, created_ms, revoked) "
      "SELECT name, role, token_hash, created_by, created_ms, revoked FROM api_tokens");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM api_tokens"), 1);
}

TEST_P(StoreContractTest, UsersAndTokensSurviveReopen) {
  UserRecord ana = MakeUser(kUnicodeName, "admin", /*disabled=*/true);
  ASSERT_TRUE(store_->UpsertUser(ana).ok());
  ApiTokenRecord t = MakeToken("ingest", "aa01");
  auto id = store_->InsertApiToken(t);
  ASSERT_TRUE(id.ok());
  t.id = *id;
  ASSERT_TRUE(store_->RevokeApiToken(t.id).ok());
  t.revoked = true;
  store_.reset();

  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  store_ = std::move(*again);
  auto user = store_->GetUser(kUnicodeName);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  ExpectSameUser(*user, ana);
  auto token = store_->FindApiToken("aa01");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  ExpectSameToken(*token, t);
  // Ids keep increasing across restarts.
  auto next = store_->InsertApiToken(MakeToken("after restart", "bb02"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, t.id);
}

TEST_P(StoreContractTest, LearnedModelsSaveReplaceLoadAndSurviveReopen) {
  EXPECT_EQ(store_->LoadLearnedModel("cam1").status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store_->SaveLearnedModel("", "x", kT0).code(), core::StatusCode::kInvalidArgument);
  // A realistic size: a few hundred kilobytes of text lines.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "c " + std::to_string(i) + " 0 1.5 0 0 2\n";
  ASSERT_TRUE(store_->SaveLearnedModel("cam1", "first", kT0).ok());
  ASSERT_TRUE(store_->SaveLearnedModel("cam2", "other", kT0).ok());
  ASSERT_TRUE(store_->SaveLearnedModel("cam1", big, kT0 + seconds(60)).ok());
  store_.reset();
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  store_ = std::move(*again);
  auto cam1 = store_->LoadLearnedModel("cam1");
  ASSERT_TRUE(cam1.ok()) << cam1.status().ToString();
  EXPECT_EQ(*cam1, big) << "replaced whole, byte for byte";
  auto cam2 = store_->LoadLearnedModel("cam2");
  ASSERT_TRUE(cam2.ok());
  EXPECT_EQ(*cam2, "other");
}

TEST_P(StoreContractTest, LoginFailuresSaveReplaceListPruneAndSurviveReopen) {
  using R = LoginFailureRecord;
  EXPECT_EQ(store_->SaveLoginFailures(R{"", {}, kT0, 0, kT0}).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_
          ->SaveLoginFailures(
              R{"k", std::vector<core::WallTime>(kMaxStoredLoginFailures + 1, kT0), kT0, 0, kT0})
          .code(),
      core::StatusCode::kInvalidArgument);
  const core::WallTime t1 = kT0 + std::chrono::milliseconds(1500);
  ASSERT_TRUE(
      store_->SaveLoginFailures(R{"user:anna@6.6.6.6", {kT0}, kT0, 0, kT0 + seconds(60)}).ok());
  // Replaced whole: two failure times with milliseconds, a lockout.
  ASSERT_TRUE(store_
                  ->SaveLoginFailures(
                      R{"user:anna@6.6.6.6", {kT0, t1}, kT0 + seconds(300), 2, kT0 + hours(25)})
                  .ok());
  ASSERT_TRUE(store_->SaveLoginFailures(R{"addr:6.6.6.6", {t1}, kT0, 0, kT0 + seconds(60)}).ok());
  for (int i = 0; i < 5; ++i) {  // forgettable at kT0 + 10 s
    ASSERT_TRUE(
        store_->SaveLoginFailures(R{"addr:old" + std::to_string(i), {}, kT0, 0, kT0 + seconds(10)})
            .ok());
  }
  ASSERT_TRUE(store_->DeleteLoginFailures("addr:old4").ok());
  ASSERT_TRUE(store_->DeleteLoginFailures("never saved").ok());
  store_.reset();
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  store_ = std::move(*again);

  auto all = store_->ListLoginFailures(core::WallTime{});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ((*all)[0].key, "addr:6.6.6.6");  // by key
  const R& anna = all->back();
  EXPECT_EQ(anna.key, "user:anna@6.6.6.6");
  EXPECT_EQ(anna.failures, (std::vector<core::WallTime>{kT0, t1}));
  EXPECT_EQ(anna.locked_until, kT0 + seconds(300));
  EXPECT_EQ(anna.lockouts, 2);
  EXPECT_EQ(anna.forget_at, kT0 + hours(25));
  // At kT0 + 20 s the four old ones no longer matter: not listed, pruned a few at a time.
  const core::WallTime now = kT0 + seconds(20);
  auto live = store_->ListLoginFailures(now);
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->size(), 2u);
  auto pruned = store_->PruneLoginFailures(now, 3);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 3);
  pruned = store_->PruneLoginFailures(now, 3);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  all = store_->ListLoginFailures(core::WallTime{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u) << "only the forgettable ones went";
}

TEST_P(StoreContractTest, ConcurrentWritersFromManyThreads) {
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
  auto page = store_->QueryEvents(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), size_t{kThreads * kPerThread});
  std::set<int64_t> seqs;
  for (const auto& e : page->events) seqs.insert(e.seq);
  EXPECT_EQ(seqs.size(), size_t{kThreads * kPerThread});
}

TEST_P(StoreContractTest, AlertIdsComeFromTheStoreAboveStoredIdsAndNeverRepeat) {
  auto first = store_->NextAlertId();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);
  ASSERT_TRUE(store_->UpsertAlert(MakeAlert(7)).ok());  // an id the caller chose
  auto next = store_->NextAlertId();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 8);
  // Not handed out again once the highest alert is gone, nor after a reopen.
  ASSERT_TRUE(backend_->RawExec("DELETE FROM alerts").ok());
  store_.reset();
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  store_ = std::move(*again);
  next = store_->NextAlertId();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 9);
}

TEST_P(StoreContractTest, SessionsInsertGetTouchDeleteAndPrune) {
  const SessionRecord ana{"hash-ana", "ana", "operator", "cred-1", kT0, kT0 + hours(12), kT0};
  ASSERT_TRUE(store_->InsertSession(ana).ok());
  EXPECT_EQ(store_->InsertSession(ana).code(), core::StatusCode::kInvalidArgument)
      << "a token hash is unique";
  ASSERT_TRUE(store_
                  ->InsertSession({"hash-ana2", "ana", "operator", "cred-1", kT0, kT0 + hours(12),
                                   kT0 + seconds(1)})
                  .ok());
  ASSERT_TRUE(store_
                  ->InsertSession({"hash-bob", "bob", "viewer", "cred-2", kT0, kT0 + hours(1),
                                   kT0 + seconds(2)})
                  .ok());
  auto got = store_->GetSession("hash-ana");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->user, "ana");
  EXPECT_EQ(got->role, "operator");
  EXPECT_EQ(got->credentials, "cred-1");
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->expires_at, kT0 + hours(12));
  EXPECT_EQ(got->last_seen, kT0);
  EXPECT_EQ(store_->GetSession("nope").status().code(), core::StatusCode::kNotFound);

  ASSERT_TRUE(store_->TouchSession("hash-ana", kT0 + seconds(30)).ok());
  ASSERT_TRUE(store_->TouchSession("hash-ana", kT0 + seconds(10)).ok());  // never backwards
  EXPECT_EQ(store_->GetSession("hash-ana")->last_seen, kT0 + seconds(30));

  ASSERT_TRUE(store_->DeleteSession("hash-ana2").ok());
  EXPECT_EQ(store_->GetSession("hash-ana2").status().code(), core::StatusCode::kNotFound);
  ASSERT_TRUE(store_
                  ->InsertSession({"hash-ana3", "ana", "operator", "cred-1", kT0, kT0 + hours(12),
                                   kT0 + seconds(3)})
                  .ok());

  // At kT0 + 2 h bob's session is past its limit; nothing else idle since kT0.
  auto left = store_->PruneSessions(kT0 + hours(2), kT0, 100);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_EQ(*left, 2);
  EXPECT_EQ(store_->GetSession("hash-bob").status().code(), core::StatusCode::kNotFound);
  // Idle: last seen before kT0 + 5 s.
  ASSERT_TRUE(
      store_
          ->InsertSession({"hash-cy", "cy", "viewer", "c", kT0, kT0 + hours(12), kT0 + seconds(60)})
          .ok());
  left = store_->PruneSessions(kT0 + hours(2), kT0 + seconds(5), 100);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 2) << "ana's touched session and cy's stay";
  EXPECT_EQ(store_->GetSession("hash-ana3").status().code(), core::StatusCode::kNotFound);
  // Beyond `keep`, the least recently seen go first.
  left = store_->PruneSessions(kT0, kT0, 1);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 1);
  EXPECT_TRUE(store_->GetSession("hash-cy").ok());
  EXPECT_FALSE(store_->GetSession("hash-ana").ok());

  ASSERT_TRUE(store_->DeleteSessionsOf("cy").ok());
  EXPECT_FALSE(store_->GetSession("hash-cy").ok());
}

TEST_P(StoreContractTest, NodesRegisterHeartbeatAndLeave) {
  ASSERT_TRUE(store_->UpsertNode({"node-b", "http://b:8080", "1.0", kT0, kT0, 3}).ok());
  ASSERT_TRUE(store_->UpsertNode({"node-a", "http://a:8080", "1.0", kT0, kT0, 0}).ok());
  ASSERT_TRUE(store_->UpsertNode({"node-b", "http://b:8080", "1.0", kT0, kT0 + seconds(2), 4})
                  .ok());  // a heartbeat
  auto nodes = store_->ListNodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].id, "node-a");
  EXPECT_EQ((*nodes)[1].heartbeat_at, kT0 + seconds(2));
  EXPECT_EQ((*nodes)[1].load, 4);
  EXPECT_EQ((*nodes)[1].address, "http://b:8080");
  ASSERT_TRUE(store_->DeleteNode("node-b").ok());
  ASSERT_TRUE(store_->DeleteNode("never").ok());
  EXPECT_EQ(store_->ListNodes()->size(), 1u);
}

TEST_P(StoreContractTest, LeasesAreTakenRenewedTakenOverOnlyAfterExpiryAndReleased) {
  const auto until = [](int s) { return kT0 + seconds(s); };
  auto a = store_->AcquireLease("cam1", "node-a", 0, kT0, until(5));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->node, "node-a");
  // Held: another node cannot take it, whatever epoch it names.
  auto b = store_->AcquireLease("cam1", "node-b", 0, until(4), until(9));
  EXPECT_TRUE(IsFencedOut(b.status())) << b.status().ToString();
  b = store_->AcquireLease("cam1", "node-b", 1, until(4), until(9));
  EXPECT_TRUE(IsFencedOut(b.status()));
  // Renewed by its holder: same epoch, later expiry.
  a = store_->AcquireLease("cam1", "node-a", 1, until(4), until(9));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->epoch, 1);
  EXPECT_EQ(a->expires_at, until(9));
  // Expired: taken over with the next epoch; the old holder's renewal is refused.
  b = store_->AcquireLease("cam1", "node-b", 0, until(9), until(14));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->epoch, 2);
  EXPECT_TRUE(
      IsFencedOut(store_->AcquireLease("cam1", "node-a", 1, until(10), until(15)).status()));
  // A restarted node-b (no epoch) takes its own lease back at once, with a new epoch.
  b = store_->AcquireLease("cam1", "node-b", 0, until(10), until(15));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->epoch, 3);
  // Released: free for anyone now, and the epoch keeps growing.
  ASSERT_TRUE(store_->ReleaseLease("cam1", "node-b", 2).ok());  // a stale epoch: no effect
  EXPECT_TRUE(
      IsFencedOut(store_->AcquireLease("cam1", "node-a", 0, until(11), until(16)).status()));
  ASSERT_TRUE(store_->ReleaseLease("cam1", "node-b", 3).ok());
  a = store_->AcquireLease("cam1", "node-a", 0, until(11), until(16));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->epoch, 4);
  ASSERT_TRUE(store_->AcquireLease("cam2", "node-b", 0, until(11), until(16)).ok());
  auto leases = store_->ListLeases();
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  ASSERT_EQ(leases->size(), 2u);
  EXPECT_EQ((*leases)[0].camera, "cam1");
  EXPECT_EQ((*leases)[0].node, "node-a");
  EXPECT_EQ((*leases)[1].node, "node-b");
}

TEST_P(StoreContractTest, FencingRefusesWritesOfACameraWhoseLeaseMovedOn) {
  // Two nodes on one database: A holds cam1, then its lease expires and B takes it.
  auto other = backend_->Open();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Store& node_a = *store_;
  Store& node_b = **other;
  auto tokens_a = std::make_shared<FenceTokens>("node-a");
  for (const char* cam : {"cam1", "cam2"}) tokens_a->Manage(cam);
  node_a.SetFencing(tokens_a);
  auto lease = node_a.AcquireLease("cam1", "node-a", 0, kT0, kT0 + seconds(5));
  ASSERT_TRUE(lease.ok());
  tokens_a->Set("cam1", lease->epoch);

  // While A holds cam1 its writes go through; cam2 (no lease) and nothing else is refused.
  EXPECT_TRUE(node_a.InsertEvent(MakeEvent("cam1/r/1", "cam1", "x", Severity::kAlert), kT0).ok());
  EXPECT_TRUE(node_a.UpsertAlert(MakeAlert(1, Severity::kAlert, "cam1")).ok());
  EXPECT_TRUE(IsFencedOut(node_a.UpsertAlert(MakeAlert(2, Severity::kAlert, "cam2"))));
  EXPECT_TRUE(node_a.InsertEvent(MakeEvent("sensor-1", "", "door", Severity::kAlert), kT0).ok())
      << "events of no managed camera are not fenced";

  ASSERT_TRUE(node_b.AcquireLease("cam1", "node-b", 0, kT0 + seconds(6), kT0 + seconds(11)).ok());
  // A still believes it holds epoch 1 (paused while it expired): every write is refused,
  // and a batch keeps the rest.
  const core::Status batch =
      node_a.InsertEvents({MakeEvent("cam1/r/2", "cam1", "x", Severity::kAlert),
                           MakeEvent("sensor-2", "", "door", Severity::kAlert)},
                          kT0);
  EXPECT_TRUE(IsFencedOut(batch)) << batch.ToString();
  Alert stale = MakeAlert(1, Severity::kCritical, "cam1");
  EXPECT_TRUE(IsFencedOut(node_a.UpsertAlert(stale)));
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM events WHERE camera = 'cam1'"), 1);
  EXPECT_EQ(*backend_->RawInt("SELECT count(*) FROM events WHERE camera = ''"), 2);
  EXPECT_EQ(node_b.GetAlert(1)->severity, Severity::kAlert) << "the stale upsert changed nothing";
  // B (no fencing set: a single node) writes.
  EXPECT_TRUE(node_b.InsertEvent(MakeEvent("cam1/r/3", "cam1", "x", Severity::kAlert), kT0).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest,
                         ::testing::Values(BackendParam{"Sqlite", &MakeSqlite},
                                           BackendParam{"Postgres", &PgBackend::Make}),
                         [](const ::testing::TestParamInfo<BackendParam>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace argus::store
