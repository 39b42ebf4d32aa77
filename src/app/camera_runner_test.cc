#include "app/camera_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "app/analysis_pool.h"
#include "core/testing/wait.h"

namespace argus::app {
namespace {

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

config::Config OneCamera(const std::string& source, double detect_fps) {
  config::Diagnostics diag;
  auto cfg = config::ParseConfig("cameras:\n  - name: cam\n    source: " + source +
                                     "\n    detect_fps: " + std::to_string(detect_fps) + "\n",
                                 "test.yaml", &diag);
  EXPECT_TRUE(cfg.ok()) << diag.ToString();
  return *cfg;
}

using core::testing::WaitUntil;

class CameraRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kVtest)) GTEST_SKIP() << kVtest << " missing (opencv-doc)";
  }
};

TEST_F(CameraRunnerTest, PlaysAFileAtItsOwnRateAndKeepsTheDetectionRate) {
  const config::Config cfg = OneCamera(kVtest, 5);
  std::mutex mu;
  std::vector<CameraState> states;
  std::atomic<int> ready{0};
  CameraRunner::Callbacks cb;
  cb.frame_ready = [&](CameraRunner&) { ++ready; };
  cb.state_changed = [&](CameraRunner&, CameraState s) {
    std::lock_guard lock(mu);
    states.push_back(s);
  };
  config::Diagnostics diag;
  auto runner =
      CameraRunner::Create(cfg, cfg.cameras[0], 100, core::SystemClock::Instance(), cb, &diag);
  ASSERT_TRUE(runner.ok()) << runner.status().message();
  const double t0 = core::SystemClock::Instance().Seconds();
  (*runner)->Start();
  // vtest is 10 fps: 2 s of wall time is about 20 frames, not the hundreds
  // that decoding flat out would give.
  ASSERT_TRUE(WaitUntil([&] { return (*runner)->stats().frames >= 20; }, 20));
  const double elapsed = core::SystemClock::Instance().Seconds() - t0;
  const CameraStats s = (*runner)->stats();
  (*runner)->Stop();
  EXPECT_GE(elapsed, 1.5) << "a file must be paced like a camera";
  EXPECT_NEAR(static_cast<double>(s.queued) / s.frames, 0.5, 0.15) << "5 of 10 fps analysed";
  EXPECT_EQ(ready.load(), static_cast<int>(s.queued));
  EXPECT_EQ(s.dropped, 0u);
  std::lock_guard lock(mu);
  ASSERT_GE(states.size(), 2u);
  EXPECT_EQ(states.front(), CameraState::kOnline);
  EXPECT_EQ(states.back(), CameraState::kStopped);
}

TEST_F(CameraRunnerTest, DropsTheOldestFrameWhenAnalysisFallsBehind) {
  const config::Config cfg = OneCamera(kVtest, 0);
  config::Diagnostics diag;
  auto runner =
      CameraRunner::Create(cfg, cfg.cameras[0], 2, core::SystemClock::Instance(), {}, &diag);
  ASSERT_TRUE(runner.ok());
  (*runner)->Start();  // nobody analyses: the queue stays at 2 frames
  ASSERT_TRUE(WaitUntil([&] { return (*runner)->stats().frames >= 8; }, 20));
  (*runner)->Stop();
  const CameraStats s = (*runner)->stats();
  EXPECT_EQ(s.queue_depth, 2);
  EXPECT_EQ(s.dropped, s.queued - 2);
  QueuedFrame a, b, c;
  ASSERT_TRUE((*runner)->PopFrame(&a));
  ASSERT_TRUE((*runner)->PopFrame(&b));
  EXPECT_FALSE((*runner)->PopFrame(&c));
  EXPECT_LT(a.frame.t, b.frame.t);
  EXPECT_EQ(b.frame.number, static_cast<int64_t>(s.frames)) << "the newest frame is kept";
}

TEST_F(CameraRunnerTest, AMissingSourceIsOfflineWithAReasonAndRetried) {
  const config::Config cfg = OneCamera("/nonexistent/camera.avi", 0);
  std::atomic<int> offline{0};
  CameraRunner::Callbacks cb;
  cb.state_changed = [&](CameraRunner&, CameraState s) { offline += s == CameraState::kOffline; };
  config::Diagnostics diag;
  auto runner =
      CameraRunner::Create(cfg, cfg.cameras[0], 2, core::SystemClock::Instance(), cb, &diag);
  ASSERT_TRUE(runner.ok());
  (*runner)->Start();
  ASSERT_TRUE(WaitUntil([&] { return (*runner)->stats().restarts >= 1; }, 10));
  const CameraStats s = (*runner)->stats();
  (*runner)->Stop();
  EXPECT_GE(offline.load(), 1);
  EXPECT_NE(s.error.find("camera.avi"), std::string::npos) << s.error;
  EXPECT_EQ((*runner)->state(), CameraState::kStopped);
}

TEST_F(CameraRunnerTest, PoolAnalysesEveryCameraAndNeverOneCameraTwiceAtOnce) {
  const config::Config cfg = OneCamera(kVtest, 0);
  std::mutex mu;
  std::map<CameraRunner*, int> in_flight, done;
  bool overlap = false;
  AnalysisPool pool(2, [&](CameraRunner& r, QueuedFrame&) {
    {
      std::lock_guard lock(mu);
      overlap |= ++in_flight[&r] > 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mu);
    --in_flight[&r];
    ++done[&r];
  });
  std::vector<std::unique_ptr<CameraRunner>> cams;
  for (int i = 0; i < 3; ++i) {
    CameraRunner::Callbacks cb;
    cb.frame_ready = [&pool](CameraRunner& r) { pool.Schedule(&r); };
    config::Diagnostics diag;
    auto r = CameraRunner::Create(cfg, cfg.cameras[0], 8, core::SystemClock::Instance(), cb, &diag);
    ASSERT_TRUE(r.ok());
    cams.push_back(std::move(r).value());
    cams.back()->Start();
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard lock(mu);
        return done.size() == 3 && done[cams[0].get()] >= 10 && done[cams[1].get()] >= 10 &&
               done[cams[2].get()] >= 10;
      },
      30));
  for (auto& c : cams) {
    c->Stop();
    pool.Remove(c.get());
  }
  pool.Stop();
  std::lock_guard lock(mu);
  EXPECT_FALSE(overlap);
  for (auto& c : cams) {
    // Fast enough to keep up: nothing was dropped.
    EXPECT_EQ(c->stats().dropped, 0u);
  }
}

}  // namespace
}  // namespace argus::app
