#include "app/evidence_service.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/delivery.h"
#include "app/privacy.h"
#include "record/evidence_store.h"
#include "record/snapshot.h"

namespace argus::app {

std::string EvidenceKey(int64_t id, int incident) {
  return incident == 0 ? std::to_string(id) : std::to_string(id) + "." + std::to_string(incident);
}

core::Result<std::string> FindEvidenceFile(const std::string& root, const std::string& camera,
                                           int64_t id, core::WallTime opened_at,
                                           api::Backend::Evidence kind, int incident) {
  using Evidence = api::Backend::Evidence;
  namespace fs = std::filesystem;
  const std::string key = EvidenceKey(id, incident);
  const record::EvidencePaths p = record::EvidencePathsFor(root, camera.empty() ? "site" : camera,
                                                           key, events::Severity::kInfo, opened_at);
  // "7-" is neither "70-" nor incident 2's "7.2-".
  const std::string prefix = key + "-";
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
  if (kind == Evidence::kClip) ARGUS_RETURN_IF_ERROR(record::CheckClipNotLost(p.dir, key));
  const char* what = kind == Evidence::kClip              ? "clip"
                     : kind == Evidence::kSnapshotBlurred ? "blurred snapshot"
                                                          : "snapshot";
  return core::NotFound(std::string("no ") + what + " for alert " + std::to_string(id) +
                        (incident ? " incident " + std::to_string(incident) : "") + " (yet)");
}

record::SnapshotOverlay OverlayFor(const config::CameraConfig& camera, const events::Event& e,
                                   const std::vector<track::Track>& tracks, int w, int h) {
  record::SnapshotOverlay o;
  if (camera.name != e.camera) return o;  // another camera's view: nothing of the event in it
  if (e.bbox.w > 0) o.box = e.bbox;
  o.label = e.label.empty() ? e.type : e.label + " " + e.type;
  if (e.track_id >= 0) o.label += " #" + std::to_string(e.track_id);
  // The rule's zone or line, where the live view draws it (relative -> pixels alike).
  for (const config::Zone& z : camera.zones) {
    if (z.name != e.zone) continue;
    o.zone = core::ToPixels(z.polygon, w, h);
    o.zone_name = z.name;
  }
  for (const config::Line& l : camera.lines) {
    if (l.name != e.zone) continue;
    o.line = {core::ToPixels(l.a, w, h), core::ToPixels(l.b, w, h)};
    o.line_name = l.name + " (A to B)";
  }
  for (const track::Track& t : tracks) {
    if (t.id != e.track_id) continue;
    for (const track::TrackPoint& p : t.history) o.path.push_back(p.foot);
  }
  return o;
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
                             const AlertFrame& frame, EvidenceSources& sources, int incident) {
  if (!disk_.recording_allowed()) return;  // DiskGuard logs why, once
  std::vector<std::string> cams;
  if (!e.camera.empty()) cams.push_back(e.camera);
  if (e.details.contains("cameras")) {
    for (const auto& c : e.details["cameras"]) {
      if (c.is_string() && c.get<std::string>() != e.camera) cams.push_back(c.get<std::string>());
    }
  }
  for (const std::string& name : cams) {
    sources.WithCamera(name, [&](const config::CameraConfig& camera, const cv::Mat& latest,
                                 const BlurPlan& privacy, record::ClipRecorder& clips) {
      RecordCamera(camera, a, EvidenceKey(a.id, incident), e, frame, latest, privacy, clips);
    });
  }
}

void EvidenceService::RecordCamera(const config::CameraConfig& camera, const events::Alert& a,
                                   const std::string& key, const events::Event& e,
                                   const AlertFrame& f, const cv::Mat& latest,
                                   const BlurPlan& latest_privacy, record::ClipRecorder& clips) {
  const std::string& name = camera.name;
  // In the folder of the day the alert opened: an alert's files stay together.
  const record::EvidencePaths p =
      record::EvidencePathsFor(root_, name, key, a.severity, a.opened_at);
  if (core::Status st = record::CreateEvidenceDir(p); !st.ok()) return CountError(st.message());
  // The event's frame is of the event's camera; the others give their latest.
  const bool own = name == f.camera && !f.frame.empty();
  const cv::Mat& frame = own ? f.frame : latest;
  BlurPlan privacy = own ? f.privacy : latest_privacy;
  if (!frame.empty()) {
    const record::SnapshotOverlay overlay =
        OverlayFor(camera, e, own ? f.tracks : std::vector<track::Track>{}, frame.cols, frame.rows);
    if (core::Status st = record::WriteSnapshot(p.snapshot, frame, overlay); !st.ok()) {
      CountError(st.message());
    }
    // The viewers' twin: whatever might be a person blurred (or all of it), the drawing on
    // top.
    if (overlay.box.w > 0) privacy.boxes.push_back(overlay.box);
    cv::Mat blurred = frame.clone();
    ApplyBlur(blurred, privacy);
    if (core::Status st = record::WriteSnapshot(p.snapshot_blurred, blurred, overlay); !st.ok()) {
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
