// Fan-out of live messages (new events, alert changes, camera status) to the
// Server-Sent Events clients of /api/live.
//
// Publish never blocks on a client: each subscriber has a bounded queue, and a
// slow subscriber loses its oldest messages (counted, so the SSE stream can tell
// the client to reload) instead of slowing the daemon.
//
// The hub also keeps the most recent messages (a bounded ring) so that a client
// that lost its connection can resume after the last message it saw: Subscribe
// with that id replays what it missed, or says it cannot (too old, or an id of
// an earlier daemon: ids carry a per-hub random epoch) and the client reloads.
//
// Thread safety: every method may be called from any thread. The hub must outlive
// its subscriptions (the daemon owns it and stops the HttpServer first).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace argus::api {

// Messages a subscriber may hold before the oldest are dropped.
inline constexpr size_t kDefaultLiveQueueCapacity = 256;
// Recent messages kept for clients that resume (Last-Event-ID).
inline constexpr size_t kDefaultLiveReplayCapacity = 1024;

struct LiveMessage {
  uint64_t id = 0;                          // increasing per hub, in publish order
  std::string event;                        // "event" | "alert" | "camera"
  std::shared_ptr<const std::string> data;  // JSON text, shared by all subscribers
};

class LiveHub {
 public:
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // Waits up to `timeout` until at least one message is queued, appends the
    // queued messages to *out (oldest first) and returns how many were dropped for
    // this subscriber since the previous call.
    uint64_t Wait(std::chrono::milliseconds timeout, std::vector<LiveMessage>* out);

   private:
    friend class LiveHub;
    Subscription(LiveHub* hub, std::set<std::string> types, size_t capacity);
    bool Wants(std::string_view event) const;
    // Returns true when an older message had to be dropped.
    bool Push(const LiveMessage& m);

    LiveHub* hub_;
    const std::set<std::string> types_;  // empty: all
    const size_t capacity_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<LiveMessage> queue_;
    uint64_t dropped_ = 0;
  };

  explicit LiveHub(size_t queue_capacity = kDefaultLiveQueueCapacity,
                   size_t replay_capacity = kDefaultLiveReplayCapacity);
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // `json` should be one JSON document (newlines are allowed; SSE splits them).
  void Publish(std::string_view event_name, std::string json);
  // Messages whose event name is in `types` (all when empty) from now on.
  std::unique_ptr<Subscription> Subscribe(std::set<std::string> types = {});
  // The same, first queueing the kept messages published after `last_id` (an id
  // as MessageId wrote it). *resumed says whether they are all there: false for
  // an id of another hub (an earlier daemon), one older than the ring or newer
  // than the last message, or more missed messages than the queue holds.
  std::unique_ptr<Subscription> Resume(std::set<std::string> types, std::string_view last_id,
                                       bool* resumed);

  // The SSE id of message `seq` of this hub: "<epoch>-<seq>".
  std::string MessageId(uint64_t seq) const;
  uint64_t epoch() const { return epoch_; }

  size_t subscribers() const;
  uint64_t published_total() const;
  uint64_t dropped_total() const;  // over all subscribers, ever

 private:
  void Unsubscribe(Subscription* s);

  // The seq of `last_id` when it names a message of this hub (or 0: none yet).
  std::optional<uint64_t> ParseId(std::string_view last_id) const;

  const size_t capacity_;
  const size_t replay_capacity_;
  const uint64_t epoch_;  // random per hub, so ids of an earlier daemon are told apart
  mutable std::mutex mu_;
  std::vector<Subscription*> subs_;
  std::deque<LiveMessage> recent_;  // the last replay_capacity_ messages
  uint64_t next_id_ = 1;
  uint64_t dropped_total_ = 0;
};

}  // namespace argus::api
