// CLEAR MOT, identity (IDF1) and HOTA metrics, computed as TrackEval does
// (JonathonLuiten/TrackEval: metrics/clear.py, identity.py, hota.py and the
// MOTChallenge preprocessing of datasets/mot_challenge_2d_box.py).
// Pure functions: callable from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "track/assignment.h"
#include "track/mot_io.h"

namespace argus::track {

enum class MotBenchmark {
  kAuto,   // MOT17 rules when every gt row has a class in 1..13, else MOT15 rules
  kMot15,  // keep gt rows whose active flag (column 7) is not 0; no classes
  kMot17,  // MOT16/17/20: pedestrians only, drop tracker boxes on distractors
};

struct EvalOptions {
  static constexpr double kDefaultIouThreshold = 0.5;
  // Matching threshold of CLEAR and identity metrics (HOTA sweeps its own).
  double iou_threshold = kDefaultIouThreshold;
  MotBenchmark benchmark = MotBenchmark::kAuto;
  // Number of frames (seqLength); 0 = the last frame seen in gt or results.
  // Rows beyond it are an error, as in TrackEval.
  int num_frames = 0;
};

// TrackEval's preprocessed sequence: contiguous ids per frame and gt x tracker IoU.
struct SequenceData {
  int num_timesteps = 0;
  int num_gt_ids = 0;
  int num_tracker_ids = 0;
  int64_t num_gt_dets = 0;
  int64_t num_tracker_dets = 0;
  std::vector<std::vector<int>> gt_ids;       // per frame
  std::vector<std::vector<int>> tracker_ids;  // per frame
  std::vector<CostMatrix> similarity;         // per frame, gt rows x tracker cols
};

core::Result<SequenceData> PrepareSequence(const std::vector<MotRow>& gt,
                                           const std::vector<MotRow>& results,
                                           const EvalOptions& options);

// IoU of two xywh boxes exactly as TrackEval's _calculate_box_ious.
double TrackEvalIoU(const core::Box& a, const core::Box& b);

inline constexpr int kNumAlphas = 19;  // HOTA alpha = 0.05, 0.10, ..., 0.95
using AlphaArray = std::array<double, kNumAlphas>;

// Additive counts per sequence; Combine() sums them like TrackEval's
// combine_sequences, and the derived figures are computed from the sums.
struct ClearCounts {
  int64_t tp = 0, fn = 0, fp = 0, idsw = 0, mt = 0, pt = 0, ml = 0, frag = 0, frames = 0;
  double motp_sum = 0;
};
struct IdentityCounts {
  int64_t idtp = 0, idfn = 0, idfp = 0;
};
struct HotaCounts {
  AlphaArray tp{}, fn{}, fp{};
  // Per-alpha association scores and LocA, each weighted by tp when combined.
  AlphaArray ass_a{}, ass_re{}, ass_pr{}, loc_a{};
};

struct MotCounts {
  ClearCounts clear;
  IdentityCounts identity;
  HotaCounts hota;
};

// Final figures (fractions, not percent).
struct MotSummary {
  double mota = 0, motp = 0, moda = 0, recall = 0, precision = 0;
  int64_t tp = 0, fp = 0, fn = 0, idsw = 0, frag = 0, mt = 0, pt = 0, ml = 0;
  double idf1 = 0, idp = 0, idr = 0;
  int64_t idtp = 0, idfp = 0, idfn = 0;
  double hota = 0, deta = 0, assa = 0, detre = 0, detpr = 0, assre = 0, asspr = 0, loca = 0;
  double hota0 = 0, loca0 = 0;
  AlphaArray hota_per_alpha{};
};

ClearCounts EvaluateClear(const SequenceData& data, double threshold);
IdentityCounts EvaluateIdentity(const SequenceData& data, double threshold);
HotaCounts EvaluateHota(const SequenceData& data);
MotCounts EvaluateSequence(const SequenceData& data, const EvalOptions& options);

MotCounts Combine(const std::vector<MotCounts>& sequences);
MotSummary Summarize(const MotCounts& counts);

}  // namespace argus::track
