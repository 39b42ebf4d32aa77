#include "app/first_admin.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/clock.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

TEST(FirstAdmin, CreatesAnAdminWithAOneTimePasswordThatMustBeChanged) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  core::FakeClock clock{store::testing::kT0};
  auth::AuthOptions ao;
  ao.cost = auth::PasswordCost::Minimal();
  auth::Authenticator authn(**db, clock, ao);
  const std::string data_dir = dir.File("data");

  FirstAdmin first(**db, data_dir);
  auto otp = first.Ensure(authn);
  ASSERT_TRUE(otp.ok()) << otp.status().ToString();
  ASSERT_TRUE(otp->has_value());
  EXPECT_GE((*otp)->size(), 16u);
  auto user = (*db)->GetUser(kFirstAdminName);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->role, "admin");
  EXPECT_TRUE(authn.Login(kFirstAdminName, **otp, "127.0.0.1").ok());
  EXPECT_TRUE(first.MustChange(kFirstAdminName));
  EXPECT_FALSE(first.MustChange("someone"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(data_dir) / kFirstAdminFile));

  // A restart: users exist, nothing new is created, the password is still pending.
  FirstAdmin again(**db, data_dir);
  auto none = again.Ensure(authn);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE(again.MustChange(kFirstAdminName));
  auto users = (*db)->ListUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 1u);

  // Changed (through the API or `argus user set`): no longer restricted, for good.
  auth::Authenticator::UserChange change;
  change.password = "my own password 2026";
  ASSERT_TRUE(authn.UpdateUser(kFirstAdminName, change, kFirstAdminName, "").ok());
  EXPECT_FALSE(again.MustChange(kFirstAdminName));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(data_dir) / kFirstAdminFile));
  FirstAdmin third(**db, data_dir);
  ASSERT_TRUE(third.Ensure(authn).ok());
  EXPECT_FALSE(third.MustChange(kFirstAdminName));
}

}  // namespace
}  // namespace argus::app
