#include "auth/authenticator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

namespace argus::auth {
namespace {

using Seconds = std::chrono::duration<double>;

core::WallTime Plus(core::WallTime t, double s) {
  return t + std::chrono::duration_cast<core::WallTime::duration>(Seconds(s));
}

double SecondsBetween(core::WallTime from, core::WallTime to) {
  return std::chrono::duration_cast<Seconds>(to - from).count();
}

const char* kBadLogin = "wrong user name or password";

std::string AddressKey(const std::string& from) { return "addr:" + from; }
std::string UserKey(const std::string& user, const std::string& from) {
  return "user:" + user + "@" + from;
}

// What a session depends on: any change to it ends the session. The password hash is
// salted, so a new password (even the same one) changes it.
std::string UserCredentials(const store::UserRecord& u) {
  return HashSecret(u.role + "\n" + u.password_hash + "\n" + (u.disabled ? "1" : "0"));
}

}  // namespace

core::Status CheckUserName(const std::string& name) {
  const bool ok_chars = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
  });
  if (name.empty() || name.size() > kMaxUserNameLength || !ok_chars) {
    return core::InvalidArgument("user name must be 1.." + std::to_string(kMaxUserNameLength) +
                                 " letters, digits or . _ - @");
  }
  return core::Status::Ok();
}

Authenticator::Authenticator(store::Store& store, const core::Clock& clock, AuthOptions options)
    : store_(store), clock_(clock), options_(options) {
  core::Result<std::string> h = HashPassword(NewSecret(), options_.cost);
  if (h.ok()) dummy_hash_ = *h;
  // A restart must not lift lockouts nor reset counts: load what the last run saved.
  core::Result<std::vector<store::LoginFailureRecord>> saved =
      store_.ListLoginFailures(clock_.Now());
  if (!saved.ok()) {
    spdlog::warn("login limiter: cannot load saved failures: {}", saved.status().message());
    return;
  }
  for (store::LoginFailureRecord& r : *saved) {
    failures_[r.key] = Failures{std::move(r.failures), r.locked_until, 0, r.lockouts};
  }
}

core::WallTime Authenticator::ForgetAt(const Failures& f) const {
  core::WallTime t = f.locked_until;
  if (!f.at.empty()) t = std::max(t, Plus(f.at.back(), options_.failure_window_s));
  if (f.lockouts > 0) t = std::max(t, Plus(f.locked_until, kLockoutMemoryS));
  return t;
}

store::LoginFailureRecord Authenticator::RecordOf(const std::string& key) const {
  const Failures& f = failures_.at(key);
  const size_t skip = f.at.size() > store::kMaxStoredLoginFailures
                          ? f.at.size() - store::kMaxStoredLoginFailures
                          : 0;
  return {key, std::vector<core::WallTime>(f.at.begin() + static_cast<ptrdiff_t>(skip), f.at.end()),
          f.locked_until, f.lockouts, ForgetAt(f)};
}

void Authenticator::PruneSomeFailures(core::WallTime now) {
  auto it = failures_.upper_bound(prune_cursor_);
  for (size_t seen = 0; seen < kPruneStep && !failures_.empty(); ++seen) {
    if (it == failures_.end()) it = failures_.begin();
    prune_cursor_ = it->first;
    if (it->second.pending == 0 && ForgetAt(it->second) <= now) {
      it = failures_.erase(it);
    } else {
      ++it;
    }
  }
}

void Authenticator::Persist(const std::vector<store::LoginFailureRecord>& save,
                            const std::vector<std::string>& forget, core::WallTime now) {
  for (const store::LoginFailureRecord& r : save) {
    core::Status st = store_.SaveLoginFailures(r);
    if (!st.ok()) spdlog::warn("login limiter: cannot save {}: {}", r.key, st.message());
  }
  for (const std::string& key : forget) {
    core::Status st = store_.DeleteLoginFailures(key);
    if (!st.ok()) spdlog::warn("login limiter: cannot delete {}: {}", key, st.message());
  }
  core::Result<int64_t> pruned = store_.PruneLoginFailures(now, static_cast<int>(kPruneStep));
  if (!pruned.ok()) spdlog::warn("login limiter: cannot prune: {}", pruned.status().message());
}

void Authenticator::Audit(const std::string& who, const std::string& what,
                          const std::string& from) {
  core::Status st = store_.AppendAudit({0, who, what, clock_.Now(), from});
  if (!st.ok()) spdlog::error("audit: cannot record '{}' by {}: {}", what, who, st.message());
}

double Authenticator::LockedForS(const std::string& key, core::WallTime now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  return std::max(0.0, SecondsBetween(now, it->second.locked_until));
}

bool Authenticator::Full(const std::string& key, int limit) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  return static_cast<int>(it->second.at.size()) + it->second.pending >= limit;
}

