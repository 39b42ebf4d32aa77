// `argus track`: the tracker alone on MOTChallenge detections (det.txt), writing
// MOTChallenge results. Time is frame / fps, so max age in seconds means the
// same thing at every frame rate.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/command.h"
#include "core/status.h"
#include "track/byte_tracker.h"
#include "track/mot_io.h"
#include "track/sort_tracker.h"

namespace argus::app {
namespace {

constexpr double kDefaultFps = 25.0;

struct TrackOptions {
  std::string det;
  std::string out;
  double min_score = 0;
  double fps = 0;  // 0: from seqinfo.ini, else kDefaultFps
  std::string tracker = "bytetrack";
  bool stats = false;
  bool no_fuse_score = false;
  track::ByteTrackParams byte;
  track::SortParams sort;
};

// CPU time of the calling thread: the per-core cost, whatever else runs.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int Fail(int code, const std::string& message) {
  std::cerr << "argus track: " << message << "\n";
  return code;
}

int RunTrack(const TrackOptions& o) {
  auto rows = track::ReadMotFile(o.det);
  if (!rows.ok()) return Fail(kExitBadInput, rows.status().message());

  double fps = o.fps;
  int num_frames = 0;
  if (const std::string ini = track::FindSeqInfo(o.det); !ini.empty()) {
    auto info = track::ReadSeqInfo(ini);
    if (!info.ok()) return Fail(kExitBadInput, info.status().message());
    if (fps <= 0) fps = info->frame_rate;
    num_frames = info->seq_length;
  }
  if (fps <= 0) fps = kDefaultFps;

  // Detections per frame; frames with none still advance the tracker's clock.
  std::map<int, std::vector<track::Detection>> by_frame;
  for (const track::MotRow& r : *rows) {
    num_frames = std::max(num_frames, r.frame);
    if (r.conf < o.min_score) continue;
    by_frame[r.frame].push_back({r.box, static_cast<float>(r.conf), "person"});
  }
  std::vector<std::vector<track::Detection>> frames(num_frames);
  for (auto& [f, dets] : by_frame) frames[f - 1] = std::move(dets);

  std::unique_ptr<track::Tracker> tracker =
      o.tracker == "sort" ? track::MakeSortTracker(o.sort) : track::MakeByteTracker(o.byte);
  std::vector<std::vector<track::Track>> outputs(num_frames);
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  for (int f = 0; f < num_frames; ++f) outputs[f] = tracker->Update(frames[f], f / fps);
  const double cpu_seconds = ThreadCpuSeconds() - cpu_start;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<track::MotRow> results;
  for (int f = 0; f < num_frames; ++f) {
    for (const track::Track& t : outputs[f]) {
      track::MotRow r;
      r.frame = f + 1;
      r.id = t.id;
      r.box = t.box;
      r.conf = t.score;
      results.push_back(r);
    }
  }
  if (const core::Status s = track::WriteFileAtomically(o.out, track::FormatMotResults(results));
      !s.ok()) {
    return Fail(kExitRuntime, s.message());
  }
  if (o.stats) {
    std::fprintf(stderr,
                 "argus track: tracker=%s frames=%d detections=%zu results=%zu fps=%.3g "
                 "tracking_wall_s=%.6f tracking_cpu_s=%.6f frames_per_cpu_s=%.0f\n",
                 o.tracker.c_str(), num_frames, rows->size(), results.size(), fps, seconds,
                 cpu_seconds, cpu_seconds > 0 ? num_frames / cpu_seconds : 0.0);
  }
  return kExitOk;
}

const CommandRegistrar kTrack("track", [](CLI::App& parent) {
  auto o = std::make_shared<TrackOptions>();
  CLI::App* cmd = parent.add_subcommand("track", "Run the tracker on MOTChallenge detections");
  cmd->add_option("--det", o->det, "MOTChallenge det.txt")->required();
  cmd->add_option("--out", o->out, "results file (MOTChallenge format), written atomically")
      ->required();
  cmd->add_option("--min-score", o->min_score, "drop detections scoring below this")
      ->capture_default_str();
  cmd->add_option("--fps", o->fps, "detection rate; default: seqinfo.ini beside det/, else 25")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tracker", o->tracker, "bytetrack or sort (baseline)")
      ->check(CLI::IsMember({"bytetrack", "sort"}))
      ->capture_default_str();
  cmd->add_flag("--stats", o->stats, "print the tracking-only time and rate on stderr");
  // ByteTrack tuning knobs (defaults in track/byte_tracker.h).
  track::ByteTrackParams& b = o->byte;
  cmd->add_option("--high-score", b.high_score, "ByteTrack: first-association score")
      ->capture_default_str();
  cmd->add_option("--low-score", b.low_score, "ByteTrack: lowest score used at all")
      ->capture_default_str();
  cmd->add_option("--birth-score", b.birth_score, "ByteTrack: score to start a track")
      ->capture_default_str();
  cmd->add_option("--match-iou", b.first_match_iou, "ByteTrack: first-stage minimum similarity")
      ->capture_default_str();
  cmd->add_option("--second-iou", b.second_match_iou, "ByteTrack: low-score minimum IoU")
      ->capture_default_str();
  cmd->add_option("--unconfirmed-iou", b.unconfirmed_match_iou,
                  "ByteTrack: minimum similarity for unconfirmed tracks")
      ->capture_default_str();
  cmd->add_option("--lost-buffer", b.lost_buffer,
                  "ByteTrack: box enlargement for re-finding lost tracks (0: off)")
      ->capture_default_str();
  cmd->add_option("--lost-iou", b.lost_match_iou,
                  "ByteTrack: minimum buffered similarity to re-find a lost track")
      ->capture_default_str();
  cmd->add_option("--min-hits", b.min_hits, "ByteTrack: detections to confirm a track")
      ->capture_default_str();
  cmd->add_option("--max-age", b.max_age_seconds, "ByteTrack: seconds a lost track is kept")
      ->capture_default_str();
  cmd->add_option("--max-lost-updates", b.max_lost_updates,
                  "ByteTrack: also drop a lost track after this many missed updates (0: off)")
      ->capture_default_str();
  cmd->add_option("--duplicate-iou", b.duplicate_iou,
                  "ByteTrack: IoU above which a lost twin of a tracked track is dropped (0: off)")
      ->capture_default_str();
  cmd->add_flag("--detection-box", b.report_detection_box,
                "ByteTrack: report the matched detection box, not the filtered box");
  cmd->add_option("--kf-position-noise", b.kalman.std_weight_position,
                  "ByteTrack: Kalman position noise, fraction of box height")
      ->capture_default_str();
  cmd->add_option("--kf-velocity-noise", b.kalman.std_weight_velocity,
                  "ByteTrack: Kalman velocity noise, fraction of box height per reference frame")
      ->capture_default_str();
  cmd->add_flag("--tracked-first", b.tracked_first,
                "ByteTrack: match tracks seen last update before lost tracks");
  cmd->add_option("--lost-first-iou", b.lost_first_match_iou,
                  "ByteTrack: with --tracked-first, minimum similarity for lost tracks")
      ->capture_default_str();
  cmd->add_flag("--no-fuse-score", o->no_fuse_score,
                "ByteTrack: do not weight IoU by the detection score");
  return [o] {
    if (o->no_fuse_score) o->byte.fuse_score = false;
    return RunTrack(*o);
  };
});

}  // namespace
}  // namespace argus::app
