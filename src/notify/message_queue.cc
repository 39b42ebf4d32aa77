#include "notify/message_queue.h"

#include <algorithm>
#include <utility>

namespace argus::notify {

bool BoundedMessageQueue::MakeRoom(const OutgoingMessage& incoming) {
  if (q_.size() < capacity_) return true;
  auto it = std::find_if(q_.begin(), q_.end(), [](const OutgoingMessage& m) { return !m.alert; });
  if (it != q_.end()) {
    q_.erase(it);
    ++dropped_;
    return true;
  }
  // Only alerts are queued: a new non-alert is worth less than any of them.
  if (!incoming.alert) {
    ++dropped_;
    return false;
  }
  q_.pop_front();
  ++dropped_;
  ++dropped_alerts_;
  return true;
}

bool BoundedMessageQueue::Push(OutgoingMessage m) {
  if (!MakeRoom(m)) return false;
  q_.push_back(std::move(m));
  return true;
}

void BoundedMessageQueue::PushFront(OutgoingMessage m) {
  if (!MakeRoom(m)) return;
  q_.push_front(std::move(m));
}

OutgoingMessage BoundedMessageQueue::PopFront() {
  OutgoingMessage m = std::move(q_.front());
  q_.pop_front();
  return m;
}

}  // namespace argus::notify