void Authenticator::RecordFailure(const std::string& key, int limit, core::WallTime now) {
  Failures& f = failures_[key];
  const core::WallTime window_start = Plus(now, -options_.failure_window_s);
  std::erase_if(f.at, [&](core::WallTime t) { return t < window_start; });
  f.at.push_back(now);
  if (static_cast<int>(f.at.size()) >= limit) {
    const double lockout =
        std::min(kMaxLockoutS, options_.lockout_s * std::ldexp(1.0, std::min(f.lockouts, 20)));
    f.locked_until = Plus(now, lockout);
    ++f.lockouts;
    f.at.clear();
  }
}

void Authenticator::Release(const std::string& key) {
  auto it = failures_.find(key);
  if (it != failures_.end() && it->second.pending > 0) --it->second.pending;
}

double Authenticator::RetryAfterS(const std::string& user, const std::string& from) {
  std::lock_guard lock(mu_);
  const core::WallTime now = clock_.Now();
  return std::max(LockedForS(AddressKey(from), now), LockedForS(UserKey(user, from), now));
}

bool Authenticator::Ended(const SessionState& s, core::WallTime now) const {
  return now >= s.expires_at || SecondsBetween(s.last_seen, now) >= options_.session_idle_s;
}

void Authenticator::PurgeExpired(core::WallTime now) {
  std::erase_if(sessions_, [&](const auto& kv) { return Ended(kv.second, now); });
  std::erase_if(failures_, [&](const auto& kv) {
    return kv.second.pending == 0 && ForgetAt(kv.second) <= now;
  });
}

core::Result<Session> Authenticator::Login(const std::string& user, const std::string& password,
                                           const std::string& from) {
  const std::string addr_key = AddressKey(from), user_key = UserKey(user, from);
  double wait = 0;
  {
    // Check and reserve in one step: parallel guesses each take a slot of the limit.
    std::lock_guard lock(mu_);
    const core::WallTime now = clock_.Now();
    wait = std::max(LockedForS(addr_key, now), LockedForS(user_key, now));
    if (wait == 0 && (Full(addr_key, options_.max_address_failures) ||
                      Full(user_key, options_.max_login_failures))) {
      wait = 1;  // the attempts in flight decide; they take well under a second
    }
    if (wait == 0) {
      ++failures_[addr_key].pending;
      ++failures_[user_key].pending;
    }
  }
  if (wait > 0) {
    Audit(CheckUserName(user).ok() ? user : "?", "login refused (locked out)", from);
    return core::ResourceExhausted("too many failed logins; try again in " +
                                   std::to_string(static_cast<int>(std::ceil(wait))) + " s");
  }
  std::optional<store::UserRecord> record;
  bool password_ok = false;
  core::Status store_error;
  if (CheckUserName(user).ok()) {
    core::Result<store::UserRecord> r = store_.GetUser(user);
    if (r.ok()) {
      record = *r;
    } else if (r.status().code() != core::StatusCode::kNotFound) {
      store_error = core::Unavailable("user store: " + r.status().message());
    }
  }
  // Always verify against some hash so that timing does not tell which users exist.
  if (store_error.ok()) {
    password_ok = VerifyPassword(record ? record->password_hash : dummy_hash_, password);
  }
  Role role = Role::kViewer;
  const bool ok = record && password_ok && !record->disabled && ParseRole(record->role, &role);
  const core::WallTime now = clock_.Now();
  Session s{NewSecret(), Principal{user, role, false}, Plus(now, options_.session_max_s)};
  // Held until the store has the new state, so that saves reach it in the order the
  // state changed.
  std::lock_guard persist_lock(persist_mu_);
  std::vector<store::LoginFailureRecord> save;
  std::vector<std::string> forget;
  {
    std::lock_guard lock(mu_);
    Release(addr_key);
    Release(user_key);
    if (store_error.ok() && !ok) {
      RecordFailure(addr_key, options_.max_address_failures, now);
      RecordFailure(user_key, options_.max_login_failures, now);
      save = {RecordOf(addr_key), RecordOf(user_key)};
      // Failures alone (a spray from many addresses) must not grow the table without end.
      PruneSomeFailures(now);
    } else if (ok) {
      // The address's count stays: logging into one's own account between guesses must
      // not buy more guesses.
      if (failures_.erase(user_key) > 0) forget.push_back(user_key);
    }
  }
  if (store_error.ok()) Persist(save, forget, now);
  if (store_error.ok() && ok) {
    // In the store, so that every node knows it. Over the limit, the sessions idle the
    // longest go rather than refusing a legitimate login. (Idle by the store's last_seen,
    // which may lag a node's last request by up to kSessionTouchS.)
    const std::string key = HashSecret(s.secret);
    const SessionState state{s.who, s.expires_at, now, UserCredentials(*record), now};
    core::Result<int64_t> left =
        store_.PruneSessions(now, Plus(now, -options_.session_idle_s - kSessionTouchS),
                             static_cast<int64_t>(std::max<size_t>(options_.max_sessions, 1) - 1));
    core::Status stored = left.ok()
                              ? store_.InsertSession({key, user, ToString(role), state.credentials,
                                                      now, s.expires_at, now})
                              : left.status();
    if (!stored.ok()) store_error = core::Unavailable("session store: " + stored.message());
    std::lock_guard lock(mu_);
    if (stored.ok()) Remember(key, state);
  }
  if (!store_error.ok()) return store_error;  // not the caller's failure
  if (!ok) {
    Audit(CheckUserName(user).ok() ? user : "?", "login failed", from);
    return core::Unauthenticated(kBadLogin);
  }
  Audit(user, "login", from);
  return s;
}

