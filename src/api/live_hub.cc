#include "api/live_hub.h"

#include <algorithm>
#include <charconv>
#include <random>
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

namespace {

uint64_t RandomEpoch() {
  std::random_device rd;
  // 32 bits keep ids short; a collision with an earlier daemon's epoch only
  // matters if its seq is also in this hub's ring.
  return (static_cast<uint64_t>(rd()) & 0xffffffffu) | 1;
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

LiveHub::LiveHub(size_t queue_capacity, size_t replay_capacity)
    : capacity_(queue_capacity), replay_capacity_(replay_capacity), epoch_(RandomEpoch()) {}

std::string LiveHub::MessageId(uint64_t seq) const {
  return std::to_string(epoch_) + "-" + std::to_string(seq);
}

std::optional<uint64_t> LiveHub::ParseId(std::string_view last_id) const {
  const size_t dash = last_id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> epoch = ParseUint(last_id.substr(0, dash));
  if (!epoch || *epoch != epoch_) return std::nullopt;
  return ParseUint(last_id.substr(dash + 1));
}

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
  if (replay_capacity_ == 0) return;
  if (recent_.size() >= replay_capacity_) recent_.pop_front();
  recent_.push_back(std::move(m));
}

std::unique_ptr<LiveHub::Subscription> LiveHub::Subscribe(std::set<std::string> types) {
  std::unique_ptr<Subscription> s(new Subscription(this, std::move(types), capacity_));
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(s.get());
  return s;
}

std::unique_ptr<LiveHub::Subscription> LiveHub::Resume(std::set<std::string> types,
                                                       std::string_view last_id, bool* resumed) {
  std::unique_ptr<Subscription> s(new Subscription(this, std::move(types), capacity_));
  const std::optional<uint64_t> seq = ParseId(last_id);
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(s.get());
  const uint64_t last = next_id_ - 1;
  // Complete when nothing after `seq` has left the ring.
  bool ok =
      seq && *seq <= last && (recent_.empty() ? *seq == last : *seq + 1 >= recent_.front().id);
  std::vector<const LiveMessage*> missed;
  if (ok) {
    for (const LiveMessage& m : recent_) {
      if (m.id > *seq && s->Wants(m.event)) missed.push_back(&m);
    }
    ok = missed.size() <= capacity_;
  }
  if (ok) {
    for (const LiveMessage* m : missed) s->Push(*m);
  }
  *resumed = ok;
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
