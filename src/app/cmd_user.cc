// argus user add|set|list and argus token add|list|revoke: the dashboard's users
// and the integrations' API tokens, in the store the daemon uses (SQLite under
// server.data_dir, or server.postgres). Safe while the daemon runs.
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "api/json_format.h"
#include "app/command.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "core/clock.h"
#include "store/open_store.h"

namespace argus::app {
namespace {

struct StoreOptions {
  std::string config_path;
  std::string data_dir;
};

void AddStoreOptions(CLI::App* cmd, StoreOptions* o) {
  cmd->add_option("--config", o->config_path,
                  "Site config whose server.data_dir / server.postgres names the store");
  cmd->add_option("--data-dir", o->data_dir, "Store directory (overrides the config)");
}

core::Result<std::unique_ptr<store::Store>> OpenFor(const StoreOptions& o) {
  config::ServerSettings server;
  if (!o.config_path.empty()) {
    config::Diagnostics diag;
    auto cfg = config::LoadConfig(o.config_path, &diag);
    if (!cfg.ok()) {
      std::cerr << diag.ToString();
      return cfg.status();
    }
    server = cfg->server;
  }
  if (!o.data_dir.empty()) server.data_dir = o.data_dir;
  return store::OpenStore(server.data_dir, server.postgres);
}

// Who ran the command, for the audit log.
std::string CliActor() {
  const passwd* pw = getpwuid(getuid());
  return std::string("cli:") + (pw ? pw->pw_name : std::to_string(getuid()));
}

std::optional<std::string> ReadLineNoEcho(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  return line;
}

// From a terminal: asked twice. Otherwise: the first line of stdin (scripts).
std::optional<std::string> ReadPassword() {
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }
  auto a = ReadLineNoEcho("password: ");
  auto b = ReadLineNoEcho("again: ");
  if (!a || !b) return std::nullopt;
  if (*a != *b) {
    std::cerr << "argus: the passwords differ\n";
    return std::nullopt;
  }
  return a;
}

int Fail(const core::Status& st) { return FailWith("argus", st); }

bool ParseRoleOption(const std::string& s, auth::Role* r) {
  if (auth::ParseRole(s, r)) return true;
  std::cerr << "argus: --role must be viewer, operator or admin, not '" << s << "'\n";
  return false;
}

// Runs `fn` with an Authenticator over the configured store.
template <typename Fn>
int WithAuth(const StoreOptions& o, Fn fn) {
  auto db = OpenFor(o);
  if (!db.ok()) return Fail(db.status());
  auth::Authenticator authn(**db, core::SystemClock::Instance());
  return fn(**db, authn);
}

struct UserArgs {
  StoreOptions store;
  std::string name, role;
  bool password = false, disable = false, enable = false;
};

const CommandRegistrar kUser("user", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand("user", "Dashboard users: add, change, list");
  cmd->require_subcommand(1);
  auto args = std::make_shared<UserArgs>();
  auto* add = cmd->add_subcommand("add", "Add a user (password from stdin, or asked twice)");
  add->add_option("name", args->name, "User name")->required();
  add->add_option("--role", args->role, "viewer | operator | admin")->required();
  AddStoreOptions(add, &args->store);
  auto* set = cmd->add_subcommand("set", "Change a user's role, password or access");
  set->add_option("name", args->name, "User name")->required();
  set->add_option("--role", args->role, "viewer | operator | admin");
  set->add_flag("--password", args->password, "Set a new password (read like `add`)");
  set->add_flag("--disable", args->disable, "Refuse further logins and end the user's sessions");
  set->add_flag("--enable", args->enable, "Allow logins again");
  AddStoreOptions(set, &args->store);
  auto* list = cmd->add_subcommand("list", "List users");
  AddStoreOptions(list, &args->store);
  return [args, add, set, list]() -> int {
    const UserArgs& a = *args;
    return WithAuth(a.store, [&](store::Store& db, auth::Authenticator& authn) -> int {
      if (list->parsed()) {
        auto users = db.ListUsers();
        if (!users.ok()) return Fail(users.status());
        for (const store::UserRecord& u : *users) {
          std::cout << u.name << "\t" << u.role << "\t" << api::FormatTime(u.created_at)
                    << (u.disabled ? "\tdisabled" : "") << "\n";
        }
        return kExitOk;
      }
      auth::Role role = auth::Role::kViewer;
      if (!a.role.empty() && !ParseRoleOption(a.role, &role)) return kExitBadInput;
      if (add->parsed()) {
        auto pw = ReadPassword();
        if (!pw) return Fail(core::InvalidArgument("no password given"));
        auto u = authn.AddUser(a.name, *pw, role, CliActor(), "");
        if (!u.ok()) return Fail(u.status());
        std::cout << "added " << u->name << " (" << u->role << ")\n";
        return kExitOk;
      }
      (void)set;
      auth::Authenticator::UserChange change;
      if (!a.role.empty()) change.role = role;
      if (a.disable || a.enable) change.disabled = a.disable;
      if (a.password) {
        auto pw = ReadPassword();
        if (!pw) return Fail(core::InvalidArgument("no password given"));
        change.password = *pw;
      }
      auto u = authn.UpdateUser(a.name, change, CliActor(), "");
      if (!u.ok()) return Fail(u.status());
      std::cout << "changed " << u->name << " (" << u->role << (u->disabled ? ", disabled" : "")
                << ")\n";
      return kExitOk;
    });
  };
});

struct TokenArgs {
  StoreOptions store;
  std::string name, role;
  int64_t id = 0;
};

const CommandRegistrar kToken("token", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand("token", "API tokens for integrations: add, list, revoke");
  cmd->require_subcommand(1);
  auto args = std::make_shared<TokenArgs>();
  auto* add = cmd->add_subcommand("add", "Create a token and print its secret (shown once)");
  add->add_option("name", args->name, "What the token is for, e.g. bms")->required();
  add->add_option("--role", args->role, "viewer | operator | admin")->required();
  AddStoreOptions(add, &args->store);
  auto* list = cmd->add_subcommand("list", "List tokens (never their secrets)");
  AddStoreOptions(list, &args->store);
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("id", args->id, "Token id (see `argus token list`)")->required();
  AddStoreOptions(revoke, &args->store);
  return [args, add, list]() -> int {
    const TokenArgs& a = *args;
    return WithAuth(a.store, [&](store::Store& db, auth::Authenticator& authn) -> int {
      if (list->parsed()) {
        auto tokens = db.ListApiTokens();
        if (!tokens.ok()) return Fail(tokens.status());
        for (const store::ApiTokenRecord& t : *tokens) {
          std::cout << t.id << "\t" << t.name << "\t" << t.role << "\t" << t.created_by << "\t"
                    << api::FormatTime(t.created_at) << (t.revoked ? "\trevoked" : "") << "\n";
        }
        return kExitOk;
      }
      if (add->parsed()) {
        auth::Role role;
        if (!ParseRoleOption(a.role, &role)) return kExitBadInput;
        auto t = authn.CreateToken(a.name, role, CliActor(), "");
        if (!t.ok()) return Fail(t.status());
        std::cerr << "token " << t->first << " (" << a.name << ", " << a.role
                  << "); keep the secret below, it is not shown again\n";
        std::cout << t->second << "\n";
        return kExitOk;
      }
      core::Status st = authn.RevokeToken(a.id, CliActor(), "");
      if (!st.ok()) return Fail(st);
      std::cout << "revoked token " << a.id << "\n";
      return kExitOk;
    });
  };
});

}  // namespace
}  // namespace argus::app
