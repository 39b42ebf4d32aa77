// LiveHub, FrameHub, JSON forms and Prometheus rendering, without sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/frame_hub.h"
#include "api/json_format.h"
#include "api/live_hub.h"
#include "api/metrics.h"
#include "core/clock.h"

namespace argus::api {
namespace {

using namespace std::chrono_literals;

TEST(LiveHub, DeliversInOrderFilteredAndDropsOldestWhenFull) {
  LiveHub hub(/*queue_capacity=*/4);
  auto all = hub.Subscribe();
  auto alerts = hub.Subscribe({"alert"});
  EXPECT_EQ(hub.subscribers(), 2u);
  for (int i = 0; i < 6; ++i) hub.Publish(i % 2 ? "alert" : "event", std::to_string(i));

  std::vector<LiveMessage> got;
  EXPECT_EQ(all->Wait(0ms, &got), 2u);  // 6 into a queue of 4: the 2 oldest went
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(*got[0].data, "2");
  EXPECT_EQ(got[0].id, 3u);
  EXPECT_EQ(*got[3].data, "5");
  EXPECT_EQ(got[3].event, "alert");

  got.clear();
  EXPECT_EQ(alerts->Wait(0ms, &got), 0u);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(*got[0].data, "1");
  EXPECT_EQ(*got[2].data, "5");
  EXPECT_EQ(hub.dropped_total(), 2u);
  EXPECT_EQ(hub.published_total(), 6u);

  got.clear();
  EXPECT_EQ(all->Wait(0ms, &got), 0u);  // the drop count was reported once
  EXPECT_TRUE(got.empty());
  all.reset();
  EXPECT_EQ(hub.subscribers(), 1u);
}

TEST(LiveHub, ResumeReplaysTheKeptMessagesAfterAnIdOrSaysItCannot) {
  LiveHub hub(/*queue_capacity=*/3, /*replay_capacity=*/5);
  for (int i = 1; i <= 8; ++i) hub.Publish(i % 2 ? "alert" : "event", std::to_string(i));
  // The ring keeps 4..8.
  auto ids = [](LiveHub::Subscription& s) {
    std::vector<LiveMessage> got;
    s.Wait(0ms, &got);
    std::vector<uint64_t> out;
    for (const LiveMessage& m : got) out.push_back(m.id);
    return out;
  };
  bool resumed = false;
  auto s = hub.Resume({"alert"}, hub.MessageId(3), &resumed);
  EXPECT_TRUE(resumed);
  EXPECT_EQ(ids(*s), (std::vector<uint64_t>{5, 7}));
  hub.Publish("alert", "9");  // and then live ones
  EXPECT_EQ(ids(*s), (std::vector<uint64_t>{9}));

  s = hub.Resume({}, hub.MessageId(9), &resumed);  // up to date
  EXPECT_TRUE(resumed);
  EXPECT_TRUE(ids(*s).empty());
  // The ring keeps 5..9: after 2, message 3 and 4 are gone.
  s = hub.Resume({"alert"}, hub.MessageId(2), &resumed);
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(ids(*s).empty());
  // More missed than the subscriber's queue holds.
  s = hub.Resume({}, hub.MessageId(4), &resumed);
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(ids(*s).empty());
  for (const std::string& bad :
       {hub.MessageId(10), std::to_string(hub.epoch() ^ 2) + "-5", std::string("5"),
        std::string(""), std::string("-"), std::to_string(hub.epoch()) + "-5x"}) {
    s = hub.Resume({}, bad, &resumed);
    EXPECT_FALSE(resumed) << bad;
    EXPECT_TRUE(ids(*s).empty()) << bad;
  }
  EXPECT_EQ(hub.subscribers(), 1u);
}

TEST(LiveHub, WaitWakesOnPublish) {
  LiveHub hub;
  auto sub = hub.Subscribe();
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    hub.Publish("camera", "{}");
  });
  std::vector<LiveMessage> got;
  sub->Wait(30s, &got);  // returns on the message, not the timeout
  t.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].event, "camera");
}

