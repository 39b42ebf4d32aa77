// PostgreSQL-only tests against a real server started by the test (testing::PgServer):
// schema and migrations (also two nodes migrating at once), reconnecting after the
// server restarts or drops the connection, and two nodes sharing one database. The
// cases every backend must pass are in store_contract_test.cc.
#include "store/pg_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <latch>
#include <set>
#include <thread>

#include "store/test_util.h"
#include "store/testing/pg_database_test.h"

namespace argus::store {
namespace {

using events::Alert;
using events::AlertState;
using events::Severity;
using std::chrono::seconds;
using testing::kT0;
using testing::MakeEvent;

Alert MakeAlert(int64_t id, const std::string& camera = "cam1") {
  Alert a;
  a.id = id;
  a.camera = camera;
  a.rule = "no_touch";
  a.zone = "vitrine";
  a.type = "intrusion";
  a.severity = Severity::kAlert;
  a.opened_at = a.last_event_at = kT0;
  a.incident_ids = {camera + "/no_touch/" + std::to_string(id)};
  a.active_incidents = 1;
  a.event_count = 1;
  return a;
}

class PgStoreTest : public testing::PgDatabaseTest {
 protected:
  int64_t QueryInt(const std::string& db, const std::string& sql) {
    auto v = server_->Query(db, sql);
    EXPECT_TRUE(v.ok()) << sql << ": " << v.status().ToString();
    return v.ok() && !v->empty() ? std::stoll(*v) : -1;
  }
};

TEST(PgStoreOpen, UnreachableServerIsUnavailableWithAClearMessage) {
  auto s = PgStore::Open("host=/nonexistent/argus port=5999 dbname=argus connect_timeout=5");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("cannot connect to postgres"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("/nonexistent/argus"), std::string::npos)
      << "the message names where it tried: " << s.status().message();
}

TEST_F(PgStoreTest, OpenRecordsEveryMigrationAndTheAuditLogRefusesTruncate) {
  auto store = OpenStore(db_);
  ASSERT_NE(store, nullptr);
  const int n = static_cast<int>(PgMigrations().size());
  EXPECT_EQ(store->schema_version(), n);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM schema_migrations"), n);
  EXPECT_EQ(QueryInt(db_, "SELECT max(version) FROM schema_migrations"), n);
  ASSERT_TRUE(store->AppendAudit({0, "ana", "export clip 1", kT0, ""}).ok());
  const core::Status t = server_->Exec(db_, "TRUNCATE audit_log");
  EXPECT_FALSE(t.ok());
  EXPECT_NE(t.message().find("append-only"), std::string::npos) << t.message();
  EXPECT_EQ(store->ListAudit(0, 10)->size(), 1u);
  // Opening again migrates nothing.
  store.reset();
  ASSERT_NE(OpenStore(db_), nullptr);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM schema_migrations"), n);
}

TEST_F(PgStoreTest, NewerSchemaIsAClearErrorAndLeavesTheDatabaseAlone) {
  ASSERT_NE(OpenStore(db_), nullptr);
  ASSERT_TRUE(server_->Exec(db_, "INSERT INTO schema_migrations (version) VALUES (99)").ok());
  auto s = PgStore::Open(server_->ConnInfo(db_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("schema version 99 is newer"), std::string::npos)
      << s.status().message();
  EXPECT_EQ(QueryInt(db_, "SELECT max(version) FROM schema_migrations"), 99);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PgMigrations().size()) + 1);
}

TEST_F(PgStoreTest, MigrateAppliesPendingMigrationsInOrderEachAtomically) {
  PGconn* c = PQconnectdb(server_->ConnInfo(db_).c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  const std::string m1 = "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);";
  const std::string m2 = "ALTER TABLE a ADD COLUMN y TEXT;";
  EXPECT_EQ(*PgSchemaVersion(c), 0);
  ASSERT_TRUE(PgMigrate(c, {m1}).ok());
  EXPECT_EQ(*PgSchemaVersion(c), 1);
  // A failing migration is rolled back entirely, its version not recorded.
  const std::string bad = "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);";
  const core::Status s = PgMigrate(c, {m1, bad});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration 2 failed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("no_such_table"), std::string::npos) << s.message();
  EXPECT_EQ(*PgSchemaVersion(c), 1);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), 0)
      << "table b of the failed migration must not exist";
  // Only the pending migration runs (m1 again would fail: table a exists).
  ASSERT_TRUE(PgMigrate(c, {m1, m2}).ok());
  EXPECT_EQ(*PgSchemaVersion(c), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM a WHERE y IS NULL"), 1);
  EXPECT_EQ(PgMigrate(c, {m1}).code(), core::StatusCode::kInvalidArgument);
  PQfinish(c);
}

