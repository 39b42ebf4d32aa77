#include "app/evidence_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app/delivery.h"
#include "app/testing/picture_detail.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

namespace fs = std::filesystem;
using Evidence = api::Backend::Evidence;
using store::testing::kT0;
using testing::Detail;

// Cameras with a latest frame each and a clip recorder that never gets packets.
class FakeSources final : public EvidenceSources {
 public:
  config::CameraConfig& Add(const std::string& name, cv::Mat latest) {
    cams_[name].config.name = name;
    cams_[name].latest = std::move(latest);
    cams_[name].clips = std::make_unique<record::ClipRecorder>(record::ClipRecorderOptions{});
    return cams_[name].config;
  }
  bool WithCamera(const std::string& name, const Use& use) override {
    auto it = cams_.find(name);
    if (it == cams_.end()) return false;
    use(it->second.config, it->second.latest, {}, *it->second.clips);
    return true;
  }

 private:
  struct Cam {
    config::CameraConfig config;
    cv::Mat latest;
    std::unique_ptr<record::ClipRecorder> clips;
  };
  std::map<std::string, Cam> cams_;
};

// An EvidenceService over a temporary root, with plenty of disk.
class EvidenceTest : public ::testing::Test {
 protected:
  store::testing::TempDir dir_;
  const std::string root_ = dir_.File("evidence");
  core::FakeClock clock_{store::testing::kT0};
  Delivery delivery_{clock_};
  EvidenceService evidence_{root_, clock_, /*min_free_bytes=*/1, delivery_};
  FakeSources sources_;
};

events::Alert AlertOn(const std::string& camera, int64_t id) {
  events::Alert a;
  a.id = id;
  a.camera = camera;
  a.severity = events::Severity::kWarning;
  a.opened_at = kT0;
  return a;
}

TEST(FindEvidenceFile, TellsTheSnapshotFromItsBlurredTwinAndTheClip) {
  store::testing::TempDir dir;
  const std::string root = dir.File("evidence");
  const record::EvidencePaths p =
      record::EvidencePathsFor(root, "hall", "7", events::Severity::kCritical, kT0);
  EXPECT_EQ(FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshot).status().code(),
            core::StatusCode::kNotFound);
  ASSERT_TRUE(record::CreateEvidenceDir(p).ok());
  std::ofstream(p.snapshot_blurred) << "b";
  // Only the twin exists: the operators' snapshot is not it.
  const auto missing = FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshot);
  EXPECT_EQ(missing.status().message(), "no snapshot for alert 7 (yet)");
  std::ofstream(p.snapshot) << "s";
  std::ofstream(p.clip) << "c";
  // Alert 70 shares the prefix "7" but not "7-"; incident 2 of alert 7 is "7.2-".
  std::ofstream(fs::path(p.dir) / "70-warning.jpg") << "x";
  const std::string incident2 = (fs::path(p.dir) / "7.2-alert.jpg").string();
  std::ofstream(incident2) << "i";
  EXPECT_EQ(*FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshot, 2), incident2);
  EXPECT_FALSE(FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshot, 1).ok());
  EXPECT_NE(FindEvidenceFile(root, "hall", 7, kT0, Evidence::kClip, 2)
                .status()
                .message()
                .find("no clip for alert 7 incident 2"),
            std::string::npos);
  EXPECT_EQ(*FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshot), p.snapshot);
  EXPECT_EQ(*FindEvidenceFile(root, "hall", 7, kT0, Evidence::kSnapshotBlurred),
            p.snapshot_blurred);
  EXPECT_EQ(*FindEvidenceFile(root, "hall", 7, kT0, Evidence::kClip), p.clip);
  EXPECT_FALSE(FindEvidenceFile(root, "hall", 8, kT0, Evidence::kClip).ok());
}

