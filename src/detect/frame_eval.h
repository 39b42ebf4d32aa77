// Frame-by-frame detection quality against ground truth (no identities):
// greedy one-to-one matching at an IoU threshold. MODA = 1 - (FN + FP) / GT is
// an upper bound of the MOTA a tracker can reach on these detections.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"

namespace argus::detect {

struct FrameEvalStats {
  int frames = 0;
  int gt = 0;
  int tp = 0;
  int fp = 0;
  int fn = 0;
  double iou_sum = 0;  // over true positives
  double Precision() const { return tp + fp > 0 ? double(tp) / (tp + fp) : 0; }
  double Recall() const { return gt > 0 ? double(tp) / gt : 0; }
  double Moda() const { return gt > 0 ? 1.0 - double(fn + fp) / gt : 0; }
  double MeanIoU() const { return tp > 0 ? iou_sum / tp : 0; }
};

// Matches one frame. Unmatched detections that cover an `ignore` box (a
// ground-truth entry marked as not to be evaluated) at `iou` are not false positives.
void AccumulateFrame(const std::vector<core::Box>& gt, const std::vector<core::Box>& ignore,
                     const std::vector<core::Box>& det, double iou, FrameEvalStats* stats);

// MOTChallenge ground truth by frame: `evaluated` holds boxes with conf != 0,
// `ignored` those with conf == 0.
struct MotGroundTruth {
  std::map<int, std::vector<core::Box>> evaluated;
  std::map<int, std::vector<core::Box>> ignored;
};
core::Result<MotGroundTruth> ReadMotGroundTruth(const std::string& path);

}  // namespace argus::detect
