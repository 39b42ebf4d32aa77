// `argus analyze-site`: every camera of a config analysed together from video files,
// frame by frame in the order of their stream times (the files start at one instant),
// with cross-camera hand-off between the cameras the site model says are adjacent
// (learn/handoff.h). Tracks are written per camera with a global id that a person keeps
// from camera to camera when the hand-off links them; events of all cameras go to one
// file. The batch counterpart of following people in `argus serve`.
#pragma once

#include <cstdint>
#include <string>

namespace argus::app {

struct AnalyzeSiteOptions {
  std::string config_path;
  std::string detector;    // overrides the config's when not empty
  std::string tracks_dir;  // <dir>/<camera>.txt, MOTChallenge text, id = global id
  std::string events_path;
  int64_t max_frames = 0;  // per camera; 0: all
  std::string start_time;  // wall-clock time of the first frames (schedules)
};

// Returns the process exit code (0 ok, 1 bad input, 2 runtime failure); a summary on
// stdout, progress and errors on stderr.
int RunAnalyzeSite(const AnalyzeSiteOptions& options);

}  // namespace argus::app
