// Draws what the analysis saw onto a frame: zones, lines, track boxes with
// ids, and the tracks that are part of an open incident in red.
// Thread safety: one thread per instance.
#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "events/event.h"
#include "track/track.h"

namespace argus::app {

class Annotator {
 public:
  explicit Annotator(const config::CameraConfig& camera) : camera_(camera) {}
  // Remembers which tracks and zones are in an open incident.
  void Observe(const std::vector<events::Event>& events);
  void Draw(cv::Mat& bgr, const std::vector<track::Track>& tracks, double t) const;

 private:
  const config::CameraConfig& camera_;
  std::map<std::string, int> open_zones_;                         // zone -> open incidents
  std::map<int, int> open_tracks_;                                // track id -> open incidents
  std::map<std::string, std::pair<std::string, int>> incidents_;  // id -> (zone, track)
};

}  // namespace argus::app
