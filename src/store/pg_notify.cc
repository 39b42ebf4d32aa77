#include "store/pg_notify.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

namespace argus::store {
namespace {

// Short: Stop waits for a connect attempt in progress (the conninfo may set its own).
constexpr const char* kConnectTimeoutS = "3";
// poll() wakes at least this often even with nothing to do, to notice Stop.
constexpr int kPollMs = 1000;

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;

std::string LastError(PGconn* c) {
  std::string s = PQerrorMessage(c);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A connection LISTENing on `channel`, or the reason there is none.
Conn Listen(const std::string& conninfo, const std::string& channel, std::string* error) {
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {kConnectTimeoutS, conninfo.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    *error = conn ? LastError(conn.get()) : "out of memory";
    return nullptr;
  }
  PGresult* r = PQexec(conn.get(), ("LISTEN " + channel).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    *error = LastError(conn.get());
    return nullptr;
  }
  return conn;
}

}  // namespace

PgNotifyChannel::PgNotifyChannel(std::string conninfo, std::string channel, Handler on_notify)
    : conninfo_(std::move(conninfo)),
      channel_(std::move(channel)),
      on_notify_(std::move(on_notify)) {
  if (pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
}

PgNotifyChannel::~PgNotifyChannel() {
  Stop();
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

void PgNotifyChannel::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void PgNotifyChannel::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (wake_[1] >= 0) (void)!write(wake_[1], "s", 1);
  if (thread_.joinable()) thread_.join();
}

bool PgNotifyChannel::Send(std::string payload) {
  if (payload.size() > static_cast<size_t>(kPgNotifyMaxPayload)) return false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kPgNotifyQueueCapacity) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::move(payload));
  }
  if (wake_[1] >= 0) (void)!write(wake_[1], "n", 1);
  return true;
}

bool PgNotifyChannel::Sleep(double seconds) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stop_; });
  return !stop_;
}

void PgNotifyChannel::Run() {
  double backoff = kPgNotifyFirstRetryS;
  bool down_logged = false;
  auto stopping = [&] {
    std::lock_guard lock(mu_);
    return stop_;
  };
  auto drop_queue = [&] {
    std::lock_guard lock(mu_);
    dropped_ += queue_.size();
    queue_.clear();
  };
  while (!stopping()) {
    std::string error;
    Conn conn = Listen(conninfo_, channel_, &error);
    if (!conn) {
      if (!down_logged) {
        spdlog::warn("postgres notifications on {} paused: {} (retrying)", channel_, error);
        down_logged = true;
      }
      drop_queue();
      if (!Sleep(backoff)) break;
      backoff = std::min(backoff * 2, kPgNotifyMaxRetryS);
      continue;
    }
    if (down_logged) spdlog::info("postgres notifications on {} resumed", channel_);
    down_logged = false;
    backoff = kPgNotifyFirstRetryS;
    listening_ = true;
    PGconn* c = conn.get();
    const int own_pid = PQbackendPID(c);
    while (!stopping() && PQstatus(c) == CONNECTION_OK) {
      std::deque<std::string> out;
      {
        std::lock_guard lock(mu_);
        out.swap(queue_);
      }
      for (const std::string& payload : out) {
        const char* params[] = {channel_.c_str(), payload.c_str()};
        PGresult* r =
            PQexecParams(c, "SELECT pg_notify($1, $2)", 2, nullptr, params, nullptr, nullptr, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK) {
          ++sent_;
        } else {
          ++dropped_;
        }
        PQclear(r);
      }
      PQconsumeInput(c);
      while (PGnotify* n = PQnotifies(c)) {
        if (n->be_pid != own_pid) {
          ++received_;
          on_notify_(n->extra);
        }
        PQfreemem(n);
      }
      if (PQstatus(c) != CONNECTION_OK) break;
      pollfd fds[2] = {{PQsocket(c), POLLIN, 0}, {wake_[0], POLLIN, 0}};
      (void)poll(fds, wake_[0] >= 0 ? 2 : 1, kPollMs);
      char buf[64];
      while (wake_[0] >= 0 && read(wake_[0], buf, sizeof buf) > 0) {
      }
    }
    listening_ = false;
    if (PQstatus(c) != CONNECTION_OK) {
      spdlog::warn("postgres notifications on {} paused: connection lost: {}", channel_,
                   LastError(c));
      down_logged = true;
    }
  }
  listening_ = false;
}

}  // namespace argus::store
