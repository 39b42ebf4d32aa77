// `argus analyze`: one source through one CameraPipeline, with the writers of
// the DESIGN.md contracts (tracks, events, annotated video).
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace argus::app {

struct AnalyzeOptions {
  std::string source;
  std::string config_path;
  std::string camera;
  std::string detector;
  std::string tracks_path;
  std::string events_path;
  std::string annotate_path;
  int64_t max_frames = 0;
  std::string start_time;
};

// --start-time: "YYYY-MM-DDTHH:MM:SSZ" (UTC); now when empty.
core::Result<core::WallTime> ParseStartTime(const std::string& s);
// The process's peak resident memory so far.
double PeakRssMiB();

// Returns the process exit code (0 ok, 1 bad input, 2 runtime failure) and
// prints a summary on stdout, progress and errors on stderr.
int RunAnalyze(const AnalyzeOptions& options);

}  // namespace argus::app
