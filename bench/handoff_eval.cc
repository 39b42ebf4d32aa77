// Cross-camera hand-off (learn/handoff.h) measured on real footage. No real
// multi-camera clip with ground truth is at hand, so each real clip is split
// into virtual cameras: N vertical strips of the frame with a blind gap
// between neighbours (people walk out of one view, through the unseen strip,
// into the next). Each virtual camera runs the real pipeline on its crop
// (decode -> detect -> track, bench/scenes_config.yaml) and describes its
// tracks (track/appearance.h); then the hand-off linker joins them, with both
// cues, appearance only, time only, and not at all. The ground truth is cut
// the same way (a person belongs to the strip their box is mostly in).
//
// Scores per clip and linker:
//  - handoffs: ground-truth passages of a person from one strip into the next
//    in which Argus tracked them on both sides (their last track before the
//    gap, their first after it);
//  - correct: of those, the share whose two tracks got the same global id
//    (rank-1: the person leaving camera A linked to their own track in B);
//  - links / wrong: cross-camera links made, and the share joining two
//    different people (or a track that matches nobody);
//  - IDF1 / IDSW of the global ids over all virtual cameras at once (boxes of
//    different cameras never overlap).
//
// usage: handoff_eval [--config F] [--detector SPEC] [--cameras N] [--gap FRAC]
//                     [--max-transit S] [--verbose] NAME=VIDEO:GT ...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/camera_pipeline.h"
#include "app/track_looks.h"
#include "config/config.h"
#include "core/progress.h"
#include "ingest/video_source.h"
#include "learn/handoff.h"
#include "track/mot_io.h"
#include "track/mot_metrics.h"