TEST_F(PgStoreTest, TwoNodesMigratingAtOnceRunEachMigrationOnce) {
  // Slow migrations widen the window: without the advisory lock both nodes read
  // version 0 and the second fails on "relation already exists".
  const std::vector<std::string> slow = {
      "CREATE TABLE slow (x INTEGER); SELECT pg_sleep(0.3);",
      "INSERT INTO slow VALUES (1); SELECT pg_sleep(0.1);",
  };
  constexpr int kNodes = 3;
  std::latch go(kNodes);
  std::vector<core::Status> results(kNodes);
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      PGconn* c = PQconnectdb(server_->ConnInfo(db_).c_str());
      go.arrive_and_wait();
      results[i] =
          PQstatus(c) == CONNECTION_OK ? PgMigrate(c, slow) : core::Unavailable(PQerrorMessage(c));
      PQfinish(c);
    });
  }
  for (auto& t : nodes) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM schema_migrations"), 2);
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM slow"), 1) << "migration 2 ran once";

  // The real schema, through PgStore::Open, from several nodes at once.
  const std::string fresh = NewDatabase();
  ASSERT_FALSE(fresh.empty());
  std::latch open_go(kNodes);
  std::vector<core::Status> opened(kNodes);
  nodes.clear();
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      open_go.arrive_and_wait();
      opened[i] = PgStore::Open(server_->ConnInfo(fresh)).status();
    });
  }
  for (auto& t : nodes) t.join();
  for (const auto& r : opened) EXPECT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(QueryInt(fresh, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PgMigrations().size()));
}

TEST_F(PgStoreTest, ServerRestartIsUnavailableWhileDownThenReconnects) {
  auto store = OpenStore(db_);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertAlert(MakeAlert(1)).ok());
  ASSERT_TRUE(store->InsertEvent(MakeEvent("before", "c1", "x", Severity::kAlert), kT0).ok());

  ASSERT_TRUE(server_->Stop().ok());
  const core::Status down =
      store->InsertEvent(MakeEvent("while_down", "c1", "x", Severity::kAlert), kT0);
  EXPECT_EQ(down.code(), core::StatusCode::kUnavailable) << down.ToString();
  EXPECT_NE(down.message().find("postgres"), std::string::npos) << down.message();
  EXPECT_EQ(store->QueryEvents({}).status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(store->Acknowledge(1, {"ana", kT0, ""}, "").code(), core::StatusCode::kUnavailable);

  const core::Status up = server_->Restart();
  ASSERT_TRUE(up.ok()) << up.ToString();
  // The very first call after the restart works: the store reconnects by itself.
  const core::Status after =
      store->InsertEvent(MakeEvent("after", "c1", "x", Severity::kAlert), kT0);
  EXPECT_TRUE(after.ok()) << after.ToString();
  auto page = store->QueryEvents({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> ids;
  for (const auto& e : page->events) ids.push_back(e.event.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"after", "before"}));
  ASSERT_TRUE(store->Acknowledge(1, {"ana", kT0, ""}, "").ok());
  EXPECT_EQ(store->GetAlert(1)->state, AlertState::kAcknowledged);
}

TEST_F(PgStoreTest, DroppedConnectionIsReplacedOnTheNextCall) {
  auto store = OpenStore(db_);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertEvent(MakeEvent("e1", "c1", "x", Severity::kAlert), kT0).ok());
  // An administrator (or a failover) kills the store's session; the timeout makes
  // pg_terminate_backend wait until the backend is gone.
  auto killed = server_->Query(db_,
                               "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) "
                               "FROM (SELECT pid FROM pg_stat_activity WHERE datname = "
                               "current_database() AND pid <> pg_backend_pid() OFFSET 0) s");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_EQ(*killed, "1");
  const core::Status s = store->InsertEvent(MakeEvent("e2", "c1", "x", Severity::kAlert), kT0);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->QueryEvents({})->events.size(), 2u);
}