void Authenticator::Remember(const std::string& key, SessionState state) {
  PurgeExpired(state.last_seen);
  if (sessions_.size() >= options_.max_sessions && !sessions_.contains(key)) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    sessions_.erase(oldest);
  }
  sessions_[key] = std::move(state);
}

void Authenticator::FlushPendingLogouts() {
  std::vector<std::string> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(pending_logouts_);
  }
  std::vector<std::string> failed;
  for (const std::string& key : pending) {
    if (!store_.DeleteSession(key).ok()) failed.push_back(key);
  }
  if (failed.empty()) return;
  std::lock_guard lock(mu_);
  pending_logouts_.insert(pending_logouts_.end(), failed.begin(), failed.end());
}

void Authenticator::Logout(const std::string& session_secret) {
  const std::string key = HashSecret(session_secret);
  {
    std::lock_guard lock(mu_);
    sessions_.erase(key);
  }
  core::Status st = store_.DeleteSession(key);
  if (st.ok()) return;
  // The store must forget it too, or another node (or this one, once the store is back)
  // would take the session again.
  spdlog::warn("auth: logout not stored yet (retried): {}", st.message());
  std::lock_guard lock(mu_);
  if (pending_logouts_.size() >= options_.max_sessions) {
    // Bounded: the oldest may then live on until its idle limit.
    pending_logouts_.erase(pending_logouts_.begin());
  }
  pending_logouts_.push_back(key);
}

core::Result<Principal> Authenticator::FromLocalSession(const std::string& key,
                                                        core::WallTime now) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (std::find(pending_logouts_.begin(), pending_logouts_.end(), key) != pending_logouts_.end() ||
      it == sessions_.end()) {
    return core::Unauthenticated("not logged in");
  }
  if (Ended(it->second, now)) {
    sessions_.erase(it);
    return core::Unauthenticated("session expired; log in again");
  }
  it->second.last_seen = now;
  return it->second.who;
}

core::Result<Principal> Authenticator::FromSession(const std::string& session_secret) {
  const std::string key = HashSecret(session_secret);
  const core::WallTime now = clock_.Now();
  FlushPendingLogouts();
  core::Result<store::SessionRecord> stored = store_.GetSession(key);
  if (!stored.ok()) {
    if (stored.status().code() == core::StatusCode::kNotFound) {
      std::lock_guard lock(mu_);
      sessions_.erase(key);  // logged out, or ended, on some node
      return core::Unauthenticated("not logged in");
    }
    // The store is down: so is every way to change a user. Keep serving what we know.
    spdlog::warn("auth: cannot read session: {}", stored.status().message());
    return FromLocalSession(key, now);
  }
  SessionState state{Principal{stored->user, Role::kViewer, false}, stored->expires_at,
                     stored->last_seen, stored->credentials, stored->last_seen};
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(key);
    // This process may have seen the session more recently than the store was told.
    if (it != sessions_.end()) state.last_seen = std::max(state.last_seen, it->second.last_seen);
  }
  if (!ParseRole(stored->role, &state.who.role) || Ended(state, now)) {
    (void)store_.DeleteSession(key);
    std::lock_guard lock(mu_);
    sessions_.erase(key);
    return core::Unauthenticated("session expired; log in again");
  }
  // One primary-key read per request: `argus user set` in another process changes only the
  // store, and its change must end the session now, not at the next login.
  core::Result<store::UserRecord> u = store_.GetUser(state.who.name);
  const bool changed = u.ok() ? UserCredentials(*u) != state.credentials
                              : u.status().code() == core::StatusCode::kNotFound;
  if (changed) {
    (void)store_.DeleteSession(key);
    std::lock_guard lock(mu_);
    sessions_.erase(key);
    return core::Unauthenticated("your account was changed; log in again");
  }
  if (!u.ok())
    spdlog::warn("auth: cannot re-check user {}: {}", state.who.name, u.status().message());
  if (SecondsBetween(state.stored_last_seen, now) >= kSessionTouchS &&
      store_.TouchSession(key, now).ok()) {
    state.stored_last_seen = now;
  }
  state.last_seen = now;
  const Principal who = state.who;
  std::lock_guard lock(mu_);
  Remember(key, std::move(state));
  return who;
}

