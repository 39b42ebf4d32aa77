// A DaemonTest with a PostgreSQL server of its own (initdb'd by the test, stopped at
// its end) and an empty database "argus" on it: for `argus serve` nodes sharing a store.
// Skips when PostgreSQL is not installed.
#pragma once

#include <memory>

#include "store/testing/pg_server.h"
#include "tests/serve_support.h"

namespace argus::testing {

class PgDaemonTest : public DaemonTest {
 protected:
  using DaemonTest::DaemonTest;
  void SetUp() override {
    DaemonTest::SetUp();
    if (IsSkipped()) return;
    auto server = store::testing::PgServer::Start();
    if (!server.ok() && server.status().code() == core::StatusCode::kNotFound) {
      GTEST_SKIP() << "PostgreSQL is not installed: " << server.status().ToString();
    }
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    pg_ = std::move(*server);
    ASSERT_TRUE(pg_->CreateDatabase("argus").ok());
  }

  std::unique_ptr<store::testing::PgServer> pg_;
};

}  // namespace argus::testing
