// The site records of the PostgreSQL store (store::SiteStore) against a real server
// started by the test: lease history kept by triggers, and a site alert raised once
// however many nodes raise it at once.
#include "store/site_store.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "store/open_store.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"
#include "store/testing/pg_database_test.h"

namespace argus::store {
namespace {

using std::chrono::seconds;
using testing::kT0;

using SiteStoreTest = testing::PgDatabaseTest;

events::Alert NodeLost(int64_t id, const std::string& occurrence) {
  events::Alert a;
  a.id = id;
  a.rule = "node:b";
  a.type = "node_offline";
  a.severity = events::Severity::kAlert;
  a.opened_at = a.last_event_at = kT0;
  a.incident_ids = {occurrence};
  return a;
}

TEST_F(SiteStoreTest, RemembersWhichNodeHeldEachLeaseEpoch) {
  auto db = OpenStore();
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(SiteStoreOf(*db), db.get());
  ASSERT_TRUE(db->AcquireLease("cam", "a", 0, kT0, kT0 + seconds(10)).ok());  // epoch 1
  ASSERT_TRUE(db->AcquireLease("cam", "a", 1, kT0 + seconds(3), kT0 + seconds(13)).ok());
  // a's lease ran out: b takes the camera (epoch 2).
  ASSERT_TRUE(db->AcquireLease("cam", "b", 0, kT0 + seconds(20), kT0 + seconds(30)).ok());
  auto first = db->LeaseHolderAt("cam", 1);
  auto second = db->LeaseHolderAt("cam", 2);
  ASSERT_TRUE(first.ok() && second.ok()) << first.status().ToString();
  EXPECT_EQ(*first, "a");
  EXPECT_EQ(*second, "b");
  EXPECT_EQ(db->LeaseHolderAt("cam", 3).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(db->LeaseHolderAt("other", 1).status().code(), core::StatusCode::kNotFound);
}

TEST_F(SiteStoreTest, ASiteAlertRaisedByManyNodesAtOnceIsStoredOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PgStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(OpenStore());
  for (auto& n : nodes) ASSERT_NE(n, nullptr);
  std::vector<SiteStore::Raised> raised(kNodes);
  std::latch go(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto next = nodes[i]->NextAlertId();
      const int64_t id = next.ok() ? *next : 0;
      go.arrive_and_wait();
      auto r = nodes[i]->RaiseSiteAlert(NodeLost(id, "node:b@1000"));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) raised[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  int inserted = 0;
  for (const auto& r : raised) {
    inserted += r.inserted ? 1 : 0;
    EXPECT_EQ(r.id, raised[0].id) << "every node learns the one alert's id";
  }
  EXPECT_EQ(inserted, 1);
  auto stored = nodes[0]->GetAlert(raised[0].id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->type, "node_offline");
  // Resolved, the same occurrence is still not raised again; another one is.
  ASSERT_TRUE(nodes[0]->Acknowledge(raised[0].id, {"argus", kT0, ""}, "").ok());
  ASSERT_TRUE(nodes[0]->Resolve(raised[0].id, {"argus", kT0, ""}, "").ok());
  auto again = nodes[1]->RaiseSiteAlert(NodeLost(*nodes[1]->NextAlertId(), "node:b@1000"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->inserted);
  auto next = nodes[1]->RaiseSiteAlert(NodeLost(*nodes[1]->NextAlertId(), "node:b@9000"));
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->inserted);
  EXPECT_NE(next->id, raised[0].id);
  // A camera's alert is not a site alert.
  events::Alert cam = NodeLost(*nodes[1]->NextAlertId(), "x");
  cam.camera = "cam";
  EXPECT_EQ(nodes[1]->RaiseSiteAlert(cam).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(SiteStoreOfSqlite, OneNodeHasNoSiteRecords) {
  testing::TempDir dir;
  auto db = SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(SiteStoreOf(**db), nullptr);
}

}  // namespace
}  // namespace argus::store
