#include "app/follow_service.h"

#include <gtest/gtest.h>

#include "site/site_config.h"

namespace argus::app {
namespace {

TEST(FollowAdjacencyTest, SiteCameraIdsBecomeTheConfigsCameraNames) {
  auto site = site::LoadSiteYaml(R"(floors:
  - id: f0
    level: 0
    outline: [[0, 0], [20, 0], [20, 10], [0, 10]]
    cameras:
      - {id: c1, camera: lobby, at: [1, 9], heading: -45, hfov: 90}
      - {id: c2, at: [19, 9], heading: -135, hfov: 90}
adjacency:
  - {cameras: [c1, c2], max_transit_s: 25}
)",
                                 "site.yaml");
  ASSERT_TRUE(site.ok()) << site.status().message();
  const std::vector<learn::Adjacency> a = FollowAdjacency(*site);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].a, "lobby");
  EXPECT_EQ(a[0].b, "c2");  // no `camera:`: the config names it by its id
  EXPECT_EQ(a[0].max_transit_s, 25);
}

// A 100x100 frame of `camera` with one track at `box`.
struct Frame {
  ingest::Frame frame;
  FrameOutput out;
  std::vector<track::Track> active;
};
Frame OneTrack(double t, core::Box box) {
  Frame f;
  f.frame.bgr = cv::Mat(100, 100, CV_8UC3, cv::Scalar(90, 120, 60));
  f.frame.t = t;
  f.frame.number = static_cast<int64_t>(t * 10) + 1;
  track::Track tr;
  tr.id = 4;
  tr.box = box;
  f.out.analysed = true;
  f.out.tracks = {tr};
  f.active = {tr};
  return f;
}

TEST(FollowServiceTest, AFollowedTrackEnteringAZoneIsAnInstantEventOfItsCamera) {
  core::FakeClock clock;
  FollowService s({}, clock);
  config::CameraConfig cam;
  cam.name = "hall";
  cam.zones.push_back({"vermeer", {{0.5, 0}, {1, 0}, {1, 1}, {0.5, 1}}, "", {}});
  EXPECT_EQ(s.Tracks("hall").status().code(), core::StatusCode::kNotFound);

  std::vector<events::Event> events;
  Frame f = OneTrack(0, {10, 20, 20, 60});
  f.out.active = &f.active;
  s.Observe(cam, f.frame, f.out, &events);
  auto tracks = s.Tracks("hall");
  ASSERT_TRUE(tracks.ok());
  ASSERT_EQ((*tracks)["tracks"].size(), 1u);
  EXPECT_EQ((*tracks)["tracks"][0]["id"], 4);
  EXPECT_DOUBLE_EQ((*tracks)["tracks"][0]["box"][0].get<double>(), 0.1);
  EXPECT_EQ((*tracks)["tracks"][0]["follow"], 0);

  auto follow = s.Start("hall", 4, "ops", "loitered at the Vermeer");
  ASSERT_TRUE(follow.ok()) << follow.status().message();
  EXPECT_EQ((*follow)["camera"], "hall");
  EXPECT_EQ((*follow)["reason"], "loitered at the Vermeer");
  clock.Advance(std::chrono::milliseconds(100));
  f = OneTrack(0.1, {60, 20, 20, 60});  // its feet now in the zone
  f.out.active = &f.active;
  s.Observe(cam, f.frame, f.out, &events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, kFollowEventType);
  EXPECT_EQ(events[0].phase, events::Phase::kStart);
  EXPECT_EQ(events[1].phase, events::Phase::kEnd);
  EXPECT_EQ(events[0].id, events[1].id);
  EXPECT_EQ(events[0].camera, "hall");
  EXPECT_EQ(events[0].zone, "vermeer");
  EXPECT_EQ(events[0].track_id, 4);
  EXPECT_EQ(events[0].frame, 2);
  EXPECT_EQ(events[0].details["reason"], "entered_zone");
  EXPECT_EQ(events[0].details["follow_reason"], "loitered at the Vermeer");
  EXPECT_EQ(events[0].details["followed_by"], "ops");

  auto stopped = s.Stop((*follow)["id"].get<int64_t>(), "ops");
  ASSERT_TRUE(stopped.ok());
  EXPECT_FALSE((*stopped)["active"].get<bool>());
  EXPECT_EQ(s.Follows()["follows"].size(), 1u);
  s.CameraStopped("hall");
  EXPECT_EQ(s.Tracks("hall").status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace argus::app
