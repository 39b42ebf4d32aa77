// `argus learn show` and `argus learn tracks`: pictures (SVG) of what a camera
// learned about normal activity (src/learn), from the store of `argus serve` or
// learned on the spot from a tracks file.
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/command.h"
#include "core/atomic_file.h"
#include "learn/mot_tracks.h"
#include "learn/picture.h"
#include "store/open_store.h"

namespace argus::app {
namespace {

struct LearnArgs {
  // show
  std::string data_dir = config::kDefaultDataDir;
  std::string postgres;
  std::string camera;
  // tracks
  std::string tracks;
  double fps = 0;
  std::vector<int> size;
  std::string model_out;
  // both
  std::string out;
  int cell_min = static_cast<int>(config::kDefaultLearnMinCellTracks);
};

int Write(const std::string& path, const std::string& data) {
  auto f = core::AtomicFile::Open(path);
  core::Status s = f.ok() ? (*f)->Append(data) : f.status();
  if (s.ok()) s = (*f)->Commit();
  if (!s.ok()) {
    std::cerr << "argus learn: " << s.message() << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}

int Picture(const learn::ActivityModel& m, const LearnArgs& a, const std::string& title, int w,
            int h) {
  if (std::filesystem::path(a.out).extension() != ".svg") {
    std::cerr << "argus learn: --out must name an .svg file, found '" << a.out << "'\n";
    return kExitBadInput;
  }
  learn::PictureOptions o;
  o.width = w;
  o.height = h;
  o.min_cell_tracks = a.cell_min;
  o.title = title;
  const int rc = Write(a.out, learn::RenderSvg(m, o));
  if (rc == kExitOk) {
    std::cout << a.out << ": " << learn::WithThousands(m.total_tracks()) << " tracks learned\n";
  }
  return rc;
}

int RunShow(const LearnArgs& a) {
  auto db = store::OpenStore(a.data_dir, a.postgres);
  if (!db.ok()) {
    std::cerr << "argus learn show: " << db.status().message() << "\n";
    return kExitRuntime;
  }
  auto text = (*db)->LoadLearnedModel(a.camera);
  if (!text.ok()) {
    std::cerr << "argus learn show: " << text.status().message() << "\n";
    return text.status().code() == core::StatusCode::kNotFound ? kExitBadInput : kExitRuntime;
  }
  auto model = learn::ActivityModel::Parse(*text);
  if (!model.ok()) {
    std::cerr << "argus learn show: camera " << a.camera << ": " << model.status().message()
              << "\n";
    return kExitRuntime;
  }
  // The grid keeps the camera's usual 4:3 shape.
  return Picture(*model, a, a.camera, 640, 480);
}

int RunTracks(const LearnArgs& a) {
  auto rows = track::ReadMotFile(a.tracks);
  if (!rows.ok()) {
    std::cerr << "argus learn tracks: " << rows.status().message() << "\n";
    return kExitBadInput;
  }
  double fps = a.fps;
  int w = a.size.size() == 2 ? a.size[0] : 0, h = a.size.size() == 2 ? a.size[1] : 0;
  if (const std::string ini = track::FindSeqInfo(a.tracks); !ini.empty()) {
    if (auto info = track::ReadSeqInfo(ini); info.ok()) {
      if (fps <= 0) fps = info->frame_rate;
      if (w <= 0) w = info->width, h = info->height;
    }
  }
  if (fps <= 0 || w <= 0 || h <= 0) {
    std::cerr << "argus learn tracks: " << a.tracks
              << ": no seqinfo.ini beside it; give --fps and --size W H\n";
    return kExitBadInput;
  }
  learn::ActivityModel model;
  learn::LearnTracks(learn::TracksFromMot(*rows, fps), w, h, {}, &model);
  if (!a.model_out.empty()) {
    if (int rc = Write(a.model_out, model.Serialize()); rc != kExitOk) return rc;
  }
  return Picture(model, a, std::filesystem::path(a.tracks).filename().string(), w, h);
}

const CommandRegistrar kLearn("learn", [](CLI::App& parent) {
  auto a = std::make_shared<LearnArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "learn", "Pictures of what cameras learned about normal activity (SVG)");
  cmd->require_subcommand(1);
  CLI::App* show =
      cmd->add_subcommand("show", "Draw a camera's model from the store of argus serve");
  show->add_option("--data-dir", a->data_dir, "Data directory of argus serve (SQLite store)");
  show->add_option("--postgres", a->postgres, "PostgreSQL conninfo (instead of --data-dir)");
  show->add_option("--camera", a->camera, "Camera name")->required();
  show->add_option("--out,-o", a->out, "Picture (.svg)")->required();
  CLI::App* tracks =
      cmd->add_subcommand("tracks", "Learn from a tracks file (MOT text) and draw the model");
  tracks->add_option("file", a->tracks, "Tracks (frame,id,x,y,w,h,...)")->required();
  tracks->add_option("--fps", a->fps, "Frame rate (default: seqinfo.ini)")
      ->check(CLI::PositiveNumber);
  tracks->add_option("--size", a->size, "Frame width and height (default: seqinfo.ini)")
      ->expected(2);
  tracks->add_option("--model-out", a->model_out, "Also write the learned model (text)");
  tracks->add_option("--out,-o", a->out, "Picture (.svg)")->required();
  for (CLI::App* sub : {show, tracks}) {
    sub->add_option("--min-cell-tracks", a->cell_min, "Cells with fewer tracks are hatched out")
        ->check(CLI::Range(1, 1000000));
  }
  return [a, show] { return show->parsed() ? RunShow(*a) : RunTracks(*a); };
});

}  // namespace
}  // namespace argus::app
