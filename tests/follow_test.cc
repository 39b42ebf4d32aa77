// Following a person across cameras, end to end: the real daemon with two adjacent
// cameras made of vtest.avi (its left and right 45%, the middle strip an unseen gap
// people walk through), the site model saying they are adjacent, and an operator who
// follows people over the API.
#include <gtest/gtest.h>

#include <set>

#include "tests/serve_support.h"
#include "tests/video_strips.h"

namespace argus::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kStartS = 90;
// A followed person handed off to the other camera: people cross vtest's middle every
// few seconds, but the builtin detector links few of them (docs/handoff.md), and under
// ASan on a loaded machine it is slow.
constexpr double kHandoffS = 240;

std::string CameraYaml(const std::string& name, const fs::path& source) {
  return "  - name: " + name + "\n    source: " + source.string() +
         "\n    detect_fps: 10\n"
         "    zones:\n"
         "      - {name: west, polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}\n"
         "      - {name: east, polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]]}\n";
}

std::vector<json> Items(const HttpAnswer& a, const char* key) {
  std::vector<json> out;
  if (a.status != 200) return out;
  const json page = a.json();  // named: a temporary's element would dangle in the loop
  if (page.is_discarded() || !page.contains(key)) return out;
  for (const json& j : page[key]) out.push_back(j);
  return out;
}

bool AuditHas(int port, const std::string& text) {
  for (const json& e : Items(HttpGet(port, "/api/audit?limit=100"), "entries")) {
    if (e.value("what", "").find(text) != std::string::npos) return true;
  }
  return false;
}

class Follow : public DaemonTest {
 protected:
  Follow() : DaemonTest("follow_") {}
};

