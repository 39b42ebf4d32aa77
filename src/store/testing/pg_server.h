// A throwaway PostgreSQL server for tests (header-only, tests only).
//
// Start() runs initdb into a fresh directory under /tmp and starts postgres with its
// unix socket in that directory and no TCP listener (listen_addresses=''), tuned for
// tests (fsync off, small shared memory). The destructor stops it (pg_ctl stop -m
// fast) and deletes the directory. initdb and postgres refuse to run as root: as root
// (CI) they run as the `postgres` system user, which owns the directory.
// The binaries come from $ARGUS_PG_BINDIR or the newest /usr/lib/postgresql/*/bin.
//
// Thread safety: Start/Stop/Restart from one thread; Exec/Query from any thread.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/status.h"

namespace argus::store::testing {

inline constexpr const char* kPgSuperuser = "postgres";
inline constexpr int kPgStartTimeoutS = 60;

class PgServer {
 public:
  static core::Result<std::unique_ptr<PgServer>> Start() {
    std::unique_ptr<PgServer> s(new PgServer());
    ARGUS_RETURN_IF_ERROR(s->Init());
    ARGUS_RETURN_IF_ERROR(s->Launch());
    return s;
  }
  ~PgServer() {
    if (running_) (void)Stop();
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // pg_ctl stop -m fast: disconnects every client, then stops.
  core::Status Stop() {
    running_ = false;
    return Run({Bin("pg_ctl"), "-D", Data(), "-m", "fast", "-w", "-t",
                std::to_string(kPgStartTimeoutS), "stop"},
               "pg_ctl stop");
  }
  // Starts the stopped server again on the same socket and port.
  core::Status Restart() { return Launch(); }

  // A conninfo string for database `db` of this server.
  std::string ConnInfo(const std::string& db) const {
    return "host=" + root_ + " port=" + std::to_string(port_) + " user=" + kPgSuperuser +
           " dbname=" + db;
  }
  core::Status CreateDatabase(const std::string& name) {
    return Exec("postgres", "CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
  }
  // Runs `sql` (one or more statements) on a new connection to `db`; the server's
  // error message in the Status when it fails.
  core::Status Exec(const std::string& db, const std::string& sql) const {
    return Query(db, sql).status();
  }
  // The first column of the first row of the last statement's result ("" if none).
  core::Result<std::string> Query(const std::string& db, const std::string& sql) const {
    PGconn* c = PQconnectdb(ConnInfo(db).c_str());
    std::string err;
    std::string value;
    if (PQstatus(c) != CONNECTION_OK) {
      err = std::string("connect: ") + PQerrorMessage(c);
    } else {
      PGresult* r = PQexec(c, sql.c_str());
      const ExecStatusType st = PQresultStatus(r);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        err = PQresultErrorMessage(r);
        if (err.empty()) err = PQerrorMessage(c);
      } else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
        value = PQgetvalue(r, 0, 0);
      }
      PQclear(r);
    }
    PQfinish(c);
    if (!err.empty()) return core::IoError(err);
    return value;
  }

  const std::string& root() const { return root_; }
  int port() const { return port_; }

 private:
  PgServer() = default;

  static std::string FindBinDir() {
    if (const char* env = std::getenv("ARGUS_PG_BINDIR"); env && *env) return env;
    std::vector<std::filesystem::path> dirs;
    std::error_code ec;
    for (const auto& d : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      if (std::filesystem::exists(d.path() / "bin" / "initdb")) dirs.push_back(d.path() / "bin");
    }
    if (dirs.empty()) return "";
    // Newest major version: compare numerically ("15" > "9.6").
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) {
      return std::atof(a.parent_path().filename().c_str()) <
             std::atof(b.parent_path().filename().c_str());
    });
    return dirs.back().string();
  }

  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  core::Status Init() {
    bin_ = FindBinDir();
    if (bin_.empty()) {
      return core::NotFound(
          "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb and "
          "ARGUS_PG_BINDIR unset): install the Debian package `postgresql`");
    }
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
      if (access(Bin(tool).c_str(), X_OK) != 0) {
        return core::NotFound("PostgreSQL: " + Bin(tool) + " missing or not executable");
      }
    }
    char tmpl[] = "/tmp/argus_pg_XXXXXX";  // short: the socket path must fit 107 bytes
    if (mkdtemp(tmpl) == nullptr) return core::IoError("mkdtemp failed");
    root_ = tmpl;
    if (geteuid() == 0) {
      const passwd* pw = getpwnam(kPgSuperuser);
      if (pw == nullptr) {
        return core::NotFound(
            "running as root, but there is no `postgres` system user to run initdb/postgres "
            "as (it comes with the Debian package `postgresql`)");
      }
      as_uid_ = pw->pw_uid;
      as_gid_ = pw->pw_gid;
      if (chown(root_.c_str(), as_uid_, as_gid_) != 0) {
        return core::IoError("chown " + root_ + " to postgres failed");
      }
    }
    port_ = FreePort();
    if (port_ <= 0) return core::IoError("no free port");
    return Run({Bin("initdb"), "-D", Data(), "-U", kPgSuperuser, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync"},
               "initdb");
  }

  core::Status Launch() {
    const std::string opts = "-p " + std::to_string(port_) + " -k " + root_ +
                             " -c listen_addresses='' -c fsync=off -c full_page_writes=off"
                             " -c shared_buffers=16MB -c max_connections=40";
    ARGUS_RETURN_IF_ERROR(Run({Bin("pg_ctl"), "-D", Data(), "-l", root_ + "/server.log", "-o", opts,
                               "-w", "-t", std::to_string(kPgStartTimeoutS), "start"},
                              "pg_ctl start"));
    running_ = true;
    return core::Status::Ok();
  }

  std::string Bin(const char* tool) const { return bin_ + "/" + tool; }
  std::string Data() const { return root_ + "/data"; }

  // Runs argv (as the postgres user when we are root) with output appended to
  // root_/tools.log; the log's tail is in the error.
  core::Status Run(const std::vector<std::string>& argv, const std::string& what) const {
    const std::string log = root_ + "/tools.log";
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) return core::IoError(what + ": fork failed");
    if (pid == 0) {
      // Child: only async-signal-safe calls until exec.
      if (as_uid_ != 0 &&
          (setgroups(0, nullptr) != 0 || setgid(as_gid_) != 0 || setuid(as_uid_) != 0)) {
        _exit(126);
      }
      // pg tools insist on a current directory they can read.
      if (chdir(root_.c_str()) != 0) _exit(126);
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      const int devnull = open("/dev/null", O_RDONLY);
      if (devnull >= 0) dup2(devnull, 0);
      execv(args[0], args.data());
      _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return core::IoError(what + ": waitpid failed");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return core::Status::Ok();
    return core::IoError(what + " failed (status " + std::to_string(status) + "):\n" + Tail(log) +
                         Tail(root_ + "/server.log"));
  }

  static std::string Tail(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    constexpr size_t kMax = 2000;
    return s.size() > kMax ? s.substr(s.size() - kMax) : s;
  }

  std::string bin_;
  std::string root_;
  int port_ = 0;
  uid_t as_uid_ = 0;
  gid_t as_gid_ = 0;
  bool running_ = false;
};

// The server shared by the tests of this process: started on first use, stopped at
// exit. Returns the reason when it could not start (tests then fail with it).
inline core::Result<PgServer*> SharedPgServer() {
  static core::Result<std::unique_ptr<PgServer>> server = PgServer::Start();
  if (!server.ok()) return server.status();
  return server->get();
}

}  // namespace argus::store::testing
