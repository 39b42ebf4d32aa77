// Delivers JSON payloads by HTTP POST to configured URLs (cpp-httplib client).
// Send() never blocks: deliveries go into a bounded queue served by one worker
// thread, which retries with exponential back-off on connection errors, 5xx,
// 408 and 429, and gives up at once on other 4xx (the request itself is wrong).
// Thread safety: Start/Stop/Flush from the owning thread; Send and stats()
// from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace httplib {
class Client;
}

namespace argus::notify {

inline constexpr double kDefaultWebhookTimeoutS = 5;
inline constexpr int kDefaultWebhookMaxAttempts = 5;
inline constexpr double kDefaultWebhookBackoffInitialS = 1;
inline constexpr double kDefaultWebhookBackoffMaxS = 60;
inline constexpr double kDefaultWebhookBackoffFactor = 2;
inline constexpr size_t kDefaultWebhookQueueCapacity = 1000;

struct WebhookOptions {
  std::vector<std::string> urls;               // http:// or https://host[:port][/path]
  double timeout_s = kDefaultWebhookTimeoutS;  // connect, read and write, each
  int max_attempts = kDefaultWebhookMaxAttempts;
  double backoff_initial_s = kDefaultWebhookBackoffInitialS;
  double backoff_max_s = kDefaultWebhookBackoffMaxS;
  double backoff_factor = kDefaultWebhookBackoffFactor;
  size_t queue_capacity = kDefaultWebhookQueueCapacity;  // pending deliveries, all URLs
  // When set, every request carries X-Argus-Signature: sha256=<HMAC-SHA256 of the body>.
  std::string secret;
};

struct ParsedUrl {
  std::string scheme_host_port;  // "http://host:port", what httplib::Client takes
  std::string path;              // "/hook?x=1"; "/" when absent
};
// Accepts http:// and https:// URLs with a host; kInvalidArgument otherwise.
core::Result<ParsedUrl> ParseWebhookUrl(const std::string& url);

// Delay before retry `n` (1 = first retry): initial * factor^(n-1), capped at max.
double WebhookRetryDelay(const WebhookOptions& o, int n);

enum class DeliveryOutcome { kDelivered, kRetry, kFailed };
// How an HTTP status (0 = no response: connection error or timeout) is treated.
DeliveryOutcome ClassifyHttpStatus(int status);

struct WebhookStats {
  uint64_t pending = 0;    // queued or waiting for a retry
  uint64_t delivered = 0;  // 2xx received
  uint64_t failed = 0;     // given up: non-retryable status or attempts exhausted
  uint64_t retries = 0;    // attempts after the first
  uint64_t dropped = 0;    // queue full, or still pending at Stop()
};

class WebhookSender {
 public:
  // `clock` schedules retries and must outlive this object. The worker waits in
  // real time, so use a clock that advances with it (SystemClock).
  WebhookSender(WebhookOptions options, const core::Clock& clock);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Validates every URL (kInvalidArgument names the bad one) and starts the worker.
  core::Status Start();
  // Aborts a request in progress and stops; pending deliveries count as dropped.
  void Stop();
  // Waits up to `timeout_s` until nothing is pending; true when drained.
  bool Flush(double timeout_s);

  // Queues `json_body` for every URL. Never blocks; when the queue is full the
  // oldest pending delivery is dropped.
  void Send(std::string json_body);

  WebhookStats stats() const;

 private:
  struct Delivery {
    size_t target = 0;
    std::shared_ptr<const std::string> body;
    int attempts = 0;
    double due_s = 0;  // clock Seconds() when it may be tried
  };

  void WorkerLoop();
  // Performs one POST; returns the HTTP status or 0 when there was no response.
  int Post(const Delivery& d);

  WebhookOptions options_;
  const core::Clock& clock_;
  std::vector<ParsedUrl> targets_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Delivery> pending_;
  size_t in_progress_ = 0;
  httplib::Client* active_client_ = nullptr;  // so Stop() can abort a slow request
  bool stop_ = false;
  WebhookStats stats_;
  std::thread worker_;
};

}  // namespace argus::notify
