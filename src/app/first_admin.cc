#include "app/first_admin.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "core/atomic_file.h"

namespace argus::app {

FirstAdmin::FirstAdmin(store::Store& store, std::string data_dir)
    : store_(store), path_((std::filesystem::path(data_dir) / kFirstAdminFile).string()) {}

core::Result<std::optional<std::string>> FirstAdmin::Ensure(auth::Authenticator& authn) {
  std::lock_guard<std::mutex> lock(mu_);
  auto users = store_.ListUsers();
  if (!users.ok()) return users.status();
  if (!users->empty()) {
    // An earlier start's one-time password may still be pending.
    std::ifstream in(path_);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
      if (j.is_object() && j.value("user", "").size() > 0) {
        user_ = j.value("user", "");
        hash_ = j.value("password_hash", "");
      } else {
        spdlog::warn("{}: not a one-time password record; ignored", path_);
      }
    }
    return std::optional<std::string>();
  }
  const std::string password = auth::NewSecret().substr(0, 16);
  auto rec =
      authn.AddUser(kFirstAdminName, password, auth::Role::kAdmin, "argus serve (first start)", "");
  if (!rec.ok()) return rec.status();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  auto file = core::AtomicFile::Open(path_);
  if (!file.ok()) return file.status();
  const nlohmann::json j = {{"user", rec->name}, {"password_hash", rec->password_hash}};
  if (core::Status st = (*file)->Append(j.dump() + "\n"); !st.ok()) return st;
  if (core::Status st = (*file)->Commit(); !st.ok()) return st;
  user_ = rec->name;
  hash_ = rec->password_hash;
  return std::optional<std::string>(password);
}

bool FirstAdmin::MustChange(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  if (user_.empty() || user != user_) return false;
  auto rec = store_.GetUser(user);
  // A store that cannot answer keeps the restriction (fail closed).
  if (!rec.ok()) return rec.status().code() != core::StatusCode::kNotFound;
  if (rec->password_hash == hash_) return true;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  if (ec) spdlog::warn("{}: {}", path_, ec.message());
  user_.clear();
  hash_.clear();
  return false;
}

}  // namespace argus::app
