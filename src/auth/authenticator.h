// Who is calling, and may they: users with passwords and roles, login sessions,
// API tokens, login rate limiting, and the audit entries these produce.
//
// Users, API tokens and login sessions live in the Store (so `argus user add` and the
// daemon share them, and with a PostgreSQL store a login on one node works on every node
// and survives a restart). Each session remembers the user record it was made from and
// compares it with the store on every request: a change made through the API or by
// `argus user set` in another process or on another node (disabled, new role, new
// password) ends that user's sessions at once, as does a logout anywhere. While the store
// is unreachable, sessions this process has seen keep working from its memory (logins do
// not: the user record is in the store); logouts made meanwhile reach the store later.
// Rate limiting (its counts and lockouts are kept in the store, so a restart keeps them):
// after max_login_failures failed logins for one user name from one client
// address within failure_window_s, that name is refused from that address; after
// max_address_failures failures from one address (any names: spraying), everything from
// that address is refused. Each lockout lasts lockout_s, doubled for every further lockout
// of the same key (up to kMaxLockoutS), and refuses without checking the password (no
// oracle for the guesser, no Argon2 time spent). Nobody can lock a named operator out from
// everywhere: her own console keeps its own count. A successful login clears only its own
// name-and-address count, never the address's. Attempts are reserved before the password is
// checked, so parallel guesses cannot overrun a limit.
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/roles.h"
#include "auth/secrets.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace argus::auth {

inline constexpr double kDefaultSessionIdleS = 2 * 3600.0;  // no request for this long
inline constexpr double kDefaultSessionMaxS = 12 * 3600.0;  // a control-room shift
inline constexpr int kDefaultMaxLoginFailures = 5;          // per user name and address
inline constexpr int kDefaultMaxAddressFailures = 20;       // per client address
inline constexpr double kDefaultFailureWindowS = 300;
inline constexpr double kDefaultLockoutS = 300;
inline constexpr double kMaxLockoutS = 24 * 3600.0;  // the growing back-off stops here
// A key's lockout count is forgotten after this long without a failure.
inline constexpr double kLockoutMemoryS = 24 * 3600.0;
inline constexpr size_t kDefaultMaxSessions = 10000;
// A session's last_seen in the store is refreshed at most this often (idleness is
// measured from it on other nodes, so they may see a session idle this much early).
inline constexpr double kSessionTouchS = 30;
inline constexpr size_t kMaxUserNameLength = 64;
// Limiter entries examined for expiry per failed login (in memory and in the store).
inline constexpr size_t kPruneStep = 8;

struct AuthOptions {
  double session_idle_s = kDefaultSessionIdleS;
  double session_max_s = kDefaultSessionMaxS;
  int max_login_failures = kDefaultMaxLoginFailures;
  int max_address_failures = kDefaultMaxAddressFailures;
  double failure_window_s = kDefaultFailureWindowS;
  double lockout_s = kDefaultLockoutS;
  size_t max_sessions = kDefaultMaxSessions;
  PasswordCost cost = PasswordCost::Interactive();
};

// The authenticated caller of one request.
struct Principal {
  std::string name;  // user name, or "token:<name>" for an API token
  Role role = Role::kViewer;
  bool via_token = false;
};

struct Session {
  std::string secret;  // the cookie value; shown once, only its hash is kept
  Principal who;
  core::WallTime expires_at;  // the absolute limit; idleness may end it earlier
};

// Letters, digits and . _ - @, 1..kMaxUserNameLength.
core::Status CheckUserName(const std::string& name);

class Authenticator {
 public:
  // `store` and `clock` must outlive the Authenticator.
  Authenticator(store::Store& store, const core::Clock& clock, AuthOptions options = {});

  // kUnauthenticated for a wrong password, an unknown or a disabled user (one
  // message for all three); kResourceExhausted while locked out (see
  // RetryAfterS); kUnavailable when the store fails. Audited either way.
  core::Result<Session> Login(const std::string& user, const std::string& password,
                              const std::string& from);
  // Seconds until `from` / `user` may try again; 0 when not locked out.
  double RetryAfterS(const std::string& user, const std::string& from);
  void Logout(const std::string& session_secret);
  // kUnauthenticated when unknown, expired or idle for too long; refreshes idleness.
  core::Result<Principal> FromSession(const std::string& session_secret);
  // kUnauthenticated for unknown or revoked tokens.
  core::Result<Principal> FromToken(const std::string& token_secret);

