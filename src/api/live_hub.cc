#include "api/live_hub.h"

#include <algorithm>
#include <utility>

namespace argus::api {

LiveHub::Subscription::Subscription(LiveHub* hub, std::set<std::string> types, size_t capacity)
    : hub_(hub), types_(std::move(types)), capacity_(std::max<size_t>(1, capacity)) {}

LiveHub::Subscription::~Subscription() { hub_->Unsubscribe(this); }

bool LiveHub::Subscription::Wants(std::string_view event) const {
  return types_.empty() || types_.count(std::string(event)) > 0;
}

bool LiveHub::Subscription::Push(const LiveMessage& m) {
  bool dropped = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      ++dropped_;
      dropped = true;
    }
    queue_.push_back(m);
  }
  cv_.notify_one();
  return dropped;
}

uint64_t LiveHub::Subscription::Wait(std::chrono::milliseconds timeout,
                                     std::vector<LiveMessage>* out) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); });
  for (auto& m : queue_) out->push_back(std::move(m));
  queue_.clear();
  return std::exchange(dropped_, 0);
}

LiveHub::LiveHub(size_t queue_capacity) : capacity_(queue_capacity) {}

void LiveHub::Publish(std::string_view event_name, std::string json) {
  LiveMessage m;
  m.event = std::string(event_name);
  m.data = std::make_shared<const std::string>(std::move(json));
  std::lock_guard<std::mutex> lock(mu_);
  m.id = next_id_++;
  // Subscriber locks are only held to swap a queue out, never across network I/O.
  for (Subscription* s : subs_) {
    if (s->Wants(m.event) && s->Push(m)) ++dropped_total_;
  }
}

std::unique_ptr<LiveHub::Subscription> LiveHub::Subscribe(std::set<std::string> types) {
  std::unique_ptr<Subscription> s(new Subscription(this, std::move(types), capacity_));
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(s.get());
  return s;
}

void LiveHub::Unsubscribe(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

size_t LiveHub::subscribers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subs_.size();
}

uint64_t LiveHub::published_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_id_ - 1;
}

uint64_t LiveHub::dropped_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_total_;
}

}  // namespace argus::api
