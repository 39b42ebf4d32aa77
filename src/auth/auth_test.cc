#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "auth/authenticator.h"
#include "auth/secrets.h"
#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::auth {
namespace {

using core::StatusCode;
using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";

TEST(Secrets, HashesWithArgon2idAndVerifies) {
  core::Result<std::string> h = HashPassword(kPassword, PasswordCost::Minimal());
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword(*h, kPassword));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*h, ""));
  EXPECT_FALSE(VerifyPassword("not a hash", kPassword));
  EXPECT_FALSE(VerifyPassword("", kPassword));
  // Salted: the same password never hashes to the same string.
  EXPECT_NE(*h, *HashPassword(kPassword, PasswordCost::Minimal()));
}

TEST(Secrets, PasswordPolicy) {
  EXPECT_EQ(HashPassword("short").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(kMaxPasswordLength + 1, 'x')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckPasswordPolicy(std::string(kMinPasswordLength, 'x')).ok());
}

TEST(Secrets, RandomSecretsAreUrlSafeAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string s = NewSecret();
    EXPECT_EQ(s.size(), 43u);  // 32 bytes in base64url without padding
    EXPECT_EQ(
        s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_TRUE(seen.insert(s).second);
  }
  EXPECT_EQ(HashSecret("abc"), HashSecret("abc"));
  EXPECT_NE(HashSecret("abc"), HashSecret("abd"));
  EXPECT_EQ(HashSecret("abc").size(), 64u);
}

TEST(Roles, ParseAndInclude) {
  Role r;
  ASSERT_TRUE(ParseRole("operator", &r));
  EXPECT_EQ(r, Role::kOperator);
  EXPECT_FALSE(ParseRole("root", &r));
  EXPECT_FALSE(ParseRole("Admin", &r));
  EXPECT_TRUE(Includes(Role::kAdmin, Role::kOperator));
  EXPECT_TRUE(Includes(Role::kOperator, Role::kOperator));
  EXPECT_FALSE(Includes(Role::kViewer, Role::kOperator));
  EXPECT_FALSE(Includes(Role::kOperator, Role::kAdmin));
}

