// The first administrator of a new store: `argus serve` started on a store with
// no user creates `admin` with a random one-time password, which the daemon
// prints once. Until it is changed, that user may only change it (the API
// refuses everything else; the dashboard asks for a new password at login).
//
// The pending state is a file <data_dir>/first_admin.json naming the user and
// the hash of the one-time password: the password counts as changed as soon as
// the user's stored hash differs (changed through the API or `argus user set`).
//
// Thread safety: Ensure from the owning thread at start; MustChange from any
// thread (HTTP workers), concurrently.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "core/status.h"
#include "store/store.h"

namespace argus::app {

inline constexpr char kFirstAdminName[] = "admin";
inline constexpr char kFirstAdminFile[] = "first_admin.json";

class FirstAdmin {
 public:
  // `store` must outlive this object.
  FirstAdmin(store::Store& store, std::string data_dir);

  // Creates the first admin when the store has no user, and returns its one-time
  // password (to be shown once); nullopt when users exist. Also picks up a
  // one-time password still pending from an earlier start.
  core::Result<std::optional<std::string>> Ensure(auth::Authenticator& authn);

  // Whether `user` still has the one-time password.
  bool MustChange(const std::string& user);

 private:
  store::Store& store_;
  const std::string path_;
  std::mutex mu_;
  std::string user_;  // "" when nothing is pending
  std::string hash_;  // of the one-time password
};

}  // namespace argus::app