TEST(EvidenceService, SnapshotsOfTheEventsFrameAndOfEveryCameraItNames) {
  store::testing::TempDir dir;
  const std::string root = dir.File("evidence");
  core::FakeClock clock(kT0);
  Delivery delivery(clock);
  EvidenceService evidence(root, clock, /*min_free_bytes=*/1, delivery);
  evidence.SetSettings(true, 2);
  FakeSources sources;
  sources.Add("hall", cv::Mat(120, 160, CV_8UC3, cv::Scalar(0, 0, 255)));
  sources.Add("stairs", cv::Mat(120, 160, CV_8UC3, cv::Scalar(255, 0, 0)));

  events::Event e;
  e.camera = "hall";
  e.type = "intrusion";
  e.bbox = {10, 10, 40, 80};
  e.details["cameras"] = {"hall", "stairs", "attic"};  // attic is not running
  const AlertFrame frame{"hall", cv::Mat(120, 160, CV_8UC3, cv::Scalar(0, 255, 0)), {}, kT0};
  evidence.Record(AlertOn("hall", 3), e, frame, sources);

  auto snapshot_pixel = [&](const std::string& cam, Evidence kind) {
    auto path = FindEvidenceFile(root, cam, 3, kT0, kind);
    if (!path.ok()) return cv::Vec3b(0, 0, 0);
    const cv::Mat m = cv::imread(*path);
    return m.at<cv::Vec3b>(115, 155);  // a corner, away from the box and label
  };
  // The event's camera shows the event's frame (green), not its latest (red).
  EXPECT_GT(snapshot_pixel("hall", Evidence::kSnapshot)[1], 200);
  EXPECT_GT(snapshot_pixel("hall", Evidence::kSnapshotBlurred)[1], 200);
  // The other camera named gives its latest frame (blue).
  EXPECT_GT(snapshot_pixel("stairs", Evidence::kSnapshot)[0], 200);
  EXPECT_FALSE(fs::exists(fs::path(root) / "attic"));
}

// The viewers' twin blurs what the analysis says might be a person (here a motion region
// the detector found nobody in) besides the alert's own box, and everything when the
// analysis cannot be trusted; the operators' snapshot keeps the detail.
TEST_F(EvidenceTest, BlurredTwinHidesMissedPeopleAndAllOfAnUntrustedFrame) {
  sources_.Add("hall", {});
  const cv::Mat texture = testing::Textured(320, 240, 3);
  events::Event e;
  e.camera = "hall";
  e.type = "intrusion";
  e.bbox = {20, 60, 40, 100};
  const cv::Rect missed(200, 80, 40, 100), elsewhere(260, 190, 50, 40);
  const double sharp = Detail(texture, missed);

  auto seen = [&](int64_t id, Evidence kind) {
    auto path = FindEvidenceFile(root_, "hall", id, kT0, kind);
    return path.ok() ? cv::imread(*path) : cv::Mat();
  };
  const BlurPlan trusted{.whole = false, .boxes = {{200, 80, 40, 100}}};
  evidence_.Record(AlertOn("hall", 1), e, {"hall", texture, trusted, kT0}, sources_);
  const cv::Mat twin = seen(1, Evidence::kSnapshotBlurred);
  ASSERT_FALSE(twin.empty());
  EXPECT_LT(Detail(twin, missed), sharp / 8) << "the person nobody detected";
  EXPECT_LT(Detail(twin, cv::Rect(25, 70, 30, 80)), sharp / 8) << "the alert's own box";
  const cv::Mat operators = seen(1, Evidence::kSnapshot);
  ASSERT_FALSE(operators.empty());
  EXPECT_GT(Detail(operators, missed), sharp / 3) << "operators see all";
  // Outside what is blurred, the twin is the operators' snapshot.
  EXPECT_GT(Detail(twin, elsewhere), Detail(operators, elsewhere) / 2) << "the rest is sharp";

  evidence_.Record(AlertOn("hall", 2), e, {"hall", texture, BlurPlan{}, kT0}, sources_);
  const cv::Mat whole = seen(2, Evidence::kSnapshotBlurred);
  ASSERT_FALSE(whole.empty());
  EXPECT_LT(Detail(whole, elsewhere), sharp / 8) << "no trusted analysis: all of it";
}

TEST(OverlayFor, TheRulesZoneOrLineTheTracksPathAndALabel) {
  config::CameraConfig cam;
  cam.name = "hall";
  cam.zones.push_back({"vitrine", {{0.1, 0.1}, {0.5, 0.1}, {0.5, 0.5}}, "", {}});
  cam.lines.push_back({"door", {0.0, 0.5}, {1.0, 0.5}, "", {}});
  events::Event e;
  e.camera = "hall";
  e.type = "line_crossing";
  e.label = "person";
  e.zone = "door";
  e.track_id = 7;
  e.bbox = {10, 20, 30, 40};
  track::Track t7, t8;
  t7.id = 7;
  t7.history = {{1.0, {5, 6}}, {1.2, {7, 8}}};
  t8.id = 8;
  t8.history = {{1.0, {50, 60}}};
  record::SnapshotOverlay o = OverlayFor(cam, e, {t8, t7}, 200, 100);
  EXPECT_EQ(o.label, "person line_crossing #7");
  EXPECT_EQ(o.box, e.bbox);
  ASSERT_TRUE(o.line);
  EXPECT_EQ(o.line->first, (core::Point{0, 50}));  // where the live view draws it
  EXPECT_EQ(o.line->second, (core::Point{200, 50}));
  EXPECT_TRUE(o.zone.empty()) << "the rule's line, not every zone";
  EXPECT_EQ(o.path, (std::vector<core::Point>{{5, 6}, {7, 8}}));

  e.zone = "vitrine";
  o = OverlayFor(cam, e, {}, 200, 100);
  EXPECT_FALSE(o.line);
  EXPECT_EQ(o.zone, (core::Polygon{{20, 10}, {100, 10}, {100, 50}}));
  EXPECT_EQ(o.zone_name, "vitrine");

  cam.name = "stairs";  // another camera named by the event: its own picture, no drawing
  o = OverlayFor(cam, e, {t7}, 200, 100);
  EXPECT_EQ(o.box.w, 0);
  EXPECT_TRUE(o.zone.empty());
  EXPECT_TRUE(o.path.empty());
}

