#include "learn/follower.h"

#include <gtest/gtest.h>

#include "learn/testing/looks.h"

namespace argus::learn {
namespace {

using testing::Look;

// The hall and the gallery are adjacent; the store room is not adjacent to either.
Follower MakeFollower(FollowParams p = {}) { return Follower({{"hall", "gallery", 30}}, p); }

SeenTrack Person(int id, const track::Appearance& look, std::vector<std::string> zones = {}) {
  return {id, {10.0 * id, 20, 30, 80}, look, std::move(zones)};
}

// `frames` frames at 10 fps of `camera` seeing `tracks`, from `t0`; the sightings.
std::vector<Sighting> See(Follower& f, const std::string& camera, double t0, int frames,
                          const std::vector<SeenTrack>& tracks) {
  std::set<int> alive;
  for (const SeenTrack& s : tracks) alive.insert(s.id);
  std::vector<Sighting> out;
  for (int i = 0; i < frames; ++i) {
    for (Sighting& s : f.Observe(camera, t0 + 0.1 * i, tracks, alive)) out.push_back(s);
  }
  return out;
}

TEST(FollowerTest, AFollowedPersonIsReportedInTheNextCameraAndOthersAreNot) {
  Follower f = MakeFollower();
  See(f, "hall", 0, 20, {Person(1, Look(1, 5)), Person(2, Look(4, 12))});
  auto started = f.Start("hall", 1, "ops", "took photos with flash near the Vermeer", 2);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_TRUE(started->active);
  EXPECT_EQ(started->reason, "took photos with flash near the Vermeer");
  EXPECT_EQ(f.FollowOf("hall", 1), started->id);
  EXPECT_EQ(f.FollowOf("hall", 2), 0);
  See(f, "hall", 2, 1, {});  // both leave the hall
  // The unfollowed person appears in the gallery first: no news.
  EXPECT_TRUE(See(f, "gallery", 5, 10, {Person(7, Look(4, 12))}).empty());
  const std::vector<Sighting> s = See(f, "gallery", 8, 10, {Person(8, Look(1, 5))});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].kind, Sighting::Kind::kAppeared);
  EXPECT_EQ(s[0].camera, "gallery");
  EXPECT_EQ(s[0].track, 8);
  ASSERT_TRUE(s[0].link.has_value());
  EXPECT_EQ(s[0].link->from_camera, "hall");
  EXPECT_EQ(s[0].link->from_track, 1);
  EXPECT_GE(s[0].link->confidence, 0.5);
  EXPECT_EQ(s[0].follow.id, started->id);
  EXPECT_EQ(s[0].follow.camera, "gallery");
  EXPECT_EQ(s[0].follow.cameras, (std::vector<std::string>{"hall", "gallery"}));
  EXPECT_EQ(f.FollowOf("gallery", 8), started->id);
  EXPECT_EQ(f.FollowOf("gallery", 7), 0);
}

TEST(FollowerTest, ZoneEntriesOfAFollowedTrackAreNewsOnceUntilTheyLeaveForAWhile) {
  Follower f = MakeFollower();
  See(f, "hall", 0, 5, {Person(1, Look(1, 5), {"entrance"})});
  ASSERT_TRUE(f.Start("hall", 1, "ops", "carries a large bag", 0.5).ok());
  // Already inside the entrance when followed: not news.
  EXPECT_TRUE(See(f, "hall", 0.5, 5, {Person(1, Look(1, 5), {"entrance"})}).empty());
  std::vector<Sighting> s = See(f, "hall", 1, 5, {Person(1, Look(1, 5), {"vermeer"})});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].kind, Sighting::Kind::kEnteredZone);
  EXPECT_EQ(s[0].zone, "vermeer");
  EXPECT_STREQ(ToString(s[0].kind), "entered_zone");
  // Back and forth across the zone's edge within the re-entry time: no flood.
  EXPECT_TRUE(See(f, "hall", 1.5, 5, {Person(1, Look(1, 5))}).empty());
  EXPECT_TRUE(See(f, "hall", 2, 5, {Person(1, Look(1, 5), {"vermeer"})}).empty());
  // Away longer, then back: news again.
  EXPECT_TRUE(See(f, "hall", 2.5, 150, {Person(1, Look(1, 5))}).empty());
  EXPECT_EQ(See(f, "hall", 17.5, 2, {Person(1, Look(1, 5), {"vermeer"})}).size(), 1u);
}

