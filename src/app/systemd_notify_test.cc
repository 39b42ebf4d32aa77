#include "app/systemd_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "app/testing/fake_notify_socket.h"

namespace argus::app {
namespace {

using testing::FakeNotifySocket;

TEST(SystemdNotifier, DisabledWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  setenv("WATCHDOG_USEC", "1000000", 1);
  core::FakeClock clock;
  SystemdNotifier n(clock);
  EXPECT_FALSE(n.enabled());
  EXPECT_EQ(n.watchdog_interval_s(), 0);
  n.Ready("x");  // no socket: nothing to send, nothing fails
  n.WatchdogTick();
  unsetenv("WATCHDOG_USEC");
}

TEST(SystemdNotifier, SendsReadyReloadingStoppingToTheNotifySocket) {
  FakeNotifySocket sock;
  ASSERT_TRUE(sock.ok());
  core::FakeClock clock;
  SystemdNotifier n(clock);
  ASSERT_TRUE(n.enabled());
  EXPECT_EQ(n.watchdog_interval_s(), 0);
  n.Ready("serving on port 8080");
  EXPECT_EQ(sock.Receive(5), "READY=1\nSTATUS=serving on port 8080");
  n.Reloading();
  EXPECT_EQ(sock.Receive(5), "RELOADING=1\nSTATUS=reloading the config");
  n.Stopping();
  EXPECT_EQ(sock.Receive(5), "STOPPING=1\nSTATUS=shutting down");
  n.WatchdogTick();  // no WATCHDOG_USEC: no pings
  EXPECT_EQ(sock.Receive(0.2), std::nullopt);
}

TEST(SystemdNotifier, WatchdogPingsAtAQuarterOfTheInterval) {
  FakeNotifySocket sock;
  ASSERT_TRUE(sock.ok());
  setenv("WATCHDOG_USEC", "4000000", 1);  // WatchdogSec=4
  core::FakeClock clock;
  SystemdNotifier n(clock);
  EXPECT_DOUBLE_EQ(n.watchdog_interval_s(), 4.0);
  n.WatchdogTick();
  EXPECT_EQ(sock.Receive(5), "WATCHDOG=1");
  clock.Advance(std::chrono::milliseconds(900));
  n.WatchdogTick();  // 0.9 s < 1 s: too early
  EXPECT_EQ(sock.Receive(0.2), std::nullopt);
  clock.Advance(std::chrono::milliseconds(100));
  n.WatchdogTick();
  EXPECT_EQ(sock.Receive(5), "WATCHDOG=1");
}

TEST(SystemdNotifier, WatchdogMeantForAnotherProcessIsIgnored) {
  FakeNotifySocket sock;
  ASSERT_TRUE(sock.ok());
  setenv("WATCHDOG_USEC", "4000000", 1);
  setenv("WATCHDOG_PID", "1", 1);  // systemd's WATCHDOG_PID names the main process
  core::FakeClock clock;
  SystemdNotifier n(clock);
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(n.watchdog_interval_s(), 0);
}

}  // namespace
}  // namespace argus::app
