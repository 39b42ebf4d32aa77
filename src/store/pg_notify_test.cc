// PgNotifyChannel against a real PostgreSQL started by the test (testing::PgServer).
#include "store/pg_notify.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "store/testing/pg_server.h"

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

bool WaitFor(const std::function<bool()>& pred, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

class PgNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedPgServer();
    ASSERT_TRUE(server.ok()) << "PostgreSQL test server: " << server.status().ToString();
    server_ = *server;
    static std::atomic<int> counter{0};
    db_ = "pg_notify_" + std::to_string(++counter);
    ASSERT_TRUE(server_->CreateDatabase(db_).ok());
  }
  testing::PgServer* server_ = nullptr;
  std::string db_;
};

TEST_F(PgNotifyTest, OthersHearWhatOneSendsAndNoOneHearsItself) {
  Ear a_ear, b_ear, c_ear;
  PgNotifyChannel a(server_->ConnInfo(db_), "news", a_ear.Handler());
  PgNotifyChannel b(server_->ConnInfo(db_), "news", b_ear.Handler());
  PgNotifyChannel c(server_->ConnInfo(db_), "other", c_ear.Handler());
  a.Start();
  b.Start();
  c.Start();
  ASSERT_TRUE(WaitFor([&] { return a.listening() && b.listening() && c.listening(); }, 20));
  ASSERT_TRUE(a.Send("one"));
  ASSERT_TRUE(a.Send("two"));
  ASSERT_TRUE(b.Send("three"));
  EXPECT_TRUE(WaitFor([&] { return b_ear.Heard().size() == 2 && a_ear.Heard().size() == 1; }, 10));
  EXPECT_EQ(b_ear.Heard(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(a_ear.Heard(), (std::vector<std::string>{"three"}));
  EXPECT_TRUE(c_ear.Heard().empty()) << "another channel";
  EXPECT_EQ(a.sent(), 2u);
  EXPECT_FALSE(a.Send(std::string(kPgNotifyMaxPayload + 1, 'x'))) << "over PostgreSQL's limit";
}

TEST_F(PgNotifyTest, ReconnectsAfterTheServerRestarts) {
  Ear a_ear, b_ear;
  PgNotifyChannel a(server_->ConnInfo(db_), "news", a_ear.Handler());
  PgNotifyChannel b(server_->ConnInfo(db_), "news", b_ear.Handler());
  a.Start();
  b.Start();
  ASSERT_TRUE(WaitFor([&] { return a.listening() && b.listening(); }, 20));
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_TRUE(WaitFor([&] { return !a.listening() && !b.listening(); }, 10));
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return a.listening() && b.listening(); }, 30));
  a.Send("after");
  EXPECT_TRUE(WaitFor([&] { return !b_ear.Heard().empty(); }, 10));
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
