// Crash safety: a child process writes events and acknowledgements in a loop and
// reports each committed acknowledgement through a pipe; the parent kill -9s it
// mid-write, reopens the database and checks that it is intact and that every
// acknowledgement reported as committed is there.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::store {
namespace {

using events::AlertState;
using events::Severity;
using testing::kT0;

constexpr int kRounds = 3;
constexpr int kChildMaxIterations = 100000;  // the child never outlives a lost parent long
constexpr int kPipeTimeoutMs = 30000;

std::string NoteFor(int64_t id) { return "checked vitrine for alert " + std::to_string(id); }

// Runs in the forked child: never returns.
[[noreturn]] void WriterLoop(const std::string& path, int fd) {
  auto opened = SqliteStore::Open(path);
  if (!opened.ok()) _exit(3);
  SqliteStore& store = **opened;
  auto max_id = store.MaxAlertId();
  if (!max_id.ok()) _exit(4);
  for (int64_t i = 0, id = *max_id + 1; i < kChildMaxIterations; ++i, ++id) {
    std::vector<events::Event> batch;
    for (int k = 0; k < 4; ++k) {
      events::Event e =
          testing::MakeEvent("cam1/r/" + std::to_string(id), "cam1", "intrusion", Severity::kAlert);
      e.details["padding"] = std::string(200 + 50 * k, 'x');  // spread writes over pages
      batch.push_back(std::move(e));
    }
    if (!store.InsertEvents(batch, kT0).ok()) _exit(5);
    events::Alert a;
    a.id = id;
    a.camera = "cam1";
    a.rule = "r";
    a.zone = "vitrine";
    a.type = "intrusion";
    a.severity = Severity::kAlert;
    a.opened_at = a.last_event_at = kT0;
    a.incident_ids = {batch[0].id};
    if (!store.UpsertAlert(a).ok()) _exit(6);
    if (!store.Acknowledge(id, {"guard", kT0, NoteFor(id)}, "child").ok()) _exit(7);
    // Committed: tell the parent. 8-byte pipe writes are atomic.
    if (write(fd, &id, sizeof id) != sizeof id) _exit(8);
    if (id % 3 == 0 && !store.Resolve(id, {"guard", kT0, "done"}, "child").ok()) _exit(9);
  }
  _exit(0);
}

// Reads ids until `want` arrived (or EOF/timeout when want < 0 / on error).
bool ReadIds(int fd, int want, std::vector<int64_t>* ids) {
  int got = 0;
  while (want < 0 || got < want) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, kPipeTimeoutMs) <= 0) return false;
    int64_t id = 0;
    const ssize_t n = read(fd, &id, sizeof id);
    if (n == 0) return want < 0;  // EOF
    if (n != sizeof id) return false;
    ids->push_back(id);
    ++got;
  }
  return true;
}

TEST(CrashSafety, KillNineMidWriteLosesNoCommittedAcknowledgement) {
  testing::TempDir dir;
  const std::string path = dir.File("argus.db");
  std::set<int64_t> acked;
  // Kill after a few acknowledgements plus a different sub-commit delay each round, so
  // the signal lands in different phases of the write loop.
  const int kAcksBeforeKill[kRounds] = {5, 11, 17};
  const useconds_t kExtraDelayUs[kRounds] = {0, 1700, 4100};

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      WriterLoop(path, fds[1]);
    }
    close(fds[1]);
    std::vector<int64_t> ids;
    const bool got_enough = ReadIds(fds[0], kAcksBeforeKill[round], &ids);
    if (kExtraDelayUs[round] > 0) usleep(kExtraDelayUs[round]);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    // Acks committed and written before the kill but not yet read are in the pipe.
    EXPECT_TRUE(ReadIds(fds[0], -1, &ids));
    close(fds[0]);
    ASSERT_TRUE(got_enough) << "child wrote too few acknowledgements; exit status " << status;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child stopped on its own (exit code " << WEXITSTATUS(status) << ")";
    acked.insert(ids.begin(), ids.end());

    auto reopened = SqliteStore::Open(path);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    SqliteStore& store = **reopened;
    auto integrity = store.IntegrityCheck();
    ASSERT_TRUE(integrity.ok()) << integrity.status().ToString();
    EXPECT_EQ(*integrity, "ok");
    for (int64_t id : acked) {
      auto a = store.GetAlert(id);
      ASSERT_TRUE(a.ok()) << "acknowledged alert " << id << " lost: " << a.status().ToString();
      EXPECT_NE(a->state, AlertState::kOpen) << id;
      ASSERT_TRUE(a->ack.has_value()) << id;
      EXPECT_EQ(a->ack->who, "guard");
      EXPECT_EQ(a->ack->note, NoteFor(id));
    }
    // Every acknowledgement has its audit entry (same transaction).
    auto audit = store.ListAudit(0, kMaxPageSize);
    ASSERT_TRUE(audit.ok());
    std::set<int64_t> audited;
    for (const auto& e : *audit) {
      if (e.what.rfind("acknowledge alert ", 0) == 0) audited.insert(std::stoll(e.what.substr(18)));
    }
    for (int64_t id : acked) EXPECT_TRUE(audited.count(id)) << id;
  }
  EXPECT_GE(acked.size(), size_t{5 + 11 + 17});
}

}  // namespace
}  // namespace argus::store
