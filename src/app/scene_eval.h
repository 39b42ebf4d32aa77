// `argus eval scenes`: real clips with ground truth run end to end (decode ->
// detect -> track) with ONE config, scored per scene, per group and overall.
// The manifest (YAML) lists the clips, so more scenes drop in without code:
//
//   root: ../../shared/data          # relative to the manifest's folder
//   scenes:
//     - {name: PETS09-S2L1, group: PETS, video: /usr/share/.../vtest.avi,
//        gt: mot15/PETS09-S2L1/gt/gt.txt}
//     - {glob: falls/Coffee_room_01_video*.mp4, group: Le2i-Coffee, format: le2i}
//
// `format: mot` is MOTChallenge gt.txt (rows with conf 0 are not scored);
// `format: le2i` is the Le2i fall annotation (two header lines, then
// frame,label,x1,y1,x2,y2 of the one person, zeros where not annotated: those
// frames are left out of the scoring). A glob entry pairs every match with the
// .txt of the same stem. `frame_offset` is added to a video frame number
// (1-based) to get its ground-truth frame.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "track/mot_io.h"

namespace argus::app {

struct SceneSpec {
  std::string name;
  std::string group;
  std::string video;
  std::string gt;
  std::string format = "mot";  // mot | le2i
  int frame_offset = 0;
};

// Errors name the manifest's file and line. `root_override` (not empty)
// replaces the manifest's `root:`.
core::Result<std::vector<SceneSpec>> LoadSceneManifest(const std::string& path,
                                                       const std::string& root_override = "");

// The scored ground truth of a scene as MOT rows (1-based frames, video
// numbering), and the frames it covers: results outside them are not scored.
struct SceneGroundTruth {
  std::vector<track::MotRow> rows;
  std::vector<int> frames;  // sorted
  int last_frame = 0;
};
core::Result<SceneGroundTruth> ReadSceneGroundTruth(const SceneSpec& scene);

// Parses Le2i annotation text (see above); errors name `source:line`.
core::Result<SceneGroundTruth> ParseLe2iAnnotation(const std::string& text,
                                                   const std::string& source);

struct EvalScenesOptions {
  std::string manifest;
  std::string config_path;  // one config for every scene
  std::string detector;     // overrides the config's detector when not empty
  std::string root;         // overrides the manifest's root
  std::string only;         // regular expression on scene names
  std::string out_dir;      // tracks per scene (MOT text) when not empty
  bool json = false;
};

// Returns the process exit code; prints the table (or JSON) on stdout.
int RunEvalScenes(const EvalScenesOptions& options);

}  // namespace argus::app