TEST(UserNames, OnlySafeCharacters) {
  EXPECT_TRUE(CheckUserName("anna.b-c_d@museum").ok());
  EXPECT_FALSE(CheckUserName("").ok());
  EXPECT_FALSE(CheckUserName("a b").ok());
  EXPECT_FALSE(CheckUserName("x'; DROP TABLE users;--").ok());
  EXPECT_FALSE(CheckUserName(std::string(kMaxUserNameLength + 1, 'a')).ok());
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    AuthOptions& o = options_;
    o.cost = PasswordCost::Minimal();
    o.session_idle_s = 600;
    o.session_max_s = 3600;
    o.max_login_failures = 3;
    o.max_address_failures = 6;
    o.failure_window_s = 60;
    o.lockout_s = 120;
    auth_ = std::make_unique<Authenticator>(*store_, clock_, o);
    ASSERT_TRUE(auth_->AddUser("anna", kPassword, Role::kOperator, "cli", "").ok());
    ASSERT_TRUE(auth_->AddUser("vic", kPassword, Role::kViewer, "cli", "").ok());
  }

  std::vector<std::string> AuditWhat() {
    std::vector<std::string> out;
    auto entries = store_->ListAudit(0, 1000);
    EXPECT_TRUE(entries.ok());
    for (const store::AuditEntry& e : *entries) {
      out.push_back(e.who + "|" + e.what + "|" + e.from);
    }
    return out;
  }

  // A second node on the same store: its own connection and Authenticator.
  struct Node {
    std::unique_ptr<store::SqliteStore> db;
    std::unique_ptr<Authenticator> auth;
  };
  Node OtherNode() {
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    Node n{std::move(*s), nullptr};
    n.auth = std::make_unique<Authenticator>(*n.db, clock_, options_);
    return n;
  }

  // The daemon stopped and started again: a new store connection, a new Authenticator.
  void Restart() {
    auth_.reset();
    store_.reset();
    auto s = store::SqliteStore::Open(dir_.File("argus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auth_ = std::make_unique<Authenticator>(*store_, clock_, options_);
  }
  // Every limiter row in the store, forgettable or not.
  size_t StoredLimiterRows() {
    auto rows = store_->ListLoginFailures(core::WallTime{});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->size() : 0;
  }

  store::testing::TempDir dir_;
  core::FakeClock clock_{store::testing::kT0};
  AuthOptions options_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, LoginMakesASessionWithTheUsersRole) {
  core::Result<Session> s = auth_->Login("anna", kPassword, "10.0.0.5");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->who.name, "anna");
  EXPECT_EQ(s->who.role, Role::kOperator);
  EXPECT_EQ(s->expires_at, clock_.Now() + 3600s);
  core::Result<Principal> p = auth_->FromSession(s->secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "anna");
  EXPECT_FALSE(p->via_token);
  EXPECT_EQ(auth_->FromSession("forged").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(AuditWhat().front(), "anna|login|10.0.0.5");
}

TEST_F(AuthenticatorTest, WrongPasswordUnknownAndDisabledUsersLookTheSame) {
  core::Status wrong = auth_->Login("anna", "wrong password!", "a").status();
  core::Status unknown = auth_->Login("nobody", kPassword, "b").status();
  ASSERT_TRUE(auth_->UpdateUser("vic", {.disabled = true}, "admin", "").ok());
  core::Status disabled = auth_->Login("vic", kPassword, "c").status();
  for (const core::Status& st : {wrong, unknown, disabled}) {
    EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(st.message(), wrong.message());
  }
  std::vector<std::string> audit = AuditWhat();
  EXPECT_NE(std::find(audit.begin(), audit.end(), "nobody|login failed|b"), audit.end());
}

TEST_F(AuthenticatorTest, SessionsExpireWhenIdleAndAtTheirLimit) {
  core::Result<Session> s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  clock_.Advance(599s);
  EXPECT_TRUE(auth_->FromSession(s->secret).ok());  // refreshes idleness
  clock_.Advance(599s);
  EXPECT_TRUE(auth_->FromSession(s->secret).ok());
  clock_.Advance(600s);
  core::Result<Principal> idle = auth_->FromSession(s->secret);
  EXPECT_EQ(idle.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(idle.status().message().find("expired"), std::string::npos);

  // Busy all the time: still ends at the absolute limit.
  core::Result<Session> busy = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(busy.ok());
  for (int i = 0; i < 11; ++i) {
    clock_.Advance(300s);
    EXPECT_TRUE(auth_->FromSession(busy->secret).ok()) << i;
  }
  clock_.Advance(300s);
  EXPECT_FALSE(auth_->FromSession(busy->secret).ok());
  EXPECT_EQ(auth_->session_count(), 0u);
}

TEST_F(AuthenticatorTest, LogoutEndsTheSession) {
  core::Result<Session> s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  auth_->Logout(s->secret);
  EXPECT_FALSE(auth_->FromSession(s->secret).ok());
}

// Several nodes on one store (each its own connection and Authenticator): a session made
// on one is known to all, and ends on all.
TEST_F(AuthenticatorTest, SessionsLiveInTheStoreForEveryNodeAndRestart) {
  Node node = OtherNode();
  Authenticator& other = *node.auth;
  store::SqliteStore* conn = node.db.get();
  core::Result<Session> s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  core::Result<Principal> there = other.FromSession(s->secret);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  EXPECT_EQ(there->name, "anna");
  EXPECT_EQ(there->role, Role::kOperator);
  // Only the hash is stored.
  EXPECT_FALSE(conn->GetSession(s->secret).ok());
  EXPECT_TRUE(conn->GetSession(HashSecret(s->secret)).ok());

  other.Logout(s->secret);
  EXPECT_EQ(auth_->FromSession(s->secret).status().code(), StatusCode::kUnauthenticated)
      << "logged out on the other node";

  // A user change on one node ends the sessions on the other.
  s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(other.FromSession(s->secret).ok());
  ASSERT_TRUE(auth_->UpdateUser("anna", {.role = Role::kViewer}, "admin", "").ok());
  EXPECT_FALSE(other.FromSession(s->secret).ok());
  EXPECT_EQ(*conn->PruneSessions(clock_.Now(), core::WallTime{}, 100), 0);

  // A restart keeps the sessions.
  s = auth_->Login("vic", kPassword, "a");
  ASSERT_TRUE(s.ok());
  Restart();
  EXPECT_TRUE(auth_->FromSession(s->secret).ok());
  EXPECT_EQ(auth_->session_count(), 1u);
}

TEST_F(AuthenticatorTest, ARequestOnAnyNodeKeepsTheSessionFromGoingIdle) {
  Node node = OtherNode();
  Authenticator& other = *node.auth;
  core::Result<Session> s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 4; ++i) {  // 4 x 500 s, alternating nodes, each gap below 600 s
    clock_.Advance(500s);
    Authenticator& node = i % 2 ? *auth_ : other;
    EXPECT_TRUE(node.FromSession(s->secret).ok()) << i;
  }
  clock_.Advance(601s + std::chrono::seconds(static_cast<int>(kSessionTouchS)));
  EXPECT_FALSE(other.FromSession(s->secret).ok());
  EXPECT_FALSE(auth_->FromSession(s->secret).ok());
}

TEST_F(AuthenticatorTest, WhileTheStoreIsDownKnownSessionsGoOnAndLogoutsHold) {
  core::Result<Session> known = auth_->Login("anna", kPassword, "a");
  core::Result<Session> gone = auth_->Login("vic", kPassword, "a");
  ASSERT_TRUE(known.ok() && gone.ok());
  ASSERT_TRUE(auth_->FromSession(known->secret).ok());
  std::string err;
  ASSERT_EQ(store::testing::RawExec(dir_.File("argus.db"), "DROP TABLE sessions", &err), 0) << err;
  EXPECT_TRUE(auth_->FromSession(known->secret).ok()) << "served from this process's copy";
  auth_->Logout(gone->secret);
  EXPECT_FALSE(auth_->FromSession(gone->secret).ok());
  EXPECT_FALSE(auth_->FromSession("never seen").ok());
  EXPECT_EQ(auth_->Login("anna", kPassword, "a").status().code(), StatusCode::kUnavailable);
}

TEST_F(AuthenticatorTest, GuessingOneUsersPasswordLocksThatUserOutFromThatAddress) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(auth_->Login("anna", "guess number " + std::to_string(i), "6.6.6.6").status().code(),
              StatusCode::kUnauthenticated);
  }
  // Refused from there even with the right password, which is not even checked.
  core::Status st = auth_->Login("anna", kPassword, "6.6.6.6").status();
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_NEAR(auth_->RetryAfterS("anna", "6.6.6.6"), 120, 1);
  // Her own console is not locked out by someone typing her name elsewhere.
  EXPECT_EQ(auth_->RetryAfterS("anna", "10.0.0.1"), 0);
  EXPECT_TRUE(auth_->Login("anna", kPassword, "10.0.0.1").ok());
  // Others behind the same address are not (one NAT address for a whole control room).
  EXPECT_TRUE(auth_->Login("vic", kPassword, "6.6.6.6").ok());
  clock_.Advance(121s);
  EXPECT_TRUE(auth_->Login("anna", kPassword, "6.6.6.6").ok());
}