core::Result<Principal> Authenticator::FromToken(const std::string& token_secret) {
  core::Result<store::ApiTokenRecord> t = store_.FindApiToken(HashSecret(token_secret));
  if (!t.ok()) {
    if (t.status().code() == core::StatusCode::kNotFound) {
      return core::Unauthenticated("unknown API token");
    }
    return core::Unavailable("token store: " + t.status().message());
  }
  Role role;
  if (t->revoked || !ParseRole(t->role, &role)) {
    return core::Unauthenticated("API token revoked");
  }
  return Principal{"token:" + t->name, role, true};
}

void Authenticator::EndSessionsOf(const std::string& user) {
  // Every node's sessions of the user: they are rows of the store.
  core::Status st = store_.DeleteSessionsOf(user);
  if (!st.ok()) spdlog::warn("auth: cannot delete sessions of {}: {}", user, st.message());
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.who.name == user; });
}

core::Result<store::UserRecord> Authenticator::AddUser(const std::string& name,
                                                       const std::string& password, Role role,
                                                       const std::string& by,
                                                       const std::string& from) {
  ARGUS_RETURN_IF_ERROR(CheckUserName(name));
  if (core::Result<store::UserRecord> old = store_.GetUser(name); old.ok()) {
    return core::InvalidArgument("user '" + name + "' already exists");
  } else if (old.status().code() != core::StatusCode::kNotFound) {
    return old.status();
  }
  core::Result<std::string> hash = HashPassword(password, options_.cost);
  if (!hash.ok()) return hash.status();
  store::UserRecord u{name, ToString(role), *hash, clock_.Now(), false};
  ARGUS_RETURN_IF_ERROR(store_.UpsertUser(u));
  Audit(by, "add user " + name + " as " + ToString(role), from);
  return u;
}

core::Result<store::UserRecord> Authenticator::UpdateUser(const std::string& name,
                                                          const UserChange& change,
                                                          const std::string& by,
                                                          const std::string& from) {
  core::Result<store::UserRecord> u = store_.GetUser(name);
  if (!u.ok()) return u.status();
  std::string what;
  if (change.role) {
    u->role = ToString(*change.role);
    what += " role=" + u->role;
  }
  if (change.password) {
    core::Result<std::string> hash = HashPassword(*change.password, options_.cost);
    if (!hash.ok()) return hash.status();
    u->password_hash = *hash;
    what += " password";
  }
  if (change.disabled) {
    u->disabled = *change.disabled;
    what += *change.disabled ? " disabled" : " enabled";
  }
  if (what.empty()) return core::InvalidArgument("nothing to change");
  ARGUS_RETURN_IF_ERROR(store_.UpsertUser(*u));
  EndSessionsOf(name);
  Audit(by, "change user " + name + ":" + what, from);
  return u;
}

core::Result<std::pair<int64_t, std::string>> Authenticator::CreateToken(const std::string& name,
                                                                         Role role,
                                                                         const std::string& by,
                                                                         const std::string& from) {
  ARGUS_RETURN_IF_ERROR(CheckUserName(name));
  std::string secret = NewSecret();
  store::ApiTokenRecord t{0, name, ToString(role), HashSecret(secret), by, clock_.Now(), false};
  core::Result<int64_t> id = store_.InsertApiToken(t);
  if (!id.ok()) return id.status();
  Audit(by, "create token " + std::to_string(*id) + " (" + name + ", " + ToString(role) + ")",
        from);
  return std::make_pair(*id, std::move(secret));
}

core::Status Authenticator::RevokeToken(int64_t id, const std::string& by,
                                        const std::string& from) {
  ARGUS_RETURN_IF_ERROR(store_.RevokeApiToken(id));
  Audit(by, "revoke token " + std::to_string(id), from);
  return core::Status::Ok();
}

size_t Authenticator::session_count() {
  const core::WallTime now = clock_.Now();
  core::Result<int64_t> stored =
      store_.PruneSessions(now, Plus(now, -options_.session_idle_s - kSessionTouchS),
                           static_cast<int64_t>(options_.max_sessions));
  std::lock_guard lock(mu_);
  PurgeExpired(now);
  return stored.ok() ? static_cast<size_t>(*stored) : sessions_.size();
}

}  // namespace argus::auth
