// PostgreSQL LISTEN/NOTIFY on one channel, over a dedicated connection (the store's own
// connection is shared by every caller and never waits for the server to speak first).
// Used by the nodes of a site to tell each other about live changes and released camera
// leases (docs/multi_node.md).
//
// Send only queues (bounded; the oldest goes when full, counted): the channel's thread
// sends the queue with NOTIFY and hands the payloads other connections notified to
// `on_notify`. Notifications sent on this channel's own connection are not handed back,
// so a node never hears itself. A lost server is reconnected with back-off (kPgNotify*
// below); that is logged once when it goes and once when it comes back, and what was
// queued meanwhile is dropped (live news is stale by then), so a dead store costs this
// feature only.
//
// Thread safety: Send from any thread; Start/Stop from the owning thread; `on_notify`
// runs on the channel's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace argus::store {

inline constexpr double kPgNotifyFirstRetryS = 0.5;  // back-off after a failed connect...
inline constexpr double kPgNotifyMaxRetryS = 15;     // ...doubling up to this
inline constexpr size_t kPgNotifyQueueCapacity = 1024;
inline constexpr int kPgNotifyMaxPayload = 7999;  // PostgreSQL's limit is 8000 bytes

class PgNotifyChannel {
 public:
  using Handler = std::function<void(const std::string& payload)>;

  // `channel`: a plain identifier (letters, digits, '_').
  PgNotifyChannel(std::string conninfo, std::string channel, Handler on_notify);
  ~PgNotifyChannel();
  PgNotifyChannel(const PgNotifyChannel&) = delete;
  PgNotifyChannel& operator=(const PgNotifyChannel&) = delete;

  void Start();
  void Stop();
  // Queues one NOTIFY; payloads over kPgNotifyMaxPayload bytes are refused (false).
  bool Send(std::string payload);

  bool listening() const { return listening_; }  // connected and LISTENing now
  uint64_t sent() const { return sent_; }
  uint64_t received() const { return received_; }
  uint64_t dropped() const { return dropped_; }  // queue overflow or a lost connection

 private:
  void Run();
  // Waits up to `seconds` or until Stop; false when stopping.
  bool Sleep(double seconds);

  const std::string conninfo_;
  const std::string channel_;
  const Handler on_notify_;
  int wake_[2] = {-1, -1};  // a pipe: Send and Stop wake the thread out of poll()
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool stop_ = false;              // guarded by mu_
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> sent_{0}, received_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace argus::store
