#include "app/scene_eval.h"

#include <fnmatch.h>
#include <regex.h>
#include <sys/resource.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "app/camera_pipeline.h"
#include "app/command.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/progress.h"
#include "detect/frame_eval.h"
#include "ingest/video_source.h"
#include "rules/ground_truth.h"
#include "track/mot_metrics.h"

namespace argus::app {
namespace {

namespace fs = std::filesystem;

constexpr double kMatchIou = 0.5;  // detection precision / recall, as CLEAR MOT
// Counting probes per scene (rules::GenerateCountProbes).
constexpr int kProbeLines = 10;
constexpr int kProbeZones = 5;

core::Status ManifestError(const std::string& path, const YAML::Node& n,
                           const std::string& message) {
  const int line = n.Mark().is_null() ? 0 : n.Mark().line + 1;
  return core::InvalidArgument(path + ":" + std::to_string(line) + ": " + message);
}

std::string Resolve(const fs::path& root, const std::string& p) {
  return fs::path(p).is_absolute() ? p : (root / p).lexically_normal().string();
}

// "video2" < "video10": scenes list in the order a person numbers them.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const long long x = std::stoll(a.substr(i, ie - i)), y = std::stoll(b.substr(j, je - j));
      if (x != y) return x < y;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

core::Result<std::vector<std::string>> Glob(const fs::path& root, const std::string& pattern) {
  const fs::path full = fs::path(pattern).is_absolute() ? fs::path(pattern) : root / pattern;
  const fs::path dir = full.parent_path();
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (fnmatch(full.filename().c_str(), name.c_str(), 0) == 0) out.push_back(entry.path());
  }
  if (ec) return core::NotFound("cannot list " + dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), NaturalLess);
  return out;
}

