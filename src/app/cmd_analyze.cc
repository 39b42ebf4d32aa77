// argus analyze SOURCE: batch analysis of one file or stream (DESIGN.md contract);
// argus analyze-site: every camera of a config at once, with hand-off.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "app/analyze.h"
#include "app/analyze_site.h"
#include "app/command.h"

namespace argus::app {
namespace {

const CommandRegistrar kAnalyze("analyze", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand("analyze", "Analyse one video file or stream");
  auto opts = std::make_shared<AnalyzeOptions>();
  cmd->add_option("source", opts->source, "Video file, rtsp:// or http:// URL")->required();
  cmd->add_option("--config", opts->config_path, "Site config (YAML); default: no rules");
  cmd->add_option("--camera", opts->camera, "Camera of the config to use (default: the first)");
  cmd->add_option("--detector", opts->detector, "builtin | hog | onnx:PATH");
  cmd->add_option("--tracks", opts->tracks_path, "Write tracks (MOTChallenge text)");
  cmd->add_option("--events", opts->events_path, "Write events (JSON Lines)");
  cmd->add_option("--annotate", opts->annotate_path, "Write an annotated MP4");
  cmd->add_option("--max-frames", opts->max_frames, "Stop after N frames (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--start-time", opts->start_time,
                  "Wall-clock time of the first frame, for schedules (YYYY-MM-DDTHH:MM:SSZ; "
                  "default: now)");
  return [opts] { return RunAnalyze(*opts); };
});

const CommandRegistrar kAnalyzeSite("analyze-site", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand(
      "analyze-site",
      "Analyse every camera of a config together (video files), linking people across "
      "adjacent cameras");
  auto opts = std::make_shared<AnalyzeSiteOptions>();
  cmd->add_option("--config", opts->config_path,
                  "Site config (YAML): its cameras' files; server.site_model says which cameras "
                  "are adjacent")
      ->required();
  cmd->add_option("--detector", opts->detector, "builtin | hog | onnx:PATH");
  cmd->add_option("--tracks-dir", opts->tracks_dir,
                  "Write tracks per camera (DIR/<camera>.txt, MOTChallenge text, id = global id)");
  cmd->add_option("--events", opts->events_path, "Write the events of every camera (JSON Lines)");
  cmd->add_option("--max-frames", opts->max_frames, "Stop each camera after N frames (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--start-time", opts->start_time,
                  "Wall-clock time of the first frames, for schedules (YYYY-MM-DDTHH:MM:SSZ; "
                  "default: now)");
  return [opts] { return RunAnalyzeSite(*opts); };
});

}  // namespace
}  // namespace argus::app
