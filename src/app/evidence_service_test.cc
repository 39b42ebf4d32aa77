#include "app/evidence_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>

#include "app/delivery.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

namespace fs = std::filesystem;
using Evidence = api::Backend::Evidence;
using store::testing::kT0;

// Cameras with a latest frame each and a clip recorder that never gets packets.
class FakeSources final : public EvidenceSources {
 public:
  void Add(const std::string& name, cv::Mat latest) {
    cams_[name].latest = std::move(latest);
    cams_[name].clips = std::make_unique<record::ClipRecorder>(record::ClipRecorderOptions{});
  }
  bool WithCamera(const std::string& name, const Use& use) override {
    auto it = cams_.find(name);
    if (it == cams_.end()) return false;
    use(it->second.latest, {}, *it->second.clips);
    return true;
  }

 private:
  struct Cam {
    cv::Mat latest;
    std::unique_ptr<record::ClipRecorder> clips;
  };
  std::map<std::string, Cam> cams_;
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
  // Alert 70 shares the prefix "7" but not "7-".
  std::ofstream(fs::path(p.dir) / "70-warning.jpg") << "x";
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
