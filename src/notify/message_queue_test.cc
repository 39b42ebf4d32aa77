#include "notify/message_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace argus::notify {
namespace {

OutgoingMessage Msg(const std::string& payload, bool alert = false) {
  return {"t", payload, alert ? 1 : 0, false, alert};
}

std::vector<std::string> Drain(BoundedMessageQueue& q) {
  std::vector<std::string> out;
  while (!q.empty()) out.push_back(q.PopFront().payload);
  return out;
}

TEST(BoundedMessageQueueTest, FifoBelowCapacity) {
  BoundedMessageQueue q(3);
  EXPECT_TRUE(q.Push(Msg("a")));
  EXPECT_TRUE(q.Push(Msg("b")));
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q.dropped(), 0u);
}

TEST(BoundedMessageQueueTest, FullDropsOldestNonAlertFirst) {
  BoundedMessageQueue q(3);
  q.Push(Msg("A1", true));
  q.Push(Msg("e1"));
  q.Push(Msg("e2"));
  EXPECT_TRUE(q.Push(Msg("e3")));        // drops e1, not the older alert
  EXPECT_TRUE(q.Push(Msg("A2", true)));  // drops e2
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(q.dropped_alerts(), 0u);
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"A1", "e3", "A2"}));
}

TEST(BoundedMessageQueueTest, AllAlertsRejectsNewNonAlertAndDropsOldestAlertForNewAlert) {
  BoundedMessageQueue q(2);
  q.Push(Msg("A1", true));
  q.Push(Msg("A2", true));
  EXPECT_FALSE(q.Push(Msg("e1")));
  EXPECT_TRUE(q.Push(Msg("A3", true)));
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(q.dropped_alerts(), 1u);
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"A2", "A3"}));
}

TEST(BoundedMessageQueueTest, PushFrontKeepsRequeuedMessageFirst) {
  BoundedMessageQueue q(2);
  q.Push(Msg("e1"));
  q.Push(Msg("e2"));
  q.PushFront(Msg("A0", true));  // full: e1 goes
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"A0", "e2"}));
  EXPECT_EQ(q.dropped(), 1u);
}

}  // namespace
}  // namespace argus::notify
