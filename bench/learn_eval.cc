// Measurement of unusual-activity detection (src/learn) on real tracks, for
// `make bench`: per sequence, every track is held out in turn, the model learns
// all the others, and the held-out track is scored as it is (normal) and as
// four anomalies built from it (src/learn/testing): reversed, sped up x3,
// stopped 30 s where nobody stops, moved onto a path nobody takes. Prints ROC
// AUC per anomaly type, alerts per 100 held-out normal tracks at the threshold,
// and the learner's cost per frame when run online over the whole sequence.
//
// usage: learn_eval [--grid COLS ROWS] [--threshold T] [--min-cell-tracks N] [--min-camera-tracks N] [--verbose]
//                   [--analysis-ms-per-frame MS] NAME=TRACKS_FILE:FPS:WIDTH:HEIGHT ...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "learn/learner.h"
#include "learn/mot_tracks.h"
#include "learn/scorer.h"
#include "learn/testing/anomalies.h"

namespace {

using argus::learn::TrackSample;
using Samples = std::vector<TrackSample>;

// Held-out tracks shorter than this are too short to judge (and to turn around).
constexpr double kMinTestSeconds = 3.0;
constexpr double kStopSeconds = 30.0;
constexpr int kSpeedUp = 3;

struct Seq {
  std::string name, file;
  double fps = 0;
  int w = 0, h = 0;
};

// The highest score the online learner would have reached: after every visit.
// With `why`, the explanation of that score.
double OnlineScore(const argus::learn::ActivityModel& m, const std::vector<argus::learn::Visit>& v,
                   const argus::learn::ScoreParams& p, std::string* why = nullptr) {
  double best = 0;
  std::vector<argus::learn::Visit> prefix;
  for (const auto& visit : v) {
    prefix.push_back(visit);
    auto worst = argus::learn::Worst(argus::learn::ScoreTrack(m, prefix, {}, p));
    if (worst && worst->score > best) {
      best = worst->score;
      if (why)
        *why = std::string(argus::learn::ToString(worst->reason)) + ": " + worst->explanation;
    }
  }
  return best;
}

// P(anomaly scores above normal), ties half.
double Auc(const std::vector<double>& normal, const std::vector<double>& anomalous) {
  double wins = 0;
  for (double a : anomalous) {
    for (double n : normal) wins += a > n ? 1 : a == n ? 0.5 : 0;
  }
  return normal.empty() || anomalous.empty() ? 0 : wins / (normal.size() * anomalous.size());
}

}  // namespace

