#include "notify/webhook.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "core/log.h"
#include "notify/signature.h"

namespace argus::notify {
namespace {

constexpr char kUserAgent[] = "argus-webhook/1";
constexpr char kContentType[] = "application/json";

void SetTimeout(httplib::Client& c, double timeout_s) {
  const auto us = std::chrono::microseconds(static_cast<int64_t>(timeout_s * 1e6));
  const time_t sec = static_cast<time_t>(us.count() / 1000000);
  const time_t usec = static_cast<time_t>(us.count() % 1000000);
  c.set_connection_timeout(sec, usec);
  c.set_read_timeout(sec, usec);
  c.set_write_timeout(sec, usec);
}

}  // namespace

core::Result<ParsedUrl> ParseWebhookUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return core::InvalidArgument("webhook url needs a scheme: " + url);
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return core::InvalidArgument("webhook url must be http or https: " + url);
  }
  const size_t host_begin = scheme_end + 3;
  const size_t path_begin = url.find_first_of("/?", host_begin);
  const std::string authority = url.substr(host_begin, path_begin - host_begin);
  if (authority.empty() || authority.front() == ':' || authority.find('@') != std::string::npos ||
      authority.find_first_of(" \t") != std::string::npos) {
    return core::InvalidArgument("webhook url has no valid host: " + url);
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return core::InvalidArgument("webhook url has a bad port: " + url);
    }
  }
  ParsedUrl p;
  p.scheme_host_port = scheme + "://" + authority;
  p.path = path_begin == std::string::npos ? "/" : url.substr(path_begin);
  if (p.path.front() == '?') p.path = std::string("/") + p.path;
  return p;
}

double WebhookRetryDelay(const WebhookOptions& o, int n) {
  const double d = o.backoff_initial_s * std::pow(o.backoff_factor, std::max(0, n - 1));
  return std::min(d, o.backoff_max_s);
}

DeliveryOutcome ClassifyHttpStatus(int status) {
  if (status >= 200 && status < 300) return DeliveryOutcome::kDelivered;
  // No response, server trouble, or "try later": the same request may succeed.
  if (status == 0 || status >= 500 || status == 408 || status == 429) {
    return DeliveryOutcome::kRetry;
  }
  return DeliveryOutcome::kFailed;
}

WebhookSender::WebhookSender(WebhookOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

WebhookSender::~WebhookSender() { Stop(); }

core::Status WebhookSender::Start() {
  if (worker_.joinable()) return core::Status::Ok();
  if (options_.timeout_s <= 0 || options_.max_attempts < 1 || options_.backoff_initial_s < 0 ||
      options_.backoff_max_s < options_.backoff_initial_s || options_.backoff_factor < 1 ||
      options_.queue_capacity == 0) {
    return core::InvalidArgument(
        "webhook: need timeout > 0, attempts >= 1, 0 <= backoff initial <= max, factor >= 1, "
        "queue capacity >= 1");
  }
  targets_.clear();
  for (const std::string& url : options_.urls) {
    core::Result<ParsedUrl> p = ParseWebhookUrl(url);
    if (!p.ok()) return p.status();
    targets_.push_back(*p);
  }
  stop_ = false;
  worker_ = std::thread([this] { WorkerLoop(); });
  return core::Status::Ok();
}

void WebhookSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (active_client_ != nullptr) active_client_->stop();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mu_);
  stats_.dropped += pending_.size();
  pending_.clear();
}

bool WebhookSender::Flush(double timeout_s) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                      [this] { return pending_.empty() && in_progress_ == 0; });
}

void WebhookSender::Send(std::string json_body) {
  auto body = std::make_shared<const std::string>(std::move(json_body));
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    for (size_t i = 0; i < options_.urls.size(); ++i) {
      if (pending_.size() >= options_.queue_capacity) {
        pending_.pop_front();
        ++stats_.dropped;
      }
      pending_.push_back({i, body, 0, clock_.Seconds()});
    }
  }
  cv_.notify_all();
}

WebhookStats WebhookSender::stats() const {
  std::lock_guard lock(mu_);
  WebhookStats s = stats_;
  s.pending = pending_.size() + in_progress_;
  return s;
}

int WebhookSender::Post(const Delivery& d) {
  const ParsedUrl& target = targets_[d.target];
  httplib::Client client(target.scheme_host_port);
  SetTimeout(client, options_.timeout_s);
  {
    std::lock_guard lock(mu_);
    if (stop_) return 0;
    active_client_ = &client;
  }
  httplib::Headers headers = {{"User-Agent", kUserAgent}};
  if (!options_.secret.empty()) {
    headers.emplace(kSignatureHeader, SignatureHeaderValue(options_.secret, *d.body));
  }
  httplib::Result res = client.Post(target.path, headers, *d.body, kContentType);
  {
    std::lock_guard lock(mu_);
    active_client_ = nullptr;
  }
  if (!res) {
    spdlog::debug("webhook: {}{}: {}", target.scheme_host_port, target.path,
                  httplib::to_string(res.error()));
    return 0;
  }
  return res->status;
}

void WebhookSender::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (pending_.empty()) {
      cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
      continue;
    }
    auto next =
        std::min_element(pending_.begin(), pending_.end(),
                         [](const Delivery& a, const Delivery& b) { return a.due_s < b.due_s; });
    const double wait_s = next->due_s - clock_.Seconds();
    if (wait_s > 0) {
      // Woken early by Send/Stop; then the earliest delivery is recomputed.
      cv_.wait_for(lock, std::chrono::duration<double>(wait_s));
      continue;
    }
    Delivery d = std::move(*next);
    pending_.erase(next);
    ++in_progress_;
    lock.unlock();
    const int status = Post(d);
    lock.lock();
    --in_progress_;
    ++d.attempts;
    if (d.attempts > 1) ++stats_.retries;
    const std::string& url = options_.urls[d.target];
    switch (ClassifyHttpStatus(status)) {
      case DeliveryOutcome::kDelivered:
        ++stats_.delivered;
        break;
      case DeliveryOutcome::kRetry:
        if (stop_) {
          ++stats_.dropped;
        } else if (d.attempts >= options_.max_attempts) {
          ++stats_.failed;
          spdlog::warn("webhook: giving up on {} after {} attempts (last status {})", url,
                       d.attempts, status);
        } else {
          d.due_s = clock_.Seconds() + WebhookRetryDelay(options_, d.attempts);
          pending_.push_back(std::move(d));
        }
        break;
      case DeliveryOutcome::kFailed:
        ++stats_.failed;
        spdlog::warn("webhook: {} answered {}; not retrying", url, status);
        break;
    }
    cv_.notify_all();
  }
}

}  // namespace argus::notify
