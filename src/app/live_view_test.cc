#include "app/live_view.h"

#include <gtest/gtest.h>

namespace argus::app {
namespace {

using api::FrameVariant;

TEST(LiveView, ShowsAFewFramesASecondAndBlursOnlyWhileAViewerWatches) {
  core::FakeClock clock(core::WallTime{std::chrono::hours(1000)});
  api::FrameHub frames(clock);
  config::CameraConfig cam;
  cam.name = "hall";
  LiveView view(cam, frames, clock);
  const cv::Mat bgr(120, 160, CV_8UC3, cv::Scalar(40, 80, 120));
  const std::vector<core::Box> people = {{20, 20, 40, 80}};
  auto seq = [&](FrameVariant v) {
    auto f = frames.Latest("hall", v);
    return f ? f->seq : 0;
  };

  view.Update(bgr, {}, people, 0);
  EXPECT_EQ(seq(FrameVariant::kClear), 1u);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kBlurred)) << "nobody asked for it";
  clock.Advance(std::chrono::milliseconds(100));
  view.Update(bgr, {}, people, 0.1);  // within 1 / kLiveViewFps: not encoded again
  EXPECT_EQ(seq(FrameVariant::kClear), 1u);

  // A viewer asks (an MJPEG stream waiting for the blurred variant).
  EXPECT_FALSE(frames.WaitNewer("hall", 0, std::chrono::milliseconds(0), FrameVariant::kBlurred));
  clock.Advance(std::chrono::seconds(1));
  view.Update(bgr, {}, people, 1.1);
  EXPECT_EQ(seq(FrameVariant::kClear), 2u);
  EXPECT_TRUE(frames.Has("hall", FrameVariant::kBlurred));

  // The viewer left: the blurred picture goes, so a later viewer never gets a stale one.
  clock.Advance(std::chrono::seconds(static_cast<int>(kBlurredViewWantedS) + 1));
  view.Update(bgr, {}, people, 7);
  EXPECT_EQ(seq(FrameVariant::kClear), 3u);
  EXPECT_FALSE(frames.Has("hall", FrameVariant::kBlurred));
}

}  // namespace
}  // namespace argus::app
