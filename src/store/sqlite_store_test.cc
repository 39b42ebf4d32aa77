// SQLite-only tests (file, WAL, schema_version, Migrate); the cases every backend
// must pass are in store_contract_test.cc, crash safety in crash_safety_test.cc.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/test_util.h"

namespace argus::store {
namespace {

using testing::RawExec;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
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

}  // namespace
}  // namespace argus::store