TEST_F(AuthenticatorTest, RepeatedLockoutsLastTwiceAsLongEachTime) {
  for (double expected : {120.0, 240.0, 480.0}) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(auth_->Login("anna", "guess", "6.6.6.6").status().code(),
                StatusCode::kUnauthenticated);
    }
    EXPECT_NEAR(auth_->RetryAfterS("anna", "6.6.6.6"), expected, 1);
    clock_.Advance(std::chrono::seconds(static_cast<int>(expected) + 1));
  }
}

// The bypass: logging into one's own account between batches of guesses reset the
// address's count, so the address was never locked.
TEST_F(AuthenticatorTest, OwnSuccessfulLoginsDoNotResetTheAddressCount) {
  int failures = 0;
  for (int batch = 0; batch < 4; ++batch) {
    for (int i = 0; i < 2; ++i) {
      if (auth_->Login("user" + std::to_string(batch * 2 + i), "guess", "6.6.6.6")
              .status()
              .code() == StatusCode::kUnauthenticated) {
        ++failures;
      }
    }
    (void)auth_->Login("vic", kPassword, "6.6.6.6");  // refused once the address is locked
  }
  EXPECT_EQ(failures, 6) << "the address limit is 6 failures";
  EXPECT_EQ(auth_->Login("vic", kPassword, "6.6.6.6").status().code(),
            StatusCode::kResourceExhausted);
}