// Both snapshots, the operators' and the viewers' blurred twin, show the rule's zone.
TEST_F(EvidenceTest, SnapshotsDrawTheRulesZone) {
  sources_.Add("hall", {})
      .zones.push_back(
          {"vitrine", {{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}}, "", {}});
  events::Event e;
  e.camera = "hall";
  e.type = "intrusion";
  e.zone = "vitrine";
  const cv::Mat grey(200, 320, CV_8UC3, cv::Scalar(90, 90, 90));
  evidence_.Record(AlertOn("hall", 4), e, {"hall", grey, BlurPlan{}, kT0, {}}, sources_);
  for (Evidence kind : {Evidence::kSnapshot, Evidence::kSnapshotBlurred}) {
    auto path = FindEvidenceFile(root_, "hall", 4, kT0, kind);
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    const cv::Mat m = cv::imread(*path);
    // The zone's right edge is the zone colour (blue and green, no red), JPEG or not.
    const cv::Vec3b edge = m.at<cv::Vec3b>(100, 240);
    EXPECT_GT(edge[0] - edge[2], 80) << edge;
    const cv::Vec3b outside = m.at<cv::Vec3b>(100, 300);
    EXPECT_NEAR(outside[0], outside[2], 6) << "grey away from the drawing";
  }
}

// The issue: incidents merged into an open alert kept only the first incident's evidence.
TEST_F(EvidenceTest, EachIncidentOfAnAlertHasItsOwnSnapshots) {
  sources_.Add("hall", {});
  events::Event e;
  e.camera = "hall";
  e.type = "intrusion";
  const events::Alert a = AlertOn("hall", 5);
  evidence_.Record(a, e, {"hall", cv::Mat(120, 160, CV_8UC3, cv::Scalar(0, 255, 0)), {}, kT0, {}},
                   sources_);
  clock_.Advance(std::chrono::seconds(40));  // a second incident, merged later
  evidence_.Record(a, e, {"hall", cv::Mat(120, 160, CV_8UC3, cv::Scalar(255, 0, 0)), {}, kT0, {}},
                   sources_, 1);
  auto green = [&](int incident, Evidence kind) {
    auto path = FindEvidenceFile(root_, "hall", 5, kT0, kind, incident);
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    return path.ok() ? cv::imread(*path).at<cv::Vec3b>(115, 155)[1] > 200 : false;
  };
  EXPECT_TRUE(green(0, Evidence::kSnapshot));
  EXPECT_FALSE(green(1, Evidence::kSnapshot)) << "incident 1 has its own frame (blue)";
  EXPECT_FALSE(green(1, Evidence::kSnapshotBlurred));
}

TEST(EvidenceService, NothingIsWrittenWhileTheDiskIsShort) {
  store::testing::TempDir dir;
  const std::string root = dir.File("evidence");
  core::FakeClock clock(kT0);
  Delivery delivery(clock);
  EvidenceService evidence(root, clock, /*min_free_bytes=*/uint64_t{1} << 62, delivery);
  FakeSources sources;
  sources.Add("hall", cv::Mat(120, 160, CV_8UC3, cv::Scalar(0, 0, 255)));
  events::Event e;
  e.camera = "hall";
  e.type = "intrusion";
  evidence.Record(AlertOn("hall", 1), e, {"hall", {}, {}, kT0}, sources);
  EXPECT_FALSE(FindEvidenceFile(root, "hall", 1, kT0, Evidence::kSnapshot).ok());
  EXPECT_FALSE(evidence.recording_allowed());
}

}  // namespace
}  // namespace argus::app
