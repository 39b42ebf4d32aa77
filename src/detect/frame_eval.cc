#include "detect/frame_eval.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

namespace argus::detect {

void AccumulateFrame(const std::vector<core::Box>& gt, const std::vector<core::Box>& ignore,
                     const std::vector<core::Box>& det, double iou, FrameEvalStats* st) {
  ++st->frames;
  st->gt += static_cast<int>(gt.size());
  std::vector<std::tuple<double, size_t, size_t>> pairs;  // (iou, gt, det)
  for (size_t g = 0; g < gt.size(); ++g) {
    for (size_t d = 0; d < det.size(); ++d) {
      const double v = core::IoU(gt[g], det[d]);
      if (v >= iou) pairs.emplace_back(v, g, d);
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<bool> gt_used(gt.size()), det_used(det.size());
  for (const auto& [v, g, d] : pairs) {
    if (gt_used[g] || det_used[d]) continue;
    gt_used[g] = det_used[d] = true;
    ++st->tp;
    st->iou_sum += v;
  }
  st->fn += static_cast<int>(std::count(gt_used.begin(), gt_used.end(), false));
  for (size_t d = 0; d < det.size(); ++d) {
    if (det_used[d]) continue;
    const bool ignored = std::any_of(ignore.begin(), ignore.end(), [&](const core::Box& b) {
      return core::IoU(b, det[d]) >= iou;
    });
    if (!ignored) ++st->fp;
  }
}

core::Result<MotGroundTruth> ReadMotGroundTruth(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::NotFound("cannot open ground truth " + path);
  MotGroundTruth gt;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    int frame = 0, id = 0;
    core::Box b;
    double conf = 1;
    if (!(ss >> frame >> id >> b.x >> b.y >> b.w >> b.h)) {
      return core::InvalidArgument(path + ":" + std::to_string(line_no) +
                                   ": expected frame,id,x,y,w,h,...");
    }
    ss >> conf;
    (conf == 0 ? gt.ignored : gt.evaluated)[frame].push_back(b);
  }
  return gt;
}

}  // namespace argus::detect
