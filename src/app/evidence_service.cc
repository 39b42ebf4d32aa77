#include "app/evidence_service.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/delivery.h"
#include "app/privacy.h"
#include "record/evidence_store.h"
#include "record/snapshot.h"

namespace argus::app {

core::Result<std::string> FindEvidenceFile(const std::string& root, const std::string& camera,
                                           int64_t id, core::WallTime opened_at,
                                           api::Backend::Evidence kind) {
  using Evidence = api::Backend::Evidence;
  namespace fs = std::filesystem;
  const record::EvidencePaths p =
      record::EvidencePathsFor(root, camera.empty() ? "site" : camera, std::to_string(id),
                               events::Severity::kInfo, opened_at);
  const std::string prefix = std::to_string(id) + "-";
  // "<id>-<severity>.jpg" must not match the blurred twin "<id>-<severity>.blurred.jpg",
  // nor the other way round.
  auto matches = [kind](const std::string& name) {
    const bool blurred = name.ends_with(record::kBlurredSnapshotSuffix);
    switch (kind) {
      case Evidence::kSnapshot:
        return name.ends_with(".jpg") && !blurred;
      case Evidence::kSnapshotBlurred:
        return blurred;
      case Evidence::kClip:
        return name.ends_with(".mp4");
    }
    return false;
  };
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(p.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && matches(name)) return entry.path().string();
  }
  if (kind == Evidence::kClip)
    ARGUS_RETURN_IF_ERROR(record::CheckClipNotLost(p.dir, std::to_string(id)));
  const char* what = kind == Evidence::kClip              ? "clip"
                     : kind == Evidence::kSnapshotBlurred ? "blurred snapshot"
                                                          : "snapshot";
  return core::NotFound(std::string("no ") + what + " for alert " + std::to_string(id) + " (yet)");
}

EvidenceService::EvidenceService(std::string root, core::Clock& clock, uint64_t min_free_bytes,
                                 Delivery& delivery)
    : root_(std::move(root)),
      clock_(clock),
      delivery_(delivery),
      disk_(root_, clock, min_free_bytes) {}

void EvidenceService::SetSettings(bool enabled, double post_roll_s) {
  enabled_ = enabled;
  post_roll_s_ = post_roll_s;
}

void EvidenceService::CountError(const std::string& what) {
  ++errors_;
  spdlog::warn("evidence: {}", what);
}

void EvidenceService::Record(const events::Alert& a, const events::Event& e,
                             const AlertFrame& frame, EvidenceSources& sources) {
  if (!disk_.recording_allowed()) return;  // DiskGuard logs why, once
  std::vector<std::string> cams;
  if (!e.camera.empty()) cams.push_back(e.camera);
  if (e.details.contains("cameras")) {
    for (const auto& c : e.details["cameras"]) {
      if (c.is_string() && c.get<std::string>() != e.camera) cams.push_back(c.get<std::string>());
    }
  }
  for (const std::string& name : cams) {
    sources.WithCamera(name, [&](const cv::Mat& latest, const std::vector<core::Box>& people,
                                 record::ClipRecorder& clips) {
      RecordCamera(name, a, e, frame, latest, people, clips);
    });
  }
}

void EvidenceService::RecordCamera(const std::string& name, const events::Alert& a,
                                   const events::Event& e, const AlertFrame& f,
                                   const cv::Mat& latest,
                                   const std::vector<core::Box>& latest_people,
                                   record::ClipRecorder& clips) {
  const record::EvidencePaths p =
      record::EvidencePathsFor(root_, name, std::to_string(a.id), a.severity, a.opened_at);
  if (core::Status st = record::CreateEvidenceDir(p); !st.ok()) return CountError(st.message());
  // The event's frame is of the event's camera; the others give their latest.
  const bool own = name == f.camera && !f.frame.empty();
  const cv::Mat& frame = own ? f.frame : latest;
  std::vector<core::Box> people = own ? f.people : latest_people;
  if (!frame.empty()) {
    const core::Box box = name == e.camera && e.bbox.w > 0 ? e.bbox : core::Box{0, 0, 0, 0};
    const std::string label = e.label.empty() ? e.type : e.label + " " + e.type;
    if (core::Status st = record::WriteSnapshot(p.snapshot, frame, box, label); !st.ok()) {
      CountError(st.message());
    }
    // The viewers' twin: everyone in the frame blurred, the alert's box drawn on top.
    if (box.w > 0) people.push_back(box);
    cv::Mat blurred = frame.clone();
    BlurBoxes(blurred, people);
    if (core::Status st = record::WriteSnapshot(p.snapshot_blurred, blurred, box, label);
        !st.ok()) {
      CountError(st.message());
    } else {
      delivery_.PublishSnapshot(name, p.snapshot_blurred);  // blurred: HA users are viewers
    }
  }
  // Clips run on the packets' own clock: go back from the newest packet by the age of the
  // frame that raised the alert.
  const double age = std::chrono::duration<double>(clock_.Now() - f.arrived).count();
  const double at = std::max(0.0, clips.latest_t() - age);
  if (core::Status st = clips.StartClip(p.clip, at, post_roll_s_); !st.ok()) {
    CountError(st.message());
  }
}

}  // namespace argus::app