int main(int argc, char** argv) {
  argus::config::LearnConfig cfg;
  cfg.min_cell_tracks = 3;  // these sequences hold tens of tracks, not thousands
  cfg.min_camera_tracks = 8;
  std::vector<Seq> seqs;
  bool verbose = false;
  double analysis_ms = 0;  // analysis CPU per frame, for the cost ratio
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--verbose") {
      verbose = true;
    } else if (a == "--analysis-ms-per-frame" && i + 1 < argc) {
      analysis_ms = std::atof(argv[++i]);
    } else if (a == "--grid" && i + 2 < argc) {
      cfg.grid_cols = std::atoi(argv[++i]);
      cfg.grid_rows = std::atoi(argv[++i]);
    } else if (a == "--threshold" && i + 1 < argc) {
      cfg.threshold = std::atof(argv[++i]);
    } else if (a == "--min-cell-tracks" && i + 1 < argc) {
      cfg.min_cell_tracks = std::atof(argv[++i]);
    } else if (a == "--min-camera-tracks" && i + 1 < argc) {
      cfg.min_camera_tracks = std::atof(argv[++i]);
    } else {
      Seq s;
      char name[256], file[4096];
      if (std::sscanf(a.c_str(), "%255[^=]=%4095[^:]:%lf:%d:%d", name, file, &s.fps, &s.w, &s.h) !=
          5) {
        std::fprintf(stderr, "learn_eval: bad sequence '%s' (NAME=FILE:FPS:W:H)\n", a.c_str());
        return 1;
      }
      s.name = name;
      s.file = file;
      seqs.push_back(s);
    }
  }
  argus::learn::ScoreParams params;
  params.min_cell_tracks = cfg.min_cell_tracks;
  params.min_camera_tracks = cfg.min_camera_tracks;
  std::printf("threshold %.2f, grid %dx%d, min_cell_tracks %.0f, min_camera_tracks %.0f\n",
              cfg.threshold, cfg.grid_cols, cfg.grid_rows, cfg.min_cell_tracks,
              cfg.min_camera_tracks);
  std::printf("%-20s %6s %5s %8s %8s %8s %8s %10s %9s %7s %8s\n", "sequence", "tracks", "held",
              "auc_rev", "auc_x3", "auc_stop", "auc_path", "alerts/100", "us/frame", "cost_%",
              "model_kB");
  for (const Seq& s : seqs) {
    auto rows = argus::track::ReadMotFile(s.file);
    if (!rows.ok()) {
      std::fprintf(stderr, "learn_eval: %s\n", rows.status().message().c_str());
      return 1;
    }
    const auto tracks = argus::learn::TracksFromMot(*rows, s.fps);
    const argus::learn::GridSize grid{cfg.grid_cols, cfg.grid_rows};
    std::map<int, std::vector<argus::learn::Visit>> visits;
    for (const auto& [id, t] : tracks) visits[id] = argus::learn::ExtractVisits(t, grid, s.w, s.h);

    std::vector<double> normal;
    std::vector<double> anomalous[4];
    for (const auto& [held, samples] : tracks) {
      if (samples.back().t - samples.front().t < kMinTestSeconds) continue;
      argus::learn::ActivityModel m(grid);
      for (const auto& [id, v] : visits) {
        if (id != held) m.AddTrack(v, {});
      }
      const Samples variants[4] = {
          argus::learn::testing::Reversed(samples),
          argus::learn::testing::SpedUp(samples, kSpeedUp),
          argus::learn::testing::Stopped(samples, m, s.w, s.h, kStopSeconds, 1 / s.fps),
          argus::learn::testing::MovedToEmptyPath(samples, m, s.w, s.h)};
      std::string why;
      normal.push_back(OnlineScore(m, visits[held], params, &why));
      if (verbose)
        std::printf("  %s track %d normal %.2f %s\n", s.name.c_str(), held, normal.back(),
                    why.c_str());
      for (int k = 0; k < 4; ++k) {
        anomalous[k].push_back(
            OnlineScore(m, argus::learn::ExtractVisits(variants[k], grid, s.w, s.h), params, &why));
        if (verbose) std::printf("    variant %d %.2f %s\n", k, anomalous[k].back(), why.c_str());
      }
    }
    int alerts = 0;
    for (double n : normal) alerts += n >= cfg.threshold;

    // Cost: the online learner over the whole sequence, frame by frame.
    std::map<int, Samples> by_frame;
    for (const auto& [id, t] : tracks) {
      for (const TrackSample& x : t)
        by_frame[static_cast<int>(std::lround(x.t * s.fps))].push_back(x);
    }
    argus::config::LearnConfig online = cfg;
    online.enabled = true;
    argus::learn::Learner learner(s.name, online, argus::learn::ActivityModel(grid));
    std::vector<argus::events::Event> out;
    const auto t0 = std::chrono::steady_clock::now();
    const argus::core::WallTime wall0{};
    for (const auto& [frame, samples] : by_frame) {
      const double t = frame / s.fps;
      learner.Observe(samples, s.w, s.h, t, frame,
                      wall0 + std::chrono::milliseconds(static_cast<int64_t>(t * 1000)), {}, &out);
    }
    learner.Finish(by_frame.rbegin()->first / s.fps, by_frame.rbegin()->first, &out);
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
        by_frame.size();
    std::printf("%-20s %6zu %5zu %8.3f %8.3f %8.3f %8.3f %10.1f %9.1f %7.3f %8.1f\n",
                s.name.c_str(), tracks.size(), normal.size(), Auc(normal, anomalous[0]),
                Auc(normal, anomalous[1]), Auc(normal, anomalous[2]), Auc(normal, anomalous[3]),
                normal.empty() ? 0.0 : 100.0 * alerts / normal.size(), us,
                analysis_ms > 0 ? 100 * us / 1000 / analysis_ms : 0.0,
                learner.model().Serialize().size() / 1024.0);
  }
  return 0;
}