std::string StringKey(const YAML::Node& entry, const char* key) {
  return entry[key] ? entry[key].as<std::string>() : std::string();
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

struct SceneRun {
  std::vector<track::MotRow> tracks;
  // Person boxes by frame, for the frames the detector ran on (not coasted).
  std::map<int, std::vector<core::Box>> detections;
  int64_t frames = 0;
  double cpu_s = 0;
  int width = 0, height = 0;
};

core::Result<SceneRun> RunScene(const SceneSpec& scene, const config::Config& cfg,
                                const std::string& detector, core::ProgressBar* progress,
                                int64_t* done) {
  config::Config run_cfg = cfg;
  config::CameraConfig& cam = run_cfg.cameras.front();
  cam.source = scene.video;
  cam.detect_fps = 0;  // ground truth is per frame: analyse every frame
  config::Diagnostics diag;
  auto pipeline = CameraPipeline::Create(run_cfg, cam, detector, &diag);
  if (!pipeline.ok()) return core::InvalidArgument(diag.ToString() + pipeline.status().message());
  ingest::SourceOptions so;
  so.url = scene.video;
  auto source = ingest::VideoSource::Open(so, core::SystemClock::Instance());
  if (!source.ok()) return source.status();

  SceneRun run;
  run.width = (*source)->width();
  run.height = (*source)->height();
  const double cpu0 = CpuSeconds();
  ingest::Frame frame;
  FrameOutput out;
  while ((*source)->Read(&frame) == ingest::ReadStatus::kFrame) {
    ARGUS_RETURN_IF_ERROR((*pipeline)->Process(frame, core::WallTime{}, &out));
    const int f = static_cast<int>(frame.number) + scene.frame_offset;
    // Detection is scored on the frames the detector ran on.
    if (!out.coasted) run.detections[f];
    for (const track::Detection& d : out.detections) {
      if (d.label == "person") run.detections[f].push_back(d.box);
    }
    for (const track::Track& t : out.tracks) {
      if (t.label != "person") continue;
      track::MotRow r;
      r.frame = f;
      r.id = t.id;
      r.box = t.box;
      r.conf = t.score;
      run.tracks.push_back(r);
    }
    ++run.frames;
    progress->Update(++*done);
  }
  run.cpu_s = CpuSeconds() - cpu0;
  return run;
}

struct SceneScore {
  track::MotCounts counts;
  detect::FrameEvalStats det;
  rules::CountComparison counts_vs_gt;  // tripwire and zone counts on the probes
  int64_t frames = 0;
  double cpu_s = 0;
};

std::vector<rules::GtBox> ToGtBoxes(const std::vector<track::MotRow>& rows) {
  std::vector<rules::GtBox> out;
  out.reserve(rows.size());
  for (const track::MotRow& r : rows) out.push_back({r.frame, r.id, r.box});
  return out;
}

core::Result<SceneScore> Score(const SceneGroundTruth& gt, SceneRun run) {
  SceneScore s;
  s.frames = run.frames;
  s.cpu_s = run.cpu_s;
  const std::set<int> scored(gt.frames.begin(), gt.frames.end());
  std::erase_if(run.tracks, [&](const track::MotRow& r) { return !scored.count(r.frame); });
  std::map<int, std::vector<core::Box>> gt_boxes;
  for (const track::MotRow& r : gt.rows) gt_boxes[r.frame].push_back(r.box);
  for (const int f : gt.frames) {
    const auto it = run.detections.find(f);
    if (it != run.detections.end()) {
      detect::AccumulateFrame(gt_boxes[f], {}, it->second, kMatchIou, &s.det);
    }
  }
  track::EvalOptions options;
  options.benchmark = track::MotBenchmark::kMot15;
  options.num_frames = static_cast<int>(std::max<int64_t>(gt.last_frame, run.frames));
  auto data = track::PrepareSequence(gt.rows, run.tracks, options);
  if (!data.ok()) return data.status();
  s.counts = track::EvaluateSequence(*data, options);
  static const rules::CountProbes probes = rules::GenerateCountProbes(kProbeLines, kProbeZones);
  s.counts_vs_gt = rules::CompareCounts(ToGtBoxes(gt.rows), ToGtBoxes(run.tracks), probes,
                                        rules::kLineDefaultBand, config::kDefaultZoneInertiaFrames,
                                        run.width, run.height);
  return s;
}

void Add(const SceneScore& from, SceneScore* to) {
  to->counts = track::Combine({to->counts, from.counts});
  to->det.frames += from.det.frames;
  to->det.gt += from.det.gt;
  to->det.tp += from.det.tp;
  to->det.fp += from.det.fp;
  to->det.fn += from.det.fn;
  to->det.iou_sum += from.det.iou_sum;
  to->counts_vs_gt.expected += from.counts_vs_gt.expected;
  to->counts_vs_gt.counted += from.counts_vs_gt.counted;
  to->counts_vs_gt.abs_error += from.counts_vs_gt.abs_error;
  to->frames += from.frames;
  to->cpu_s += from.cpu_s;
}

void PrintHeader() {
  std::printf("%-28s %6s %6s %6s %6s %6s %5s %6s %6s %6s %8s\n", "scene", "DetPr", "DetRe", "MOTA",
              "IDF1", "HOTA", "IDSW", "GT", "cntGT", "cntErr", "fps/core");
}

void PrintRow(const std::string& name, const SceneScore& s) {
  const track::MotSummary m = track::Summarize(s.counts);
  std::printf("%-28s %6.1f %6.1f %6.1f %6.1f %6.1f %5lld %6d %6lld %6.1f %8.1f\n", name.c_str(),
              100 * s.det.Precision(), 100 * s.det.Recall(), 100 * m.mota, 100 * m.idf1,
              100 * m.hota, static_cast<long long>(m.idsw), s.det.gt,
              static_cast<long long>(s.counts_vs_gt.expected), 100 * s.counts_vs_gt.RelativeError(),
              s.cpu_s > 0 ? s.frames / s.cpu_s : 0.0);
}

std::string JsonRow(const std::string& name, const SceneScore& s) {
  const track::MotSummary m = track::Summarize(s.counts);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"name\":\"%s\",\"DetPr\":%.6f,\"DetRe\":%.6f,\"MOTA\":%.6f,\"IDF1\":%.6f,"
                "\"HOTA\":%.6f,\"IDSW\":%lld,\"GT\":%d,\"count_expected\":%lld,"
                "\"count_abs_error\":%lld,\"frames\":%lld,\"cpu_s\":%.3f,\"fps_per_core\":%.2f}",
                name.c_str(), s.det.Precision(), s.det.Recall(), m.mota, m.idf1, m.hota,
                static_cast<long long>(m.idsw), s.det.gt,
                static_cast<long long>(s.counts_vs_gt.expected),
                static_cast<long long>(s.counts_vs_gt.abs_error), static_cast<long long>(s.frames),
                s.cpu_s, s.cpu_s > 0 ? s.frames / s.cpu_s : 0.0);
  return buf;
}

int Fail(const core::Status& s) { return FailWith("argus eval scenes", s); }

}  // namespace

