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
#include "core/clock.h"
#include "core/geometry.h"
#include "core/status.h"
#include "events/alert.h"
#include "record/clip_recorder.h"
#include "record/evidence_store.h"

namespace argus::app {

class Delivery;

// The analysed frame behind an event (empty when it was dropped or there is none).
struct AlertFrame {
  std::string camera;
  cv::Mat frame;                  // masked by the camera's privacy masks
  std::vector<core::Box> people;  // in `frame`: blurred in the viewers' snapshot
  core::WallTime arrived;         // when the frame arrived: clips go back by its age
};

// What evidence is cut from: a camera's latest frame and its clip recorder (CameraFleet).
class EvidenceSources {
 public:
  using Use = std::function<void(const cv::Mat& latest, const std::vector<core::Box>& people,
                                 record::ClipRecorder& clips)>;
  virtual ~EvidenceSources() = default;
  // Calls `use` while the camera cannot go away; false for a camera that is not running.
  virtual bool WithCamera(const std::string& camera, const Use& use) = 0;
};

// The file of `kind` for alert `id` opened at `opened_at` on `camera` ("" : a site-wide
// alert) under `root`; kNotFound when there is none (yet). The severity in the file name
// is the one at opening, which may have risen since: any matches.
core::Result<std::string> FindEvidenceFile(const std::string& root, const std::string& camera,
                                           int64_t id, core::WallTime opened_at,
                                           api::Backend::Evidence kind);

class EvidenceService {
 public:
  // Recording stops while the disk under `root` has less than `min_free_bytes` free.
  // `delivery` gets the blurred snapshots (Home Assistant).
  EvidenceService(std::string root, core::Clock& clock, uint64_t min_free_bytes,
                  Delivery& delivery);

  // Snapshot and clips for the alert `e` opened, `frame` being the analysed frame behind
  // it; the other cameras the event names give their latest frame.
  void Record(const events::Alert& a, const events::Event& e, const AlertFrame& frame,
              EvidenceSources& sources);
  // A clip or snapshot that could not be written.
  void CountError(const std::string& what);

  void SetSettings(bool enabled, double post_roll_s);
  bool enabled() const { return enabled_; }
  bool recording_allowed() { return disk_.recording_allowed(); }
  record::DiskGuard& disk() { return disk_; }
  const std::string& root() const { return root_; }
  uint64_t errors() const { return errors_; }

 private:
  void RecordCamera(const std::string& camera, const events::Alert& a, const events::Event& e,
                    const AlertFrame& frame, const cv::Mat& latest,
                    const std::vector<core::Box>& latest_people, record::ClipRecorder& clips);

  const std::string root_;
  core::Clock& clock_;
  Delivery& delivery_;
  record::DiskGuard disk_;
  std::atomic<bool> enabled_{true};
  std::atomic<double> post_roll_s_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace argus::app
