// A test fixture with a fresh database of its own on the process's shared test
// PostgreSQL server (tests only).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "store/pg_store.h"
#include "store/testing/pg_server.h"

namespace argus::store::testing {

class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = SharedPgServer();
    ASSERT_TRUE(server.ok()) << "PostgreSQL test server: " << server.status().ToString();
    server_ = *server;
    db_ = NewDatabase();
    ASSERT_FALSE(db_.empty());
  }
  // A fresh, empty database; "" (and a test failure) if it cannot be created.
  std::string NewDatabase() {
    static std::atomic<int> counter{0};
    std::string name = "test_" + std::to_string(++counter);
    const core::Status s = server_->CreateDatabase(name);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? name : "";
  }
  // The store on `db` (the test's own database by default); null after a test failure.
  std::unique_ptr<PgStore> OpenStore(const std::string& db = "") {
    auto s = PgStore::Open(server_->ConnInfo(db.empty() ? db_ : db));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  PgServer* server_ = nullptr;
  std::string db_;
};

}  // namespace argus::store::testing