TEST(FollowerTest, StartChecksTheReasonTheTrackAndTheLimit) {
  FollowParams p;
  p.max_active = 2;
  Follower f = MakeFollower(p);
  See(f, "hall", 0, 3, {Person(1, Look(1, 5)), Person(2, Look(4, 12)), Person(3, Look(7, 2))});
  EXPECT_EQ(f.Start("hall", 1, "ops", " \t", 1).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.Start("hall", 9, "ops", "why", 1).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(f.Start("gallery", 1, "ops", "why", 1).status().code(), core::StatusCode::kNotFound);
  auto a = f.Start("hall", 1, "ops", "why", 1);
  ASSERT_TRUE(a.ok());
  auto again = f.Start("hall", 1, "other", "again", 1);  // the same person: the same follow
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, a->id);
  EXPECT_EQ(again->by, "ops");
  ASSERT_TRUE(f.Start("hall", 2, "ops", "why", 1).ok());
  EXPECT_EQ(f.Start("hall", 3, "ops", "why", 1).status().code(),
            core::StatusCode::kResourceExhausted);
}

TEST(FollowerTest, AStoppedFollowIsListedEndedAndItsPersonIsNoLongerNews) {
  Follower f = MakeFollower();
  See(f, "hall", 0, 20, {Person(1, Look(1, 5))});
  auto a = f.Start("hall", 1, "ops", "why", 2);
  ASSERT_TRUE(a.ok());
  auto stopped = f.Stop(a->id, "supervisor", 2.5);
  ASSERT_TRUE(stopped.ok());
  EXPECT_FALSE(stopped->active);
  EXPECT_EQ(stopped->ended, "stopped by supervisor");
  EXPECT_EQ(f.FollowOf("hall", 1), 0);
  EXPECT_EQ(f.Stop(a->id, "x", 3)->ended, "stopped by supervisor");  // idempotent
  EXPECT_EQ(f.Stop(99, "x", 3).status().code(), core::StatusCode::kNotFound);
  See(f, "hall", 2.5, 1, {});
  EXPECT_TRUE(See(f, "gallery", 6, 10, {Person(8, Look(1, 5), {"z"})}).empty());
  const std::vector<Follow> all = f.Follows(7);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].active);
}

TEST(FollowerTest, APersonNoCameraSeesForLongerThanAnyHandOffIsLost) {
  Follower f = MakeFollower();  // the longest transit is 30 s
  See(f, "hall", 0, 5, {Person(1, Look(1, 5))});
  auto a = f.Start("hall", 1, "ops", "why", 0.4);
  ASSERT_TRUE(a.ok());
  See(f, "hall", 0.5, 1, {});
  EXPECT_TRUE(f.Follows(25)[0].active);
  const std::vector<Follow> later = f.Follows(31);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_FALSE(later[0].active);
  EXPECT_NE(later[0].ended.find("lost"), std::string::npos) << later[0].ended;
  // Someone alike turning up in the gallery later is not linked to the lost follow.
  EXPECT_TRUE(See(f, "gallery", 32, 10, {Person(8, Look(1, 5))}).empty());
}

TEST(FollowerTest, NoHandOffBetweenCamerasThatAreNotAdjacent) {
  Follower f = MakeFollower();
  See(f, "hall", 0, 20, {Person(1, Look(1, 5))});
  ASSERT_TRUE(f.Start("hall", 1, "ops", "why", 2).ok());
  See(f, "hall", 2, 1, {});
  EXPECT_TRUE(See(f, "store", 4, 20, {Person(3, Look(1, 5))}).empty());
  EXPECT_EQ(f.FollowOf("store", 3), 0);
  EXPECT_EQ(f.GlobalId("store", 3), 0) << "a camera no one walks to from another has no global ids";
  EXPECT_NE(f.GlobalId("hall", 1), 0);
}

TEST(FollowerTest, ATrackThatEndsBeforeItIsLinkedStillCarriesTheFollowOn) {
  Follower f = MakeFollower();
  See(f, "hall", 0, 20, {Person(1, Look(1, 5))});
  ASSERT_TRUE(f.Start("hall", 1, "ops", "why", 2).ok());
  See(f, "hall", 2, 1, {});
  // Seen in the gallery for two frames only (too few crops to judge), then gone:
  // decided as it ends, silently.
  EXPECT_TRUE(See(f, "gallery", 5, 2, {Person(4, Look(1, 5))}).empty());
  See(f, "gallery", 5.2, 1, {});
  EXPECT_NE(f.FollowOf("gallery", 4), 0);
  EXPECT_EQ(f.Follows(6)[0].camera, "gallery");
}

}  // namespace
}  // namespace argus::learn