TEST_F(Follow, AnOperatorFollowsPeopleAcrossAdjacentCamerasAndEveryStepIsAudited) {
  ASSERT_TRUE(WriteVtestStrip(dir_ / "west.avi", 0, 0.45));
  ASSERT_TRUE(WriteVtestStrip(dir_ / "east.avi", 0.55, 1));
  {
    std::ofstream(dir_ / "wing.yaml") << TwoAdjacentCamerasSite("west_cam", "east_cam");
    std::ofstream(config_) << "detector: {kind: builtin}\n"
                              "server: {workers: 2, site_model: "
                           << (dir_ / "wing.yaml").string()
                           << "}\n"
                              "evidence: {enabled: false}\n"
                              "cameras:\n"
                           << CameraYaml("west_cam", dir_ / "west.avi")
                           << CameraYaml("east_cam", dir_ / "east.avi");
  }
  ServeDaemon d(config_, data_, dir_);
  ASSERT_TRUE(d.Start(kStartS)) << Logs(d);
  const int port = d.port();

  // Bad requests are refused with the reason, and change nothing.
  auto post = [&](const json& body) { return HttpPost(port, "/api/follows", body.dump()); };
  EXPECT_EQ(post({{"camera", "west_cam"}, {"track", 1}}).status, 400);  // no reason
  HttpAnswer a = post({{"camera", "west_cam"}, {"track", 1}, {"reason", "  "}});
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_NE(a.body.find("needs a reason"), std::string::npos) << a.body;
  EXPECT_EQ(post({{"camera", "nowhere"}, {"track", 1}, {"reason", "r"}}).status, 404);
  a = post({{"camera", "west_cam"}, {"track", 99999}, {"reason", "r"}});
  EXPECT_EQ(a.status, 404) << a.body;
  EXPECT_EQ(post({{"camera", "west_cam"}, {"track", "7"}, {"reason", "r"}}).status, 400);
  EXPECT_EQ(HttpGet(port, "/api/cameras/nowhere/tracks").status, 404);

  // The operator follows everyone the west camera sees until a followed person is
  // sighted in the east camera (a hand-off).
  std::set<int> followed;
  std::optional<int64_t> first_follow;
  std::vector<json> sightings;
  auto handed_off = [&] {
    for (const json& e : sightings) {
      if (e["details"]["reason"] == "appeared") return true;
    }
    return false;
  };
  const auto t0 = SteadyClock::now();
  while (SecondsSince(t0) < kHandoffS && !handed_off()) {
    for (const json& t : Items(HttpGet(port, "/api/cameras/west_cam/tracks"), "tracks")) {
      const int id = t["id"].get<int>();
      if (followed.count(id) || t["follow"].get<int64_t>() != 0) continue;
      a = post({{"camera", "west_cam"}, {"track", id}, {"reason", "left a bag at the desk"}});
      if (a.status == 404) continue;  // it left the view meanwhile
      ASSERT_EQ(a.status, 201) << a.body;
      const json f = a.json();
      EXPECT_TRUE(f["active"].get<bool>());
      EXPECT_EQ(f["camera"], "west_cam");
      EXPECT_EQ(f["by"], "token:serve-test");
      if (!first_follow) first_follow = f["id"].get<int64_t>();
      followed.insert(id);
    }
    sightings = Items(HttpGet(port, "/api/events?type=followed_person&limit=100"), "events");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(first_follow.has_value()) << "the west camera never had a track in view" << Logs(d);
  ASSERT_TRUE(handed_off()) << followed.size() << " people followed, none sighted in the east in "
                            << kHandoffS << " s" << Logs(d);
  std::set<std::string> reasons;
  for (const json& e : sightings) {
    EXPECT_EQ(e["severity"], "warning");
    const json& det = e["details"];
    reasons.insert(det["reason"].get<std::string>());
    EXPECT_EQ(det["follow_reason"], "left a bag at the desk") << e.dump();
    EXPECT_EQ(det["followed_by"], "token:serve-test") << e.dump();
    if (det["reason"] == "appeared") {
      EXPECT_EQ(e["camera"], "east_cam") << e.dump();
      EXPECT_EQ(det["from_camera"], "west_cam") << e.dump();
      EXPECT_GE(det["confidence"].get<double>(), 0.5) << e.dump();
    } else {
      EXPECT_EQ(det["reason"], "entered_zone") << e.dump();
      EXPECT_TRUE(e["zone"] == "west" || e["zone"] == "east") << e.dump();
    }
  }
  std::string kinds;
  for (const std::string& r : reasons) kinds += r + " ";
  std::cerr << "[ followed ] " << followed.size() << " people, " << sightings.size()
            << " sighting events (" << kinds << ") after " << SecondsSince(t0) << " s\n";
  // A sighting is an alert of the camera that saw the person.
  EXPECT_TRUE(WaitUntil(
      [&] {
        for (const json& al : Items(HttpGet(port, "/api/alerts?limit=100"), "alerts")) {
          if (al.value("rule", "") == "follow") return true;
        }
        return false;
      },
      30))
      << Logs(d);

  // Every follow is audited with its reason; stopping one is audited and ends it.
  EXPECT_TRUE(AuditHas(port, "follow person: camera west_cam track ")) << Logs(d);
  EXPECT_TRUE(AuditHas(port, "reason: left a bag at the desk"));
  a = HttpPost(port, "/api/follows/" + std::to_string(*first_follow) + "/stop", "{}");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_FALSE(a.json()["active"].get<bool>());
  EXPECT_EQ(a.json()["ended"], "stopped by token:serve-test");
  EXPECT_TRUE(AuditHas(port, "stop following: follow " + std::to_string(*first_follow)));
  EXPECT_EQ(HttpPost(port, "/api/follows/999999/stop", "{}").status, 404);
  const std::vector<json> follows = Items(HttpGet(port, "/api/follows"), "follows");
  bool listed_ended = false;
  for (const json& f : follows) {
    listed_ended |= f["id"] == *first_follow && !f["active"].get<bool>();
  }
  EXPECT_TRUE(listed_ended) << HttpGet(port, "/api/follows").body;
}

}  // namespace
}  // namespace argus::testing
