// PgNotifyChannel against a real PostgreSQL started by the test (testing::PgServer).
#include "store/pg_notify.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "core/testing/wait.h"
#include "store/pg_store.h"
#include "store/testing/pg_database_test.h"

namespace argus::store {
namespace {

// A channel that keeps what it hears.
struct Ear {
  std::mutex mu;
  std::vector<std::string> heard;
  PgNotifyChannel::Handler Handler() {
    return [this](const std::string& p) {
      std::lock_guard lock(mu);
      heard.push_back(p);
    };
  }
  std::vector<std::string> Heard() {
    std::lock_guard lock(mu);
    return heard;
  }
};

using core::testing::WaitUntil;

using PgNotifyTest = testing::PgDatabaseTest;

TEST_F(PgNotifyTest, OthersHearWhatOneSendsAndNoOneHearsItself) {
  Ear a_ear, b_ear, c_ear;
  PgNotifyChannel a(server_->ConnInfo(db_), "news", a_ear.Handler());
  PgNotifyChannel b(server_->ConnInfo(db_), "news", b_ear.Handler());
  PgNotifyChannel c(server_->ConnInfo(db_), "other", c_ear.Handler());
  a.Start();
  b.Start();
  c.Start();
  ASSERT_TRUE(WaitUntil([&] { return a.listening() && b.listening() && c.listening(); }, 20));
  ASSERT_TRUE(a.Send("one"));
  ASSERT_TRUE(a.Send("two"));
  ASSERT_TRUE(b.Send("three"));
  EXPECT_TRUE(
      WaitUntil([&] { return b_ear.Heard().size() == 2 && a_ear.Heard().size() == 1; }, 10));
  EXPECT_EQ(b_ear.Heard(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(a_ear.Heard(), (std::vector<std::string>{"three"}));
  EXPECT_TRUE(c_ear.Heard().empty()) << "another channel";
  EXPECT_EQ(a.sent(), 2u);
  EXPECT_FALSE(a.Send(std::string(kPgNotifyMaxPayload + 1, 'x'))) << "over PostgreSQL's limit";
}

TEST_F(PgNotifyTest, AReleasedLeaseIsToldOnItsChannelAndOnlyWhenItWasHeld) {
  Ear ear;
  PgNotifyChannel other_node(server_->ConnInfo(db_), kPgLeaseReleasedChannel, ear.Handler());
  other_node.Start();
  ASSERT_TRUE(WaitUntil([&] { return other_node.listening(); }, 20));
  std::unique_ptr<PgStore> db = OpenStore();
  ASSERT_TRUE(db);
  const core::WallTime now = std::chrono::system_clock::now();
  auto lease = db->AcquireLease("cam_a", "a", 0, now, now + std::chrono::seconds(10));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  // Not the holder's epoch: nothing released, nothing told.
  ASSERT_TRUE(db->ReleaseLease("cam_a", "a", lease->epoch + 1).ok());
  ASSERT_TRUE(db->ReleaseLease("cam_a", "a", lease->epoch).ok());
  EXPECT_TRUE(WaitUntil([&] { return !ear.Heard().empty(); }, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ear.Heard(), std::vector<std::string>{"cam_a"});
}

TEST_F(PgNotifyTest, ReconnectsAfterTheServerRestarts) {
  Ear a_ear, b_ear;
  PgNotifyChannel a(server_->ConnInfo(db_), "news", a_ear.Handler());
  PgNotifyChannel b(server_->ConnInfo(db_), "news", b_ear.Handler());
  a.Start();
  b.Start();
  ASSERT_TRUE(WaitUntil([&] { return a.listening() && b.listening(); }, 20));
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_TRUE(WaitUntil([&] { return !a.listening() && !b.listening(); }, 10));
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(WaitUntil([&] { return a.listening() && b.listening(); }, 30));
  a.Send("after");
  EXPECT_TRUE(WaitUntil([&] { return !b_ear.Heard().empty(); }, 10));
  EXPECT_EQ(b_ear.Heard(), (std::vector<std::string>{"after"}));
}

TEST(PgNotifyUnreachable, StopsPromptlyWhileRetrying) {
  Ear ear;
  PgNotifyChannel ch("host=/nonexistent/argus port=5999 dbname=argus", "news", ear.Handler());
  ch.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(ch.listening());
  const auto t0 = std::chrono::steady_clock::now();
  ch.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace argus::store