TEST(FrameHub, WaitNewerSeesOnlyNewerFrames) {
  FrameHub hub;
  EXPECT_FALSE(hub.Has("a"));
  EXPECT_FALSE(hub.WaitNewer("a", 0, 1ms));
  hub.Set("a", std::make_shared<const std::string>("one"));
  auto f = hub.WaitNewer("a", 0, 1ms);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->jpeg, "one");
  EXPECT_FALSE(hub.WaitNewer("a", f->seq, 1ms));
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    hub.Set("a", std::make_shared<const std::string>("two"));
  });
  auto g = hub.WaitNewer("a", f->seq, 30s);
  t.join();
  ASSERT_TRUE(g);
  EXPECT_EQ(*g->jpeg, "two");
  EXPECT_GT(g->seq, f->seq);
  EXPECT_EQ(*hub.Latest("a")->jpeg, "two");
  EXPECT_TRUE(hub.Has("a"));
}

TEST(FrameHub, VariantsAreSeparate) {
  FrameHub hub;
  hub.Set("a", std::make_shared<const std::string>("clear"));
  EXPECT_TRUE(hub.Has("a"));
  EXPECT_FALSE(hub.Has("a", FrameVariant::kBlurred));
  EXPECT_FALSE(hub.Latest("a", FrameVariant::kBlurred));
  EXPECT_FALSE(hub.WaitNewer("a", 0, 1ms, FrameVariant::kBlurred)) << "a clear frame is no answer";
  hub.Set("a", std::make_shared<const std::string>("blurred"), FrameVariant::kBlurred);
  auto b = hub.WaitNewer("a", 0, 1ms, FrameVariant::kBlurred);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b->jpeg, "blurred");
  EXPECT_EQ(*hub.Latest("a")->jpeg, "clear");
  EXPECT_EQ(*hub.WaitNewer("a", 0, 1ms)->jpeg, "clear");

  // Cleared (its producer stopped): no old picture for the next reader, who waits for a
  // new one.
  hub.Clear("a", FrameVariant::kBlurred);
  EXPECT_FALSE(hub.Has("a", FrameVariant::kBlurred));
  EXPECT_FALSE(hub.WaitNewer("a", 0, 1ms, FrameVariant::kBlurred));
  EXPECT_TRUE(hub.Has("a")) << "the clear variant stays";
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    hub.Set("a", std::make_shared<const std::string>("fresh"), FrameVariant::kBlurred);
  });
  auto c = hub.WaitNewer("a", 0, 30s, FrameVariant::kBlurred);
  t.join();
  ASSERT_TRUE(c);
  EXPECT_EQ(*c->jpeg, "fresh");
  EXPECT_GT(c->seq, b->seq);
  hub.Clear("unknown", FrameVariant::kBlurred);  // harmless
  EXPECT_FALSE(hub.Has("unknown"));
}

TEST(FrameHub, AVariantIsWantedWhileAReaderAsksOrAskedRecently) {
  core::FakeClock clock;
  FrameHub hub(clock);
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kBlurred));
  hub.Set("a", std::make_shared<const std::string>("x"));
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kBlurred)) << "producing is not asking";
  EXPECT_FALSE(hub.WaitNewer("a", 0, 1ms, FrameVariant::kBlurred));
  EXPECT_TRUE(hub.Wanted("a", FrameVariant::kBlurred));
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kClear)) << "per variant";
  EXPECT_FALSE(hub.Wanted("b", FrameVariant::kBlurred)) << "per camera";
  clock.Advance(4s);
  EXPECT_TRUE(hub.Wanted("a", FrameVariant::kBlurred));
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kBlurred, /*within_s=*/3));
  clock.Advance(2s);
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kBlurred)) << "nobody asked for 6 s";

  // A reader still waiting wants it, however long ago it started.
  std::atomic<bool> waiting{false};
  std::thread t([&] {
    waiting = true;
    EXPECT_TRUE(hub.WaitNewer("a", 0, 30s, FrameVariant::kBlurred));
  });
  while (!waiting) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);  // inside the wait by now
  clock.Advance(60s);
  EXPECT_TRUE(hub.Wanted("a", FrameVariant::kBlurred));
  hub.Set("a", std::make_shared<const std::string>("y"), FrameVariant::kBlurred);
  t.join();
  EXPECT_TRUE(hub.Wanted("a", FrameVariant::kBlurred)) << "the wait just ended";
  clock.Advance(6s);
  EXPECT_FALSE(hub.Wanted("a", FrameVariant::kBlurred));
}