// A node paused (SIGSTOP, a frozen VM) inside a fenced write holds its lease row locked
// FOR SHARE; the node taking the camera over must not wait on it until the paused one
// resumes. The server ends the paused session after kPgIdleInTransactionS.
TEST_F(PgStoreTest, ANodePausedInAFencedWriteDoesNotBlockTheTakeOver) {
  auto b = OpenStore();
  ASSERT_NE(b, nullptr);
  const core::WallTime far = kT0 + seconds(3600);
  ASSERT_TRUE(b->AcquireLease("cam1", "a", 0, kT0, kT0 + seconds(10)).ok());
  const std::string conninfo = server_->ConnInfo(db_);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // node a: writes cam1's events under its lease, in batches, forever
    auto a = PgStore::Open(conninfo);
    if (!a.ok()) _exit(1);
    auto fence = std::make_shared<FenceTokens>("a");
    fence->Set("cam1", 1);
    (*a)->SetFencing(fence);
    std::vector<events::Event> batch;
    for (int i = 0; i < 200; ++i) {
      batch.push_back(MakeEvent("e" + std::to_string(i), "cam1", "x", Severity::kAlert));
    }
    while (true) (void)(*a)->InsertEvents(batch, kT0);
  }
  struct Reaper {  // node a never outlives the test, whatever fails
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  } reaper{child};
  // Paused while its transaction holds the lease row (retried until caught inside one).
  const std::string locked =
      "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid) WHERE "
      "l.relation = 'camera_leases'::regclass AND l.mode = 'RowShareLock' AND "
      "s.state = 'idle in transaction' AND s.datname = current_database()";
  bool paused = false;
  for (int i = 0; i < 300 && !paused; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(child, SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    paused = QueryInt(db_, locked) == 1;
    if (!paused) kill(child, SIGCONT);
  }
  ASSERT_TRUE(paused) << "never caught node a inside a write";
  // b takes the lapsed lease over: within the server's idle limit, not when a resumes.
  std::atomic<bool> done{false};
  core::Result<LeaseRecord> taken = core::Internal("not yet");
  std::thread take([&] {
    taken = b->AcquireLease("cam1", "b", 0, far, far + seconds(10));
    done = true;
  });
  const auto start = std::chrono::steady_clock::now();
  while (!done && std::chrono::steady_clock::now() - start < seconds(kPgIdleInTransactionS + 10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool in_time = done;
  kill(child, SIGKILL);  // frees the lock if the server did not
  take.join();
  EXPECT_TRUE(in_time) << "the take-over waited on the paused node's lock";
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->node, "b");
  EXPECT_EQ(taken->epoch, 2);
}

TEST_F(PgStoreTest, TwoNodesShareOneDatabase) {
  auto a = OpenStore(db_);
  auto b = OpenStore(db_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  // Each node sees the other's events; sequence numbers are distinct across nodes.
  constexpr int kPerNode = 25;
  std::latch go(2);
  std::atomic<int> failures{0};
  auto writer = [&](PgStore* s, const std::string& cam) {
    go.arrive_and_wait();
    for (int i = 0; i < kPerNode; ++i) {
      if (!s->InsertEvent(MakeEvent(cam + "/" + std::to_string(i), cam, "x", Severity::kAlert), kT0)
               .ok()) {
        ++failures;
      }
    }
  };
  std::thread ta(writer, a.get(), "node_a");
  std::thread tb(writer, b.get(), "node_b");
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  for (PgStore* s : {a.get(), b.get()}) {
    EventQuery q;
    q.limit = kMaxPageSize;
    auto page = s->QueryEvents(q);
    ASSERT_TRUE(page.ok());
    std::set<int64_t> seqs;
    std::set<std::string> cams;
    for (const auto& e : page->events) {
      seqs.insert(e.seq);
      cams.insert(e.event.camera);
    }
    EXPECT_EQ(seqs.size(), size_t{2 * kPerNode});
    EXPECT_EQ(cams, (std::set<std::string>{"node_a", "node_b"}));
  }

  // Alert ids from the database: distinct across nodes and above stored ids.
  ASSERT_TRUE(a->UpsertAlert(MakeAlert(100)).ok());
  constexpr int kIdsPerNode = 20;
  std::vector<int64_t> ids_a, ids_b;
  std::latch ids_go(2);
  auto take = [&](PgStore* s, std::vector<int64_t>* out) {
    ids_go.arrive_and_wait();
    for (int i = 0; i < kIdsPerNode; ++i) {
      auto id = s->NextAlertId();
      if (id.ok()) out->push_back(*id);
    }
  };
  std::thread ia(take, a.get(), &ids_a);
  std::thread ib(take, b.get(), &ids_b);
  ia.join();
  ib.join();
  ASSERT_EQ(ids_a.size(), size_t{kIdsPerNode});
  ASSERT_EQ(ids_b.size(), size_t{kIdsPerNode});
  std::set<int64_t> all(ids_a.begin(), ids_a.end());
  all.insert(ids_b.begin(), ids_b.end());
  EXPECT_EQ(all.size(), size_t{2 * kIdsPerNode}) << "no id handed out twice";
  EXPECT_GT(*all.begin(), 100) << "ids stay above every stored alert";

  // An alert opened on one node is acknowledged exactly once when operators on
  // both nodes acknowledge it at the same moment.
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    auto id = a->NextAlertId();
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ASSERT_TRUE(a->UpsertAlert(MakeAlert(*id)).ok());
    std::latch ack_go(2);
    core::Status sa, sb;
    std::thread xa([&] {
      ack_go.arrive_and_wait();
      sa = a->Acknowledge(*id, {"ana", kT0, "node a"}, "10.0.0.1");
    });
    std::thread xb([&] {
      ack_go.arrive_and_wait();
      sb = b->Acknowledge(*id, {"bob", kT0, "node b"}, "10.0.0.2");
    });
    xa.join();
    xb.join();
    EXPECT_NE(sa.ok(), sb.ok()) << sa.ToString() << " / " << sb.ToString();
    const core::Status& loser = sa.ok() ? sb : sa;
    EXPECT_EQ(loser.code(), core::StatusCode::kInvalidArgument) << loser.ToString();
    auto seen_by_a = a->GetAlert(*id);
    ASSERT_TRUE(seen_by_a.ok());
    EXPECT_EQ(seen_by_a->state, AlertState::kAcknowledged);
    EXPECT_EQ(seen_by_a->ack->who, sa.ok() ? "ana" : "bob");
    EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM audit_log WHERE what = 'acknowledge alert " +
                                std::to_string(*id) + "'"),
              1);
  }
}

}  // namespace
}  // namespace argus::store

