#include "ingest/source_state.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace argus::ingest {
namespace {

using S = SourceState;

TEST(SourceState, Names) {
  EXPECT_STREQ(ToString(S::kConnecting), "connecting");
  EXPECT_STREQ(ToString(S::kRunning), "running");
  EXPECT_STREQ(ToString(S::kReconnecting), "reconnecting");
  EXPECT_STREQ(ToString(S::kEnded), "ended");
  EXPECT_STREQ(ToString(S::kStopped), "stopped");
}

TEST(SourceState, TransitionTable) {
  EXPECT_TRUE(IsValidTransition(S::kConnecting, S::kRunning));
  EXPECT_TRUE(IsValidTransition(S::kConnecting, S::kReconnecting));
  EXPECT_TRUE(IsValidTransition(S::kRunning, S::kReconnecting));
  EXPECT_TRUE(IsValidTransition(S::kReconnecting, S::kRunning));
  EXPECT_TRUE(IsValidTransition(S::kRunning, S::kEnded));
  EXPECT_TRUE(IsValidTransition(S::kReconnecting, S::kEnded));
  EXPECT_TRUE(IsValidTransition(S::kRunning, S::kStopped));
  EXPECT_TRUE(IsValidTransition(S::kReconnecting, S::kStopped));
  EXPECT_TRUE(IsValidTransition(S::kConnecting, S::kStopped));
  // Connecting happens once; Ended and Stopped are final; self-loops are no transition.
  EXPECT_FALSE(IsValidTransition(S::kRunning, S::kConnecting));
  EXPECT_FALSE(IsValidTransition(S::kReconnecting, S::kConnecting));
  EXPECT_FALSE(IsValidTransition(S::kRunning, S::kRunning));
  for (S to : {S::kConnecting, S::kRunning, S::kReconnecting, S::kEnded, S::kStopped}) {
    EXPECT_FALSE(IsValidTransition(S::kEnded, to)) << ToString(to);
    EXPECT_FALSE(IsValidTransition(S::kStopped, to)) << ToString(to);
  }
}

TEST(SourceStateMachine, NotifiesEachTransitionOnceAndInOrder) {
  SourceStateMachine m;
  std::vector<std::string> seen;
  m.SetListener([&](S s) { seen.push_back(ToString(s)); });
  EXPECT_EQ(m.state(), S::kConnecting);
  EXPECT_TRUE(m.TransitionTo(S::kReconnecting));
  EXPECT_FALSE(m.TransitionTo(S::kReconnecting));  // no change, no notification
  EXPECT_TRUE(m.TransitionTo(S::kRunning));
  EXPECT_TRUE(m.TransitionTo(S::kReconnecting));
  EXPECT_TRUE(m.TransitionTo(S::kRunning));
  EXPECT_TRUE(m.TransitionTo(S::kStopped));
  EXPECT_FALSE(m.TransitionTo(S::kRunning));  // a late reader cannot revive a stopped source
  EXPECT_EQ(m.state(), S::kStopped);
  EXPECT_EQ(seen, (std::vector<std::string>{"reconnecting", "running", "reconnecting", "running",
                                            "stopped"}));
}

TEST(SourceStateMachine, ListenerMayTriggerATransition) {
  SourceStateMachine m(S::kRunning);
  std::vector<S> seen;
  m.SetListener([&](S s) {
    seen.push_back(s);
    if (s == S::kReconnecting) {
      EXPECT_TRUE(m.TransitionTo(S::kStopped));  // e.g. give up
    }
  });
  EXPECT_TRUE(m.TransitionTo(S::kReconnecting));
  EXPECT_EQ(m.state(), S::kStopped);
  EXPECT_EQ(seen, (std::vector<S>{S::kReconnecting, S::kStopped}));
}

// The camera runner's shape: one thread holds its lock while it stops the source; the
// reading thread's listener, on a transition just before, wants that lock.
TEST(SourceStateMachine, AListenerWaitingForALockDoesNotBlockAStopMadeUnderIt) {
  SourceStateMachine m(S::kRunning);
  std::mutex runner;
  std::promise<void> in_listener;
  m.SetListener([&](S s) {
    if (s != S::kReconnecting) return;
    in_listener.set_value();
    std::lock_guard lock(runner);  // e.g. reading the runner's stats
  });
  std::unique_lock held(runner);
  std::thread reader([&] { m.TransitionTo(S::kReconnecting); });
  in_listener.get_future().wait();
  auto stop = std::async(std::launch::async, [&] { return m.TransitionTo(S::kStopped); });
  const bool stopped_in_time = stop.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  held.unlock();  // lets either version finish, so the test ends
  reader.join();
  EXPECT_TRUE(stopped_in_time) << "Stop waited for a listener that waited for Stop's lock";
  EXPECT_TRUE(stop.get());
  EXPECT_EQ(m.state(), S::kStopped);
}

}  // namespace
}  // namespace argus::ingest
