// Types the tracker produces and every consumer (rules, learning, writers) reads.
// Pure: no OpenCV types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/affine.h"
#include "core/geometry.h"

namespace argus::track {

struct Detection {
  core::Box box;       // pixels of the source frame
  float score = 1.0f;  // 0..1
  std::string label = "person";
};

enum class TrackState { kNew, kTracked, kLost, kRemoved };

struct TrackPoint {
  double t = 0;      // stream seconds
  core::Point foot;  // bottom-centre of the box, pixels
};

struct Track {
  int id = 0;
  core::Box box;    // current (filtered) box, pixels
  float score = 0;  // score of the last matched detection
  std::string label;
  TrackState state = TrackState::kNew;
  double first_seen = 0;           // stream seconds
  double last_seen = 0;            // time of the last matched detection
  int hits = 0;                    // matched detections so far
  core::Point velocity;            // of the foot point, pixels per second
  std::deque<TrackPoint> history;  // foot points, oldest first, bounded

  // Appends a foot point, keeping at most `max_points`.
  void AddFoot(double t, core::Point foot, size_t max_points) {
    history.push_back({t, foot});
    while (history.size() > max_points) history.pop_front();
  }
  double Age(double now) const { return now - first_seen; }
  double TimeSinceSeen(double now) const { return now - last_seen; }
  bool Confirmed() const { return state == TrackState::kTracked; }
};

// Online multi-object tracker. Thread safety: one thread per instance.
class Tracker {
 public:
  virtual ~Tracker() = default;
  // Consumes the detections of one frame at stream time `t` (seconds, increasing)
  // and returns the confirmed tracks visible in this frame.
  virtual std::vector<Track> Update(const std::vector<Detection>& detections, double t) = 0;
  // A frame at stream time `t` on which the detector did not run: every track
  // moves to its prediction, nothing counts as missed, and the confirmed tracks
  // are returned at their predicted boxes.
  virtual std::vector<Track> Coast(double t) = 0;
  // Optional: the camera's global motion from the previous Update's frame to
  // the next one's (pan, shake), applied to the predictions of that next
  // Update only. Trackers without motion compensation ignore it.
  virtual void SetCameraMotion(const core::Affine2D& /*prev_to_next*/) {}
  // Every track the tracker still holds (tracked and lost), for rules that need
  // to know an occluded person is still around.
  virtual std::vector<Track> Active() const = 0;
};

}  // namespace argus::track