TEST(JsonFormat, TimesRoundTripAndParseBothForms) {
  const core::WallTime t0{std::chrono::seconds(1767225600)};
  EXPECT_EQ(FormatTime(t0 + 1234ms), "2026-01-01T00:00:01.234Z");
  EXPECT_EQ(ParseTime("2026-01-01T00:00:01.234Z"), t0 + 1234ms);
  EXPECT_EQ(ParseTime(FormatTime(t0 + 86399999ms)), t0 + 86399999ms);
  EXPECT_EQ(ParseTime("2026-01-01T00:00:01.2345678Z"), t0 + 1234ms);
  EXPECT_EQ(ParseTime("2026-01-01"), t0);
  EXPECT_EQ(ParseTime("2026-01-01 00:00"), t0);
  EXPECT_EQ(ParseTime("2026-01-01T02:00:00+02:00"), t0);
  EXPECT_EQ(ParseTime("2025-12-31T19:00:00-0500"), t0);
  EXPECT_EQ(ParseTime("1767225600"), t0);
  EXPECT_EQ(ParseTime("1767225600.5"), t0 + 500ms);
  EXPECT_EQ(ParseTime("0"), core::WallTime{});
  for (const char* bad :
       {"", "abc", "-1", "1e9", "+5", " 1", "1767225600x", "nan", "inf", "2026-1-01", "2026-02-29",
        "2026-01-01T24:00", "2026-01-01T00:00Z5", "2026-01-01T00:00:00.Z", "1969-12-31",
        "99999999999999", "2026-01-01T00:00+25:00",
        // Past what a WallTime holds (found by fuzz_replay_http: signed overflow).
        "17672255600.5", "2263-01-01T00:00:00Z", "9999-12-31"}) {
    EXPECT_FALSE(ParseTime(bad)) << bad;
  }
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_FALSE(ParseInt("-4"));
  EXPECT_FALSE(ParseInt("4 "));
  EXPECT_FALSE(ParseInt("99999999999999999999"));
}

TEST(JsonFormat, AlertAndInvalidUtf8) {
  events::Alert a;
  a.id = 7;
  a.camera = "hall\xff";  // not UTF-8
  a.state = events::AlertState::kAcknowledged;
  a.ack = events::AlertAction{"ana", core::WallTime{}, "ok"};
  nlohmann::json j = ToJson(a);
  EXPECT_EQ(j["state"], "acknowledged");
  EXPECT_EQ(j["ack"]["when"], "1970-01-01T00:00:00.000Z");
  EXPECT_TRUE(j["resolution"].is_null());
  std::string s = Dump(j);  // must not throw
  EXPECT_NE(s.find("hall\xEF\xBF\xBD"), std::string::npos);
}

TEST(Metrics, EscapingAndValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(12345678901.0), "12345678901");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatSampleValue(-INFINITY), "-Inf");
  ServerCounters c;
  c.requests_by_code = {{200, 5}, {404, 1}};
  std::string m = RenderMetrics({}, c);
  EXPECT_NE(m.find("# TYPE argus_camera_up gauge\n"), std::string::npos);
  EXPECT_NE(m.find("argus_http_requests_total{code=\"404\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace argus::api
