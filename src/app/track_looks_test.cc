#include "app/track_looks.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace argus::app {
namespace {

track::Track At(int id, const core::Box& box) {
  track::Track t;
  t.id = id;
  t.box = box;
  t.state = track::TrackState::kTracked;
  return t;
}

// A grey frame with a person: head, shirt, trousers.
cv::Mat Frame(const core::Box& b, cv::Scalar head, cv::Scalar shirt, cv::Scalar trousers) {
  cv::Mat m(240, 320, CV_8UC3, cv::Scalar(110, 110, 110));
  auto band = [&](double y0, double y1, cv::Scalar c) {
    cv::rectangle(m, cv::Rect(int(b.x), int(b.y + y0 * b.h), int(b.w), int((y1 - y0) * b.h)), c,
                  cv::FILLED);
  };
  band(0, 0.2, head);
  band(0.2, 0.55, shirt);
  band(0.55, 1.0, trousers);
  return m;
}

TEST(TrackLooksTest, DescribesEachTrackFromItsOwnCropButNeverItsHead) {
  const core::Box box{100, 40, 40, 120};
  const cv::Scalar red(30, 30, 200), blue(200, 60, 20);
  const std::vector<track::Track> tracks{At(1, box)};
  const auto a = DescribeTracks(Frame(box, {0, 0, 0}, red, blue), tracks, tracks);
  const auto b = DescribeTracks(Frame(box, {255, 255, 255}, red, blue), tracks, tracks);
  const auto c = DescribeTracks(Frame(box, {0, 0, 0}, blue, red), tracks, tracks);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(a[0] && b[0] && c[0]);
  EXPECT_LT(track::AppearanceDistance(*a[0], *b[0]), 1e-3);  // only the head differs
  EXPECT_GT(track::AppearanceDistance(*a[0], *c[0]), 0.5);        // other clothes
}

TEST(TrackLooksTest, SkipsCoveredCutAndForeignFrames) {
  const core::Box box{100, 40, 40, 120};
  const cv::Mat frame = Frame(box, {0, 0, 0}, {30, 30, 200}, {200, 60, 20});
  // A lost track's box over half of it: its crop would mix two people.
  std::vector<track::Track> tracks{At(1, box)};
  std::vector<track::Track> active{At(1, box), At(2, {110, 40, 40, 120})};
  active[1].state = track::TrackState::kLost;
  EXPECT_FALSE(DescribeTracks(frame, tracks, active)[0]);
  // Cut by the frame's right edge.
  tracks = {At(3, {300, 40, 40, 120})};
  EXPECT_FALSE(DescribeTracks(frame, tracks, tracks)[0]);
  // Not an 8-bit BGR frame: nothing is read.
  cv::Mat grey;
  cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
  tracks = {At(1, box)};
  EXPECT_FALSE(DescribeTracks(grey, tracks, tracks)[0]);
  EXPECT_TRUE(DescribeTracks(frame, tracks, tracks)[0]);
}

}  // namespace
}  // namespace argus::app