  // User administration; `by` and `from` go to the audit log.
  core::Result<store::UserRecord> AddUser(const std::string& name, const std::string& password,
                                          Role role, const std::string& by,
                                          const std::string& from);
  struct UserChange {
    std::optional<Role> role;
    std::optional<std::string> password;
    std::optional<bool> disabled;
  };
  // Any change ends the user's sessions (they log in again with the new rights).
  core::Result<store::UserRecord> UpdateUser(const std::string& name, const UserChange& change,
                                             const std::string& by, const std::string& from);
  // Returns {id, secret}: the secret is shown once and never stored.
  core::Result<std::pair<int64_t, std::string>> CreateToken(const std::string& name, Role role,
                                                            const std::string& by,
                                                            const std::string& from);
  core::Status RevokeToken(int64_t id, const std::string& by, const std::string& from);

  size_t session_count();

 private:
  // This process's copy of a stored session: served from when the store is down.
  struct SessionState {
    Principal who;
    core::WallTime expires_at;
    core::WallTime last_seen;
    std::string credentials;          // UserCredentials() of the record the session was made from
    core::WallTime stored_last_seen;  // last_seen as the store has it
  };
  struct Failures {
    std::vector<core::WallTime> at;  // within the window, oldest first
    core::WallTime locked_until{};
    int pending = 0;   // attempts reserved, password not yet checked
    int lockouts = 0;  // lockouts so far: each one lasts twice as long as the last
  };

  // When `f` stops mattering: no lockout, no failure in the window, lockout count forgotten.
  core::WallTime ForgetAt(const Failures& f) const;
  store::LoginFailureRecord RecordOf(const std::string& key) const;  // mu_ held
  // Drops up to kPruneStep forgettable entries, resuming where the last call stopped, so
  // the failure path does bounded work however large the table is.
  void PruneSomeFailures(core::WallTime now);  // mu_ held
  // Writes the limiter's changes to the store (persist_mu_ held, mu_ not).
  void Persist(const std::vector<store::LoginFailureRecord>& save,
               const std::vector<std::string>& forget, core::WallTime now);
  double LockedForS(const std::string& key, core::WallTime now);  // mu_ held
  // Whether another attempt would overrun `limit` counting those still being checked.
  bool Full(const std::string& key, int limit);                               // mu_ held
  void RecordFailure(const std::string& key, int limit, core::WallTime now);  // mu_ held
  void Release(const std::string& key);                                       // mu_ held
  void Audit(const std::string& who, const std::string& what, const std::string& from);
  void EndSessionsOf(const std::string& user);
  void PurgeExpired(core::WallTime now);  // mu_ held
  bool Ended(const SessionState& s, core::WallTime now) const;
  // Deletes from the store the sessions logged out while it was unreachable.
  void FlushPendingLogouts();
  // A session the store does not answer for: this process's copy, if still valid.
  core::Result<Principal> FromLocalSession(const std::string& key, core::WallTime now);
  void Remember(const std::string& key, SessionState s);  // mu_ held

  store::Store& store_;
  const core::Clock& clock_;
  AuthOptions options_;
  // A valid hash that matches nothing: unknown users cost the same time as known ones.
  std::string dummy_hash_;

  std::mutex mu_;
  std::map<std::string, SessionState> sessions_;  // by HashSecret(secret), a local cache
  std::vector<std::string> pending_logouts_;      // hashes the store has not deleted yet
  std::map<std::string, Failures> failures_;      // "addr:<ip>" and "user:<name>@<ip>"
  std::string prune_cursor_;                      // PruneSomeFailures resumes after it
  // Orders the limiter's store writes; taken before mu_, never while holding it.
  std::mutex persist_mu_;
};

}  // namespace argus::auth