namespace argus::store {
namespace {

TEST_F(PgStoreTest, SiteConfigIsSetFirstOnceThenOnlyOverTheHashItReplaces) {
  auto a = OpenStore(db_);
  auto b = OpenStore(db_);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto none = a->GetSiteConfig();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  // Two first nodes at once: one wins, the other sees it.
  const SiteConfigRecord one{"1111", "v1", "server-1", kT0};
  const SiteConfigRecord two{"2222", "v2", "server-2", kT0 + seconds(1)};
  EXPECT_EQ(*a->PutSiteConfig(one, ""), true);
  EXPECT_EQ(*b->PutSiteConfig(two, ""), false);
  auto got = b->GetSiteConfig();
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->hash, "1111");
  EXPECT_EQ((*got)->version, "v1");
  EXPECT_EQ((*got)->set_by, "server-1");
  EXPECT_EQ((*got)->set_at, kT0);
  // A claim over a hash that moved on does nothing; over the current one it replaces it.
  EXPECT_EQ(*b->PutSiteConfig(two, std::string("9999")), false);
  EXPECT_EQ(*b->PutSiteConfig(two, std::string("1111")), true);
  EXPECT_EQ((*a->GetSiteConfig())->hash, "2222");
  // A reload writes whatever is there.
  EXPECT_EQ(*a->PutSiteConfig(one, std::nullopt), true);
  EXPECT_EQ((*b->GetSiteConfig())->set_by, "server-1");
  // The nodes' rows carry the config they run.
  NodeRecord n{"server-1", "http://a", "0.1.0", kT0, kT0, 2, "1111", "v1"};
  ASSERT_TRUE(a->UpsertNode(n).ok());
  auto nodes = b->ListNodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].config_hash, "1111");
  EXPECT_EQ((*nodes)[0].config_version, "v1");
}

}  // namespace
}  // namespace argus::store
