// Following people across the cameras of `argus serve` (issue 14, part 5): the adapter
// between the fleet's analysed frames and learn::Follower. For each analysed frame it
// describes the tracks' clothing (track_looks.h, only for cameras with an adjacent
// camera in the site model), finds the zones their feet are in, and turns each sighting
// of a followed person into a `followed_person` event of that camera (an instant
// incident: start and end at once). The HTTP API lists a camera's tracks in view and
// starts and stops follows; the API audits them.
//
// Follows live in this process only: on several nodes, a person is followed across the
// cameras this node runs; a restart ends every follow.
//
// Thread safety: every method from any thread (pool workers observe, HTTP threads start
// and stop); mu_ guards the follower and the tracks in view.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/camera_pipeline.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "ingest/video_source.h"
#include "learn/follower.h"
#include "site/site_model.h"

namespace argus::app {

inline constexpr const char* kFollowEventType = "followed_person";
inline constexpr const char* kFollowRule = "follow";

// The site model's adjacency in the main config's camera names; links naming a site
// camera without `config_camera` are left out.
std::vector<learn::Adjacency> FollowAdjacency(const site::Site& site);

class FollowService {
 public:
  FollowService(const std::vector<learn::Adjacency>& adjacency, const core::Clock& clock);

  // An analysed frame of `camera`: appends its followed_person events to `events`.
  void Observe(const config::CameraConfig& camera, const ingest::Frame& frame,
               const FrameOutput& out, std::vector<events::Event>* events);
  // The camera stopped (or moved to another node): its tracks end.
  void CameraStopped(const std::string& camera);

  // {"camera", "t", "tracks": [{"id", "box": [x, y, w, h] relative, "global_id",
  // "follow"}]}; kNotFound for a camera not analysed here.
  core::Result<nlohmann::json> Tracks(const std::string& camera);
  nlohmann::json Follows();  // {"follows": [...]}, active first
  core::Result<nlohmann::json> Start(const std::string& camera, int track, const std::string& who,
                                     const std::string& reason);
  core::Result<nlohmann::json> Stop(int64_t id, const std::string& who);

 private:
  struct InView {
    double t = 0;  // stream seconds
    int width = 0, height = 0;
    std::vector<learn::SeenTrack> tracks;
  };
  nlohmann::json ToJson(const learn::Follow& f) const;

  const core::Clock& clock_;
  std::mutex mu_;
  learn::Follower follower_;
  std::map<std::string, InView> in_view_;
};

}  // namespace argus::app