namespace {

using namespace argus;

constexpr double kMatchIou = 0.5;
// A ground-truth person is in a strip when this share of their box's width is.
constexpr double kMinVisibleShare = 0.5;
// Cameras' boxes are moved this far apart in the joint evaluation.
constexpr double kCameraOffset = 100000;

struct Clip {
  std::string name, video, gt;
};

struct Options {
  std::string config;
  std::string detector;
  int cameras = 2;
  double gap = 0.1;
  double max_transit_s = 10;
  bool verbose = false;  // every link on stderr
  std::vector<Clip> clips;
};

struct Strip {
  int x0 = 0, x1 = 0;  // pixels of the full frame, [x0, x1)
};

std::vector<Strip> Strips(int width, int n, double gap) {
  const double w = (1.0 - (n - 1) * gap) / n;
  std::vector<Strip> out;
  for (int k = 0; k < n; ++k) {
    const double a = k * (w + gap);
    out.push_back({static_cast<int>(a * width), static_cast<int>((a + w) * width)});
  }
  return out;
}

std::string CameraName(int k) { return "cam" + std::to_string(k); }

// What each virtual camera's pipeline saw, kept to replay every linker mode.
struct CameraFrame {
  std::vector<learn::HandoffObservation> observed;
  std::vector<int> ended;  // tracks the tracker dropped at this frame
};
struct Recording {
  std::vector<double> t;                         // per frame (index = frame - 1)
  std::vector<std::vector<CameraFrame>> frames;  // [frame][camera]
  std::vector<std::vector<track::MotRow>> rows;  // [camera]: boxes in crop pixels
  std::vector<Strip> strips;
  int width = 0, height = 0;
  double cpu_s = 0;
};

bool Record(const Clip& clip, const Options& o, const config::Config& cfg, Recording* rec) {
  ingest::SourceOptions so;
  so.url = clip.video;
  auto source = ingest::VideoSource::Open(so, core::SystemClock::Instance());
  if (!source.ok()) {
    std::fprintf(stderr, "%s: %s\n", clip.video.c_str(), source.status().message().c_str());
    return false;
  }
  rec->width = (*source)->width();
  rec->height = (*source)->height();
  rec->strips = Strips(rec->width, o.cameras, o.gap);
  std::vector<std::unique_ptr<app::CameraPipeline>> pipes;
  config::Config run_cfg = cfg;
  for (int k = 0; k < o.cameras; ++k) {
    config::CameraConfig cam = run_cfg.cameras.front();
    cam.name = CameraName(k);
    cam.source = clip.video;
    cam.detect_fps = 0;  // ground truth is per frame
    config::Diagnostics diag;
    auto p = app::CameraPipeline::Create(run_cfg, cam, o.detector, &diag);
    if (!p.ok()) {
      std::fprintf(stderr, "%s%s\n", diag.ToString().c_str(), p.status().message().c_str());
      return false;
    }
    pipes.push_back(std::move(p).value());
  }
  rec->rows.assign(o.cameras, {});
  std::vector<std::set<int>> held(o.cameras);
  const int64_t total = (*source)->frame_count_hint();
  core::ProgressBar progress("hand-off " + clip.name, total);
  ingest::Frame frame;
  app::FrameOutput out;
  const std::clock_t c0 = std::clock();
  while ((*source)->Read(&frame) == ingest::ReadStatus::kFrame) {
    rec->t.push_back(frame.t);
    rec->frames.emplace_back(o.cameras);
    for (int k = 0; k < o.cameras; ++k) {
      const Strip& s = rec->strips[k];
      ingest::Frame crop;
      crop.bgr = frame.bgr(cv::Rect(s.x0, 0, s.x1 - s.x0, frame.bgr.rows)).clone();
      crop.t = frame.t;
      crop.number = frame.number;
      if (!pipes[k]->Process(crop, core::WallTime{}, &out).ok()) return false;
      CameraFrame& cf = rec->frames.back()[k];
      std::set<int> now_held;
      if (out.active != nullptr) {
        for (const track::Track& a : *out.active) now_held.insert(a.id);
        for (int id : held[k]) {
          if (!now_held.count(id)) cf.ended.push_back(id);
        }
        held[k] = now_held;
      }
      const auto looks = out.coasted || out.active == nullptr
                             ? std::vector<std::optional<track::Appearance>>(out.tracks.size())
                             : app::DescribeTracks(crop.bgr, out.tracks, *out.active);
      for (size_t i = 0; i < out.tracks.size(); ++i) {
        const track::Track& tr = out.tracks[i];
        if (tr.label != "person") continue;
        cf.observed.push_back({tr.id, looks[i]});
        track::MotRow r;
        r.frame = static_cast<int>(frame.number);
        r.id = tr.id;
        r.box = tr.box;
        r.conf = tr.score;
        rec->rows[k].push_back(r);
      }
    }
    progress.Update(frame.number);
  }
  progress.Finish();
  rec->cpu_s = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  return true;
}

// The ground truth as each virtual camera sees it, in crop pixels.
std::vector<std::vector<track::MotRow>> CutGroundTruth(const std::vector<track::MotRow>& gt,
                                                       const std::vector<Strip>& strips) {
  std::vector<std::vector<track::MotRow>> out(strips.size());
  for (const track::MotRow& r : gt) {
    if (r.conf == 0) continue;
    for (size_t k = 0; k < strips.size(); ++k) {
      const double x0 = std::max<double>(r.box.x, strips[k].x0);
      const double x1 = std::min<double>(r.box.Right(), strips[k].x1);
      if (x1 - x0 < kMinVisibleShare * r.box.w) continue;
      track::MotRow c = r;
      c.box.x = x0 - strips[k].x0;
      c.box.w = x1 - x0;
      out[k].push_back(c);
    }
  }
  return out;
}

// Each tracked (camera, track) -> the ground-truth id it matches in most of its frames.
std::map<std::pair<int, int>, int> MatchTracks(const std::vector<std::vector<track::MotRow>>& gt,
                                               const std::vector<std::vector<track::MotRow>>& res) {
  std::map<std::pair<int, int>, int> out;
  for (size_t k = 0; k < res.size(); ++k) {
    std::map<int, std::vector<const track::MotRow*>> gt_by_frame;
    for (const auto& r : gt[k]) gt_by_frame[r.frame].push_back(&r);
    std::map<int, std::map<int, int>> votes;  // track -> gt id -> frames
    for (const auto& r : res[k]) {
      double best = kMatchIou;
      int id = -1;
      for (const auto* g : gt_by_frame[r.frame]) {
        const double iou = track::TrackEvalIoU(r.box, g->box);
        if (iou >= best) {
          best = iou;
          id = g->id;
        }
      }
      if (id >= 0) ++votes[r.id][id];
    }
    for (const auto& [tr, v] : votes) {
      const auto top = std::max_element(
          v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
      out[{static_cast<int>(k), tr}] = top->first;
    }
  }
  return out;
}

struct Span {
  int first = 0, last = 0;
};

// Per camera, track -> frames.
std::vector<std::map<int, Span>> Spans(const std::vector<std::vector<track::MotRow>>& rows) {
  std::vector<std::map<int, Span>> out(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    for (const auto& r : rows[k]) {
      auto [it, fresh] = out[k].try_emplace(r.id, Span{r.frame, r.frame});
      it->second.first = std::min(it->second.first, r.frame);
      it->second.last = std::max(it->second.last, r.frame);
    }
  }
  return out;
}

// A person's passage from one strip into the next, and Argus's track on each side.
struct Passage {
  int from = 0, to = 0;
  int from_track = 0, to_track = 0;
};

std::vector<Passage> TrackedPassages(const std::vector<std::vector<track::MotRow>>& gt,
                                     const std::vector<std::map<int, Span>>& spans,
                                     const std::map<std::pair<int, int>, int>& match,
                                     int* passages_total) {
  // Per person, the frames they are in each strip, in time order.
  std::map<int, std::vector<std::pair<int, int>>> visits;  // gt id -> (frame, camera)
  for (size_t k = 0; k < gt.size(); ++k) {
    for (const auto& r : gt[k]) visits[r.id].push_back({r.frame, static_cast<int>(k)});
  }
  std::vector<Passage> out;
  *passages_total = 0;
  for (auto& [id, v] : visits) {
    std::sort(v.begin(), v.end());
    for (size_t i = 1; i < v.size(); ++i) {
      const int a = v[i - 1].second, b = v[i].second;
      if (std::abs(a - b) != 1) continue;
      ++*passages_total;
      const int exit = v[i - 1].first, entry = v[i].first;
      // Argus's last track of the person in `a` up to the exit, first in `b` from the entry.
      int ta = 0, tb = 0, ta_last = -1, tb_first = 1 << 30;
      for (const auto& [tr, s] : spans[a]) {
        const auto m = match.find({a, tr});
        if (m != match.end() && m->second == id && s.first <= exit && s.last > ta_last) {
          ta = tr;
          ta_last = s.last;
        }
      }
      // The next passage's exit bounds where this visit of `b` ends.
      int visit_end = entry;
      for (size_t j = i; j < v.size() && v[j].second == b; ++j) visit_end = v[j].first;
      for (const auto& [tr, s] : spans[b]) {
        const auto m = match.find({b, tr});
        if (m != match.end() && m->second == id && s.last >= entry && s.first <= visit_end &&
            s.first < tb_first) {
          tb = tr;
          tb_first = s.first;
        }
      }
      if (ta && tb) out.push_back({a, b, ta, tb});
    }
  }
  return out;
}

struct Result {
  int passages = 0, tracked = 0, correct = 0, links = 0, wrong = 0;
  double idf1 = 0;
  int64_t idsw = 0;
};

Result Evaluate(const Recording& rec, const std::vector<track::MotRow>& gt_rows, const char* mode,
                double max_transit_s, bool verbose) {
  const int n = static_cast<int>(rec.strips.size());
  std::vector<learn::Adjacency> adj;
  for (int k = 0; k + 1 < n; ++k) adj.push_back({CameraName(k), CameraName(k + 1), max_transit_s});
  learn::HandoffParams p;
  const std::string m = mode;
  p.use_appearance = m == "both" || m == "appearance";
  p.use_time = m == "both" || m == "time";
  learn::HandoffLinker linker(adj, p);
  std::map<std::pair<int, int>, int> gid;
  std::vector<learn::HandoffLink> links;
  int next_unlinked = 1;
  for (size_t f = 0; f < rec.frames.size(); ++f) {
    for (int k = 0; k < n; ++k) {
      const CameraFrame& cf = rec.frames[f][k];
      if (m == "none") {
        for (const auto& o : cf.observed) gid.try_emplace({k, o.track}, next_unlinked++);
        continue;
      }
      for (int id : cf.ended) {
        for (auto& l : linker.End(CameraName(k), id, rec.t[f])) links.push_back(l);
        if (const int g = linker.GlobalId(CameraName(k), id)) gid[{k, id}] = g;
      }
      for (auto& l : linker.Update(CameraName(k), rec.t[f], cf.observed)) links.push_back(l);
      for (const auto& o : cf.observed) gid[{k, o.track}] = linker.GlobalId(CameraName(k), o.track);
    }
  }
  const auto gt = CutGroundTruth(gt_rows, rec.strips);
  const auto spans = Spans(rec.rows);
  const auto match = MatchTracks(gt, rec.rows);
  Result r;
  const auto passages = TrackedPassages(gt, spans, match, &r.passages);
  r.tracked = static_cast<int>(passages.size());
  std::map<std::pair<int, int>, track::AppearanceModel> looks;  // whole-life looks, for --verbose
  if (verbose) {
    for (const auto& frame : rec.frames) {
      for (int k = 0; k < n; ++k) {
        for (const auto& o : frame[k].observed) {
          if (o.look) looks[{k, o.track}].Add(*o.look);
        }
      }
    }
  }
  for (const Passage& ps : passages) {
    const bool linked = gid.at({ps.from, ps.from_track}) == gid.at({ps.to, ps.to_track});
    r.correct += linked;
    if (verbose && !linked) {
      const auto& a = looks[{ps.from, ps.from_track}];
      const auto& b = looks[{ps.to, ps.to_track}];
      std::fprintf(
          stderr, "missed cam%d/%d -> cam%d/%d: crops %d and %d, distance %.3f\n", ps.from,
          ps.from_track, ps.to, ps.to_track, a.samples(), b.samples(),
          a.samples() && b.samples() ? track::AppearanceDistance(a.mean(), b.mean()) : -1.0);
    }
  }
  auto cam = [](const std::string& name) { return std::atoi(name.c_str() + 3); };
  for (const auto& l : links) {
    ++r.links;
    const auto a = match.find({cam(l.from_camera), l.from_track});
    const auto b = match.find({cam(l.to_camera), l.to_track});
    const bool wrong = a == match.end() || b == match.end() || a->second != b->second;
    r.wrong += wrong;
    if (verbose) {
      std::fprintf(stderr, "%s %s/%d -> %s/%d conf %.2f dist %.3f transit %.1f s time %.2f\n",
                   wrong ? "WRONG" : "right", l.from_camera.c_str(), l.from_track,
                   l.to_camera.c_str(), l.to_track, l.confidence, l.appearance_distance,
                   l.transit_s, l.time_plausibility);
    }
  }
  // Global ids over all cameras at once.
  std::vector<track::MotRow> all_gt, all_res;
  for (int k = 0; k < n; ++k) {
    for (auto g : gt[k]) {
      g.box.x += k * kCameraOffset;
      all_gt.push_back(g);
    }
    for (auto t : rec.rows[k]) {
      t.box.x += k * kCameraOffset;
      t.id = gid.at({k, t.id});
      all_res.push_back(t);
    }
  }
  // A wrong link can put one global id in two cameras at once: the later
  // camera's box gets an id of its own there (an identity switch, as it is).
  std::set<std::pair<int, int>> used;  // (frame, id)
  int spare = 1 << 24;
  for (auto& t : all_res) {
    if (!used.insert({t.frame, t.id}).second) t.id = spare++;
  }
  track::EvalOptions eo;
  eo.benchmark = track::MotBenchmark::kMot15;
  eo.num_frames = static_cast<int>(rec.frames.size());
  auto data = track::PrepareSequence(all_gt, all_res, eo);
  if (data.ok()) {
    const auto s = track::Summarize(track::EvaluateSequence(*data, eo));
    r.idf1 = s.idf1;
    r.idsw = s.idsw;
  } else {
    std::fprintf(stderr, "evaluation: %s\n", data.status().message().c_str());
  }
  return r;
}

int Usage() {
  std::fprintf(stderr,
               "usage: handoff_eval [--config F] [--detector SPEC] [--cameras N] [--gap FRAC]\n"
               "                    [--max-transit S] [--verbose] NAME=VIDEO:GT ...\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--config") {
      o.config = next();
    } else if (a == "--detector") {
      o.detector = next();
    } else if (a == "--cameras") {
      o.cameras = std::atoi(next().c_str());
    } else if (a == "--gap") {
      o.gap = std::atof(next().c_str());
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--max-transit") {
      o.max_transit_s = std::atof(next().c_str());
    } else if (const auto eq = a.find('='), colon = a.rfind(':');
               eq != std::string::npos && colon != std::string::npos && colon > eq) {
      o.clips.push_back({a.substr(0, eq), a.substr(eq + 1, colon - eq - 1), a.substr(colon + 1)});
    } else {
      return Usage();
    }
  }
  if (o.clips.empty() || o.cameras < 2 || !(o.gap >= 0 && o.gap < 0.5)) return Usage();
  config::Config cfg;
  if (!o.config.empty()) {
    config::Diagnostics diag;
    auto loaded = config::LoadConfig(o.config, &diag);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s%s\n", diag.ToString().c_str(), loaded.status().message().c_str());
      return 1;
    }
    cfg = std::move(loaded).value();
  }
  if (cfg.cameras.empty()) cfg.cameras.push_back(config::CameraConfig{.name = "scene"});

