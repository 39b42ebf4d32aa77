// Evidence of an alert: a snapshot of the frame that opened it (and its blurred twin for
// viewers), a clip with pre-roll from every camera the incident concerns, kept only while
// the disk has room (record::DiskGuard), and found again for the API.
//
// Thread safety: Record from the event loop; Find, counters and settings from any thread.
// No mutex of its own: the settings are atomic and DiskGuard locks itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "api/backend.h"
#include "app/privacy.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/geometry.h"
#include "core/status.h"
#include "events/alert.h"
#include "record/clip_recorder.h"
#include "record/evidence_store.h"
#include "record/snapshot.h"
#include "track/track.h"

namespace argus::app {

class Delivery;

// The analysed frame behind an event (empty when it was dropped or there is none).
struct AlertFrame {
  std::string camera;
  cv::Mat frame;                     // masked by the camera's privacy masks
  BlurPlan privacy;                  // what to blur in `frame` for the viewers' snapshot
  core::WallTime arrived;            // when the frame arrived: clips go back by its age
  std::vector<track::Track> tracks;  // of `frame`: the event's track gives its path
};

// What evidence is cut from: a camera's latest frame and its clip recorder (CameraFleet).
class EvidenceSources {
 public:
  using Use = std::function<void(const config::CameraConfig& camera, const cv::Mat& latest,
                                 const BlurPlan& privacy, record::ClipRecorder& clips)>;
  virtual ~EvidenceSources() = default;
  // Calls `use` while the camera cannot go away; false for a camera that is not running.
  virtual bool WithCamera(const std::string& camera, const Use& use) = 0;
};

// Incidents merged into an open alert get their own snapshot and clip, up to this many per
// alert (one alert once grew to 25 incidents in 3 minutes); later ones get none.
inline constexpr int kMaxIncidentsWithEvidence = 32;

// The evidence files' key of incident `incident` of alert `id`: "<id>" for the first,
// "<id>.<n>" for the n-th merged later (files "<key>-<severity>.jpg", ...).
std::string EvidenceKey(int64_t id, int incident);

// The file of `kind` for incident `incident` (0: the first) of alert `id` opened at
// `opened_at` on `camera` ("" : a site-wide alert) under `root`; kNotFound when there is
// none (yet). The severity in the file name is the one when it was recorded, which may
// have risen since: any matches.
core::Result<std::string> FindEvidenceFile(const std::string& root, const std::string& camera,
                                           int64_t id, core::WallTime opened_at,
                                           api::Backend::Evidence kind, int incident = 0);

// What the snapshot of event `e` shows over `camera`'s frame of `w` x `h` pixels: the
// event's box and label, its rule's zone or line, and its track's path (from `tracks`).
// Nothing for another camera's frame.
record::SnapshotOverlay OverlayFor(const config::CameraConfig& camera, const events::Event& e,
                                   const std::vector<track::Track>& tracks, int w, int h);

class EvidenceService {
 public:
  // Recording stops while the disk under `root` has less than `min_free_bytes` free.
  // `delivery` gets the blurred snapshots (Home Assistant).
  EvidenceService(std::string root, core::Clock& clock, uint64_t min_free_bytes,
                  Delivery& delivery);

  // Snapshot and clips for incident `incident` of alert `a` (0: the one `e` opened it
  // with; n: the n-th merged into it), `frame` being the analysed frame behind `e`; the
  // other cameras the event names give their latest frame.
  void Record(const events::Alert& a, const events::Event& e, const AlertFrame& frame,
              EvidenceSources& sources, int incident = 0);
  // A clip or snapshot that could not be written.
  void CountError(const std::string& what);

  void SetSettings(bool enabled, double post_roll_s);
  bool enabled() const { return enabled_; }
  bool recording_allowed() { return disk_.recording_allowed(); }
  record::DiskGuard& disk() { return disk_; }
  const std::string& root() const { return root_; }
  uint64_t errors() const { return errors_; }

 private:
  void RecordCamera(const config::CameraConfig& camera, const events::Alert& a,
                    const std::string& key, const events::Event& e, const AlertFrame& frame,
                    const cv::Mat& latest, const BlurPlan& latest_privacy,
                    record::ClipRecorder& clips);

  const std::string root_;
  core::Clock& clock_;
  Delivery& delivery_;
  record::DiskGuard disk_;
  std::atomic<bool> enabled_{true};
  std::atomic<double> post_roll_s_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace argus::app