// The race: 40 parallel wrong logins for one user got 13 checked before the lock.
TEST_F(AuthenticatorTest, ParallelGuessesCannotOverrunTheLimit) {
  std::atomic<int> checked{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      const StatusCode c =
          auth_->Login("anna", "guess " + std::to_string(i), "6.6.6.6").status().code();
      ++(c == StatusCode::kUnauthenticated ? checked : refused);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(checked.load(), 3);
  EXPECT_EQ(checked + refused, 40);
  EXPECT_EQ(auth_->Login("anna", kPassword, "6.6.6.6").status().code(),
            StatusCode::kResourceExhausted);
}

TEST_F(AuthenticatorTest, SprayingManyNamesFromOneAddressLocksTheAddressOut) {
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(auth_->Login("user" + std::to_string(i), kPassword, "6.6.6.6").status().code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(auth_->Login("vic", kPassword, "6.6.6.6").status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(auth_->Login("vic", kPassword, "10.0.0.1").ok());
  clock_.Advance(121s);
  EXPECT_TRUE(auth_->Login("vic", kPassword, "6.6.6.6").ok());
}

// The issue: "The lock table lives in memory only"; a restart lifted every lockout.
TEST_F(AuthenticatorTest, ARestartKeepsLockoutsCountsAndTheirGrowth) {
  for (int i = 0; i < 3; ++i) (void)auth_->Login("anna", "guess", "6.6.6.6");
  for (int i = 0; i < 2; ++i) (void)auth_->Login("vic", "guess", "7.7.7.7");
  clock_.Advance(10s);
  Restart();
  EXPECT_NEAR(auth_->RetryAfterS("anna", "6.6.6.6"), 110, 1);
  EXPECT_EQ(auth_->Login("anna", kPassword, "6.6.6.6").status().code(),
            StatusCode::kResourceExhausted);
  // vic's two failures still count: one more locks him out.
  EXPECT_EQ(auth_->Login("vic", "guess", "7.7.7.7").status().code(), StatusCode::kUnauthenticated);
  EXPECT_NEAR(auth_->RetryAfterS("vic", "7.7.7.7"), 120, 1);
  // After the lockout, anna's next one lasts twice as long, also across a restart.
  clock_.Advance(111s);
  Restart();
  ASSERT_EQ(auth_->RetryAfterS("anna", "6.6.6.6"), 0);
  for (int i = 0; i < 3; ++i) (void)auth_->Login("anna", "guess", "6.6.6.6");
  Restart();
  EXPECT_NEAR(auth_->RetryAfterS("anna", "6.6.6.6"), 240, 1);
}

TEST_F(AuthenticatorTest, ASuccessfulLoginForgetsItsOwnCountInTheStoreToo) {
  (void)auth_->Login("anna", "guess", "10.0.0.1");
  (void)auth_->Login("anna", "guess", "10.0.0.1");
  EXPECT_EQ(StoredLimiterRows(), 2u);  // her name at that address, and the address
  ASSERT_TRUE(auth_->Login("anna", kPassword, "10.0.0.1").ok());
  EXPECT_EQ(StoredLimiterRows(), 1u) << "the address's count stays";
  Restart();
  for (int i = 0; i < 2; ++i) (void)auth_->Login("anna", "guess", "10.0.0.1");
  EXPECT_EQ(auth_->RetryAfterS("anna", "10.0.0.1"), 0) << "two fresh failures, not four";
}

// The old note: the table was pruned only when a login succeeded, so failures alone (a
// spray from many addresses) grew it without end. Now each failure prunes a few entries.
TEST_F(AuthenticatorTest, FailedLoginsPruneForgottenEntriesInBoundedSteps) {
  for (int i = 0; i < 50; ++i) (void)auth_->Login("anna", "guess", "10.1.0." + std::to_string(i));
  ASSERT_EQ(StoredLimiterRows(), 100u);
  clock_.Advance(61s);  // past the window; none was locked out
  (void)auth_->Login("vic", "guess", "10.2.0.1");
  // One failure: its own two rows added, at most kPruneStep old ones gone.
  EXPECT_EQ(StoredLimiterRows(), 102u - kPruneStep);
  for (int i = 2; i <= 30; ++i) (void)auth_->Login("vic", "guess", "10.2.0." + std::to_string(i));
  // The new ones (30 addresses, 60 rows) stay; every old one is gone.
  EXPECT_EQ(StoredLimiterRows(), 60u);
  Restart();
  EXPECT_EQ(auth_->Login("vic", "guess", "10.2.0.1").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, FailuresOutsideTheWindowDoNotAccumulate) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(auth_->Login("anna", "typo in password", "a").status().code(),
              StatusCode::kUnauthenticated);
    clock_.Advance(31s);  // 2 failures per 60 s window at most
  }
  EXPECT_TRUE(auth_->Login("anna", kPassword, "a").ok());
}

TEST_F(AuthenticatorTest, ChangingAUserEndsTheirSessions) {
  core::Result<Session> s = auth_->Login("vic", kPassword, "a");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(auth_->UpdateUser("vic", {.role = Role::kOperator}, "admin", "b").ok());
  EXPECT_FALSE(auth_->FromSession(s->secret).ok());
  core::Result<Session> again = auth_->Login("vic", kPassword, "a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->who.role, Role::kOperator);
  ASSERT_TRUE(
      auth_->UpdateUser("vic", {.password = std::string("new password 123")}, "vic", "a").ok());
  EXPECT_FALSE(auth_->FromSession(again->secret).ok());
  EXPECT_FALSE(auth_->Login("vic", kPassword, "a").ok());
  EXPECT_TRUE(auth_->Login("vic", "new password 123", "a").ok());
  EXPECT_EQ(auth_->UpdateUser("ghost", {.disabled = true}, "admin", "").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(auth_->UpdateUser("vic", {}, "admin", "").status().code(),
            StatusCode::kInvalidArgument);
}

// `argus user set` runs in another process and changes only the store: the daemon's
// sessions of that user must end at their next request all the same.
TEST_F(AuthenticatorTest, UserChangedInTheStoreBehindOurBackEndsTheirSessions) {
  auto change = [&](const std::function<void(store::UserRecord&)>& edit) {
    core::Result<Session> s = auth_->Login("anna", kPassword, "a");
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(auth_->FromSession(s->secret).ok());
    core::Result<store::UserRecord> u = store_->GetUser("anna");
    EXPECT_TRUE(u.ok());
    store::UserRecord before = *u;
    edit(*u);
    EXPECT_TRUE(store_->UpsertUser(*u).ok());
    core::Result<Principal> p = auth_->FromSession(s->secret);
    EXPECT_EQ(p.status().code(), StatusCode::kUnauthenticated);
    EXPECT_TRUE(store_->UpsertUser(before).ok());
  };
  change([](store::UserRecord& u) { u.disabled = true; });
  change([](store::UserRecord& u) { u.role = "viewer"; });
  change([&](store::UserRecord& u) {
    u.password_hash = *HashPassword(kPassword, PasswordCost::Minimal());
  });
  // An unchanged record keeps the session.
  core::Result<Session> s = auth_->Login("anna", kPassword, "a");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(store_->UpsertUser(*store_->GetUser("anna")).ok());
  EXPECT_TRUE(auth_->FromSession(s->secret).ok());
}

TEST_F(AuthenticatorTest, AddUserRefusesDuplicatesBadNamesAndWeakPasswords) {
  EXPECT_EQ(auth_->AddUser("anna", kPassword, Role::kAdmin, "cli", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(auth_->AddUser("bad name", kPassword, Role::kAdmin, "cli", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(auth_->AddUser("bob", "123", Role::kAdmin, "cli", "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetUser("bob").status().code(), StatusCode::kNotFound);
}

TEST_F(AuthenticatorTest, ApiTokensAuthenticateUntilRevoked) {
  auto t = auth_->CreateToken("bms", Role::kOperator, "admin", "10.0.0.2");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const auto& [id, secret] = *t;
  core::Result<Principal> p = auth_->FromToken(secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "token:bms");
  EXPECT_EQ(p->role, Role::kOperator);
  EXPECT_TRUE(p->via_token);
  // Only the digest is stored.
  auto tokens = store_->ListApiTokens();
  ASSERT_TRUE(tokens.ok());
  for (const store::ApiTokenRecord& r : *tokens) {
    EXPECT_EQ(r.token_hash.find(secret), std::string::npos);
  }
  EXPECT_EQ(auth_->FromToken(secret + "x").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->FromToken("").status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(auth_->RevokeToken(id, "admin", "10.0.0.2").ok());
  EXPECT_EQ(auth_->FromToken(secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->RevokeToken(id + 100, "admin", "").code(), StatusCode::kNotFound);
  std::vector<std::string> audit = AuditWhat();
  EXPECT_EQ(audit.front(), "admin|revoke token " + std::to_string(id) + "|10.0.0.2");
}

}  // namespace
}  // namespace argus::auth