  std::printf("%d virtual cameras, blind gap %.0f%% of the width between neighbours, detector %s\n",
              o.cameras, 100 * o.gap, o.detector.empty() ? "(config)" : o.detector.c_str());
  std::printf("%-16s %-10s %8s %7s %8s %6s %6s %6s %6s\n", "clip", "linker", "passages", "tracked",
              "correct%", "links", "wrong%", "IDF1", "IDSW");
  for (const Clip& c : o.clips) {
    auto gt = track::ReadMotFile(c.gt);
    if (!gt.ok()) {
      std::fprintf(stderr, "%s\n", gt.status().message().c_str());
      return 1;
    }
    Recording rec;
    if (!Record(c, o, cfg, &rec)) return 2;
    for (const char* mode : {"none", "time", "appearance", "both"}) {
      const Result r = Evaluate(rec, *gt, mode, o.max_transit_s, o.verbose);
      std::printf("%-16s %-10s %8d %7d %8.1f %6d %6.1f %6.1f %6lld\n", c.name.c_str(), mode,
                  r.passages, r.tracked, r.tracked ? 100.0 * r.correct / r.tracked : 0.0, r.links,
                  r.links ? 100.0 * r.wrong / r.links : 0.0, 100 * r.idf1,
                  static_cast<long long>(r.idsw));
    }
    std::printf("%-16s pipeline CPU %.1f s for %zu frames x %d cameras\n", c.name.c_str(),
                rec.cpu_s, rec.frames.size(), o.cameras);
  }
  std::printf(
      "passages: a ground-truth person crossing the gap into the next strip; tracked: Argus\n"
      "tracked them on both sides; correct: their two tracks got the same global id; links:\n"
      "cross-camera links made; wrong: links joining two different people (or a false track).\n");
  return 0;
}
