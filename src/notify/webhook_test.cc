#include "notify/webhook.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "notify/signature.h"
#include "notify/testing/mosquitto_broker.h"  // FreeLoopbackPort
#include "notify/testing/webhook_receiver.h"

namespace argus::notify {
namespace {

TEST(ParseWebhookUrlTest, SplitsHostAndPath) {
  auto p = ParseWebhookUrl("http://127.0.0.1:8080/hooks/argus?k=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme_host_port, "http://127.0.0.1:8080");
  EXPECT_EQ(p->path, "/hooks/argus?k=1");
  p = ParseWebhookUrl("https://alerts.example.org");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme_host_port, "https://alerts.example.org");
  EXPECT_EQ(p->path, "/");
}

TEST(ParseWebhookUrlTest, RejectsBadUrls) {
  for (const char* bad : {"", "127.0.0.1:80/x", "ftp://h/x", "http:///x", "http://:80/x",
                          "http://h:0/", "http://h:99999/", "http://h:8a/", "http://u@h/"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).ok()) << bad;
  }
}

TEST(WebhookPolicyTest, RetriesOnlyWhatMaySucceedLater) {
  EXPECT_EQ(ClassifyHttpStatus(200), DeliveryOutcome::kDelivered);
  EXPECT_EQ(ClassifyHttpStatus(204), DeliveryOutcome::kDelivered);
  EXPECT_EQ(ClassifyHttpStatus(0), DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpStatus(503), DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpStatus(429), DeliveryOutcome::kRetry);
  EXPECT_EQ(ClassifyHttpStatus(400), DeliveryOutcome::kFailed);
  EXPECT_EQ(ClassifyHttpStatus(404), DeliveryOutcome::kFailed);
  EXPECT_EQ(ClassifyHttpStatus(301), DeliveryOutcome::kFailed);
}

TEST(WebhookPolicyTest, ExponentialBackoffIsCapped) {
  WebhookOptions o;
  o.backoff_initial_s = 0.5;
  o.backoff_factor = 2;
  o.backoff_max_s = 3;
  EXPECT_DOUBLE_EQ(WebhookRetryDelay(o, 1), 0.5);
  EXPECT_DOUBLE_EQ(WebhookRetryDelay(o, 2), 1.0);
  EXPECT_DOUBLE_EQ(WebhookRetryDelay(o, 3), 2.0);
  EXPECT_DOUBLE_EQ(WebhookRetryDelay(o, 4), 3.0);
  EXPECT_DOUBLE_EQ(WebhookRetryDelay(o, 10), 3.0);
}

using testing::WebhookServer;

WebhookOptions FastOptions(const std::string& url) {
  WebhookOptions o;
  o.urls = {url};
  o.timeout_s = 2;
  o.max_attempts = 4;
  o.backoff_initial_s = 0.05;
  o.backoff_max_s = 0.2;
  return o;
}

TEST(WebhookSenderTest, RetriesAfter503AndDeliversOnce) {
  std::mutex mu;
  std::vector<std::string> bodies;
  std::vector<std::string> content_types;
  WebhookServer server([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    bodies.push_back(req.body);
    content_types.push_back(req.get_header_value("Content-Type"));
    res.status = bodies.size() <= 2 ? 503 : 200;
  });
  WebhookSender sender(FastOptions(server.url()), core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send(R"({"type":"intrusion","camera":"north-facade"})");
  ASSERT_TRUE(sender.Flush(10));
  const WebhookStats s = sender.stats();
  EXPECT_EQ(s.delivered, 1u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.failed, 0u);
  std::lock_guard lock(mu);
  ASSERT_EQ(bodies.size(), 3u);  // two 503s, then accepted; not sent again after that
  for (const std::string& b : bodies)
    EXPECT_EQ(b, R"({"type":"intrusion","camera":"north-facade"})");
  EXPECT_EQ(content_types[2], "application/json");
}

TEST(WebhookSenderTest, ClientErrorIsNotRetried) {
  std::atomic<int> calls{0};
  WebhookServer server([&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 400;
  });
  WebhookSender sender(FastOptions(server.url()), core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send("{}");
  ASSERT_TRUE(sender.Flush(10));
  // Longer than every back-off: a retry would have happened by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(sender.stats().failed, 1u);
  EXPECT_EQ(sender.stats().retries, 0u);
}

TEST(WebhookSenderTest, UnreachableUrlGivesUpAfterMaxAttempts) {
  // Nothing listens on this port: every attempt is a connection error.
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()) + "/x";
  WebhookSender sender(FastOptions(url), core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send("{}");
  ASSERT_TRUE(sender.Flush(10));
  const WebhookStats s = sender.stats();
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 3u);  // max_attempts = 4
}

TEST(WebhookSenderTest, SendNeverBlocksWhileReceiverHangs) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> calls{0};
  WebhookServer server([&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    res.status = 200;
  });
  WebhookOptions o = FastOptions(server.url());
  o.timeout_s = 20;  // the hang must not be cut short by the timeout in this test
  o.queue_capacity = 5;
  WebhookSender sender(o, core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send("first");
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (calls.load() == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(calls.load(), 1);
  // The worker is stuck inside "first"; the caller still returns every time.
  for (int i = 0; i < 20; ++i) sender.Send("more");
  WebhookStats s = sender.stats();
  EXPECT_EQ(s.pending, 6u);  // 5 queued + 1 in progress
  EXPECT_EQ(s.dropped, 15u);
  EXPECT_EQ(s.delivered, 0u);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_TRUE(sender.Flush(10));
  EXPECT_EQ(sender.stats().delivered, 6u);
}

TEST(WebhookSenderTest, StopAbortsAHangingRequest) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> calls{0};
  WebhookServer server([&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(20), [&] { return release; });
    res.status = 200;
  });
  WebhookOptions o = FastOptions(server.url());
  o.timeout_s = 20;
  WebhookSender sender(o, core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send("x");
  sender.Send("y");
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (calls.load() == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(calls.load(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  sender.Stop();
  // Not a performance assertion: without the abort, Stop would wait for the 20 s timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(sender.stats().dropped, 2u);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
}

TEST(WebhookSenderTest, SignsBodyWhenSecretIsSet) {
  std::mutex mu;
  std::string signature, body;
  WebhookServer server([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    signature = req.get_header_value("X-Argus-Signature");
    body = req.body;
    res.status = 204;
  });
  WebhookOptions o = FastOptions(server.url());
  o.secret = "Jefe";
  WebhookSender sender(o, core::SystemClock::Instance());
  ASSERT_TRUE(sender.Start().ok());
  sender.Send("what do ya want for nothing?");
  ASSERT_TRUE(sender.Flush(10));
  EXPECT_EQ(sender.stats().delivered, 1u);
  std::lock_guard lock(mu);
  EXPECT_EQ(body, "what do ya want for nothing?");
  // RFC 4231 test case 2, computed independently of our code.
  EXPECT_EQ(signature, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSenderTest, InvalidUrlIsRejectedAtStart) {
  WebhookOptions o;
  o.urls = {"http://127.0.0.1:9/ok", "gopher://x"};
  WebhookSender sender(o, core::SystemClock::Instance());
  const core::Status s = sender.Start();
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("gopher://x"), std::string::npos);
}

}  // namespace
}  // namespace argus::notify