core::Result<std::vector<SceneSpec>> LoadSceneManifest(const std::string& path,
                                                       const std::string& root_override) {
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return core::NotFound("cannot read manifest " + path);
  } catch (const YAML::Exception& e) {
    return core::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  const fs::path base = fs::path(path).parent_path();
  fs::path root = base;
  if (!root_override.empty()) {
    root = root_override;
  } else if (doc["root"]) {
    root = Resolve(base, doc["root"].as<std::string>());
  }
  const YAML::Node list = doc["scenes"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    return ManifestError(path, doc, "scenes: expected a list of scenes");
  }
  std::vector<SceneSpec> scenes;
  std::set<std::string> names;
  for (const YAML::Node& e : list) {
    if (!e.IsMap()) return ManifestError(path, e, "scenes: each entry is a map");
    SceneSpec s;
    try {
      s.group = StringKey(e, "group");
      s.format = e["format"] ? e["format"].as<std::string>() : "mot";
      s.frame_offset = e["frame_offset"] ? e["frame_offset"].as<int>() : 0;
    } catch (const YAML::Exception&) {
      return ManifestError(path, e, "frame_offset: expected an integer");
    }
    if (s.format != "mot" && s.format != "le2i") {
      return ManifestError(path, e["format"],
                           "format: expected mot or le2i, found '" + s.format + "'");
    }
    std::vector<SceneSpec> add;
    if (e["glob"]) {
      auto videos = Glob(root, e["glob"].as<std::string>());
      if (!videos.ok()) return ManifestError(path, e["glob"], videos.status().message());
      for (const std::string& v : *videos) {
        SceneSpec g = s;
        g.video = v;
        g.gt = fs::path(v).replace_extension(".txt").string();
        g.name = fs::path(v).stem().string();
        add.push_back(g);
      }
      if (add.empty())
        return ManifestError(path, e["glob"], "glob: matches no file under " + root.string());
    } else {
      s.name = StringKey(e, "name");
      s.video = StringKey(e, "video");
      s.gt = StringKey(e, "gt");
      if (s.name.empty() || s.video.empty() || s.gt.empty()) {
        return ManifestError(path, e, "a scene needs name, video and gt (or glob)");
      }
      s.video = Resolve(root, s.video);
      s.gt = Resolve(root, s.gt);
      add.push_back(s);
    }
    for (SceneSpec& a : add) {
      if (a.group.empty()) a.group = a.name;
      if (!names.insert(a.name).second)
        return ManifestError(path, e, "scene '" + a.name + "' twice");
      scenes.push_back(std::move(a));
    }
  }
  return scenes;
}

core::Result<SceneGroundTruth> ParseLe2iAnnotation(const std::string& text,
                                                   const std::string& source) {
  SceneGroundTruth gt;
  std::set<int> seen;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no <= 2 || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    int frame = 0, label = 0;
    double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    if (!(ss >> frame >> label >> x1 >> y1 >> x2 >> y2) || frame < 1) {
      return core::InvalidArgument(source + ":" + std::to_string(line_no) +
                                   ": expected frame,label,x1,y1,x2,y2");
    }
    if (x2 <= x1 || y2 <= y1) continue;  // not annotated
    // Some files repeat their last frame, or list every frame twice: first wins.
    if (!seen.insert(frame).second) continue;
    track::MotRow r;
    r.frame = frame;
    r.id = 1;
    r.box = {x1, y1, x2 - x1, y2 - y1};
    gt.rows.push_back(r);
    gt.frames.push_back(frame);
    gt.last_frame = std::max(gt.last_frame, frame);
  }
  std::sort(gt.frames.begin(), gt.frames.end());
  return gt;
}

core::Result<SceneGroundTruth> ReadSceneGroundTruth(const SceneSpec& scene) {
  std::ifstream in(scene.gt);
  if (!in) return core::NotFound("cannot open ground truth " + scene.gt);
  std::stringstream text;
  text << in.rdbuf();
  if (scene.format == "le2i") return ParseLe2iAnnotation(text.str(), scene.gt);
  auto rows = track::ParseMot(text.str(), scene.gt);
  if (!rows.ok()) return rows.status();
  SceneGroundTruth gt;
  std::set<int> frames;
  for (const track::MotRow& r : *rows) {
    gt.last_frame = std::max(gt.last_frame, r.frame);
    if (r.conf == 0) continue;  // MOT15: not to be evaluated
    gt.rows.push_back(r);
  }
  // Every frame of the sequence is scored, with or without people in it.
  for (int f = 1; f <= gt.last_frame; ++f) gt.frames.push_back(f);
  return gt;
}

