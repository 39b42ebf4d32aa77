// Bounded FIFO of outgoing messages with a drop policy that protects alerts.
// Pure data structure, not thread-safe: the owner (MqttPublisher) locks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace argus::notify {

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  bool alert = false;  // alerts are the last to be dropped when the queue is full
};

class BoundedMessageQueue {
 public:
  explicit BoundedMessageQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Appends `m`. When full: drops the oldest non-alert message; if every queued
  // message is an alert, drops `m` itself when it is not an alert, else the
  // oldest alert. Returns false when `m` itself was dropped.
  bool Push(OutgoingMessage m);
  // Puts a message back at the head (it was taken but could not be sent). Same
  // drop policy, except the re-queued message is never the one dropped unless
  // it is a non-alert and all others are alerts.
  void PushFront(OutgoingMessage m);
  bool empty() const { return q_.empty(); }
  size_t size() const { return q_.size(); }
  size_t capacity() const { return capacity_; }
  OutgoingMessage PopFront();
  uint64_t dropped() const { return dropped_; }
  uint64_t dropped_alerts() const { return dropped_alerts_; }

 private:
  // Frees one slot for `incoming`; false when `incoming` should be dropped instead.
  bool MakeRoom(const OutgoingMessage& incoming);

  size_t capacity_;
  std::deque<OutgoingMessage> q_;
  uint64_t dropped_ = 0;
  uint64_t dropped_alerts_ = 0;
};

}  // namespace argus::notify