int RunEvalScenes(const EvalScenesOptions& o) {
  auto scenes = LoadSceneManifest(o.manifest, o.root);
  if (!scenes.ok()) return Fail(scenes.status());
  if (!o.only.empty()) {
    // POSIX regex: std::regex trips GCC 12's -Wmaybe-uninitialized with sanitizers.
    regex_t re;
    if (regcomp(&re, o.only.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
      return Fail(core::InvalidArgument("--only: not a regular expression: " + o.only));
    }
    std::erase_if(*scenes, [&](const SceneSpec& s) {
      return regexec(&re, s.name.c_str(), 0, nullptr, 0) != 0;
    });
    regfree(&re);
    if (scenes->empty()) return Fail(core::InvalidArgument("--only matches no scene"));
  }
  config::Config cfg;
  if (!o.config_path.empty()) {
    config::Diagnostics diag;
    auto loaded = config::LoadConfig(o.config_path, &diag);
    if (!loaded.ok()) {
      std::cerr << diag.ToString();
      return Fail(loaded.status());
    }
    cfg = std::move(loaded).value();
  }
  if (cfg.cameras.empty()) cfg.cameras.push_back(config::CameraConfig{.name = "scene"});

  // Ground truth first: a typo in the manifest should not cost an hour of video.
  std::vector<SceneGroundTruth> gts;
  int64_t total = 0;
  for (const SceneSpec& s : *scenes) {
    auto gt = ReadSceneGroundTruth(s);
    if (!gt.ok()) return Fail(gt.status());
    if (!fs::exists(s.video)) return Fail(core::NotFound("no video " + s.video));
    total += gt->last_frame;
    gts.push_back(std::move(gt).value());
  }
  if (!o.out_dir.empty()) fs::create_directories(o.out_dir);

  core::ProgressBar progress("eval scenes", total);
  int64_t done = 0;
  std::vector<SceneScore> scores;
  for (size_t i = 0; i < scenes->size(); ++i) {
    const SceneSpec& s = (*scenes)[i];
    auto run = RunScene(s, cfg, o.detector, &progress, &done);
    if (!run.ok())
      return Fail(core::Status(run.status().code(), s.name + ": " + run.status().message()));
    if (!o.out_dir.empty()) {
      auto st = track::WriteFileAtomically((fs::path(o.out_dir) / (s.name + ".txt")).string(),
                                           track::FormatMotResults(run->tracks));
      if (!st.ok()) return Fail(st);
    }
    auto score = Score(gts[i], std::move(run).value());
    if (!score.ok())
      return Fail(core::Status(score.status().code(), s.name + ": " + score.status().message()));
    scores.push_back(*score);
  }
  progress.Finish();

  std::map<std::string, SceneScore> groups;
  SceneScore overall;
  for (size_t i = 0; i < scores.size(); ++i) {
    Add(scores[i], &groups[(*scenes)[i].group]);
    Add(scores[i], &overall);
  }
  if (o.json) {
    std::string out = "{\"scenes\":[";
    for (size_t i = 0; i < scores.size(); ++i) {
      out += (i ? "," : "") + JsonRow((*scenes)[i].name, scores[i]);
    }
    out += "],\"groups\":[";
    bool first = true;
    for (const auto& [name, s] : groups) {
      out += (first ? "" : ",") + JsonRow(name, s);
      first = false;
    }
    char rss[64];
    std::snprintf(rss, sizeof rss, "%.1f", PeakRssMiB());
    out += "],\"overall\":" + JsonRow("OVERALL", overall) + ",\"peak_rss_mib\":" + rss + "}\n";
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  PrintHeader();
  for (const auto& [name, g] : groups) {
    int members = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      if ((*scenes)[i].group != name) continue;
      ++members;
      PrintRow((*scenes)[i].name, scores[i]);
    }
    if (members > 1) PrintRow("[" + name + "]", g);
  }
  PrintRow("OVERALL", overall);
  std::printf(
      "cntGT: crossings of %d probe lines (each direction) and entries into %d probe zones by the\n"
      "ground-truth tracks; cntErr: sum of |argus - gt| over them, %% of cntGT.\n"
      "fps/core = frames / CPU seconds (decoding included); peak resident memory %.0f MiB\n",
      kProbeLines, kProbeZones, PeakRssMiB());
  return kExitOk;
}

}  // namespace argus::app
