#include "track/mot_metrics.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

namespace argus::track {
namespace {

constexpr double kEps = DBL_EPSILON;  // np.finfo('float').eps

// MOT16/17/20 class ids (TrackEval's class_name_to_class_id).
constexpr int kPedestrian = 1;
constexpr int kMaxClass = 13;
bool IsDistractor(int c) { return c == 2 || c == 7 || c == 8 || c == 12; }

double AlphaAt(int a) { return 0.05 + a * 0.05; }  // np.arange(0.05, 0.99, 0.05)

uint64_t PairKey(int g, int t) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(g)) << 32) | static_cast<uint32_t>(t);
}

bool LooksLikeMot17(const std::vector<MotRow>& gt) {
  if (gt.empty()) return false;
  for (const MotRow& r : gt) {
    const double c = r.extra[0];
    if (r.columns < 8 || c != std::floor(c) || c < 1 || c > kMaxClass) return false;
  }
  return true;
}

// Relabels ids to 0..n-1 in increasing order of the original id.
int Relabel(std::vector<std::vector<int>>& ids) {
  std::set<int> unique;
  for (const auto& frame : ids) unique.insert(frame.begin(), frame.end());
  std::unordered_map<int, int> map;
  int next = 0;
  for (int id : unique) map[id] = next++;
  for (auto& frame : ids) {
    for (int& id : frame) id = map[id];
  }
  return next;
}

}  // namespace

double TrackEvalIoU(const core::Box& a, const core::Box& b) {
  const double ax1 = a.x + a.w, ay1 = a.y + a.h;
  const double bx1 = b.x + b.w, by1 = b.y + b.h;
  double inter = std::max(std::min(ax1, bx1) - std::max(a.x, b.x), 0.0) *
                 std::max(std::min(ay1, by1) - std::max(a.y, b.y), 0.0);
  const double area_a = (ax1 - a.x) * (ay1 - a.y);
  const double area_b = (bx1 - b.x) * (by1 - b.y);
  double uni = area_a + area_b - inter;
  if (area_a <= kEps || area_b <= kEps || uni <= kEps) inter = 0;
  if (uni <= kEps) uni = 1;
  return inter / uni;
}

core::Result<SequenceData> PrepareSequence(const std::vector<MotRow>& gt,
                                           const std::vector<MotRow>& results,
                                           const EvalOptions& options) {
  int frames = options.num_frames;
  if (frames <= 0) {
    for (const MotRow& r : gt) frames = std::max(frames, r.frame);
    for (const MotRow& r : results) frames = std::max(frames, r.frame);
  } else {
    for (const auto* rows : {&gt, &results}) {
      for (const MotRow& r : *rows) {
        if (r.frame > frames) {
          return core::InvalidArgument(std::string(rows == &gt ? "ground truth" : "results") +
                                       " has frame " + std::to_string(r.frame) +
                                       " beyond the sequence length " + std::to_string(frames));
        }
      }
    }
  }
  const bool mot17 = options.benchmark == MotBenchmark::kMot17 ||
                     (options.benchmark == MotBenchmark::kAuto && LooksLikeMot17(gt));
  if (mot17) {
    for (const MotRow& r : gt) {
      const double c = r.extra[0];
      if (r.columns < 8 || c != std::floor(c) || c < 1 || c > kMaxClass) {
        return core::InvalidArgument("ground truth frame " + std::to_string(r.frame) +
                                     ": invalid class for MOT16/17 rules");
      }
    }
  }

  std::vector<std::vector<const MotRow*>> gt_by_frame(frames), res_by_frame(frames);
  for (const MotRow& r : gt) gt_by_frame[r.frame - 1].push_back(&r);
  for (const MotRow& r : results) res_by_frame[r.frame - 1].push_back(&r);

  SequenceData d;
  d.num_timesteps = frames;
  d.gt_ids.resize(frames);
  d.tracker_ids.resize(frames);
  d.similarity.resize(frames);
  for (int t = 0; t < frames; ++t) {
    const auto& g = gt_by_frame[t];
    const auto& r = res_by_frame[t];
    for (const auto* rows : {&g, &r}) {
      std::set<int> seen;
      for (const MotRow* row : *rows) {
        if (!seen.insert(row->id).second) {
          return core::InvalidArgument(std::string(rows == &g ? "ground truth" : "results") +
                                       " frame " + std::to_string(t + 1) + ": id " +
                                       std::to_string(row->id) + " appears twice");
        }
      }
    }
    CostMatrix sim{static_cast<int>(g.size()), static_cast<int>(r.size()), {}};
    sim.v.resize(g.size() * r.size());
    for (size_t i = 0; i < g.size(); ++i) {
      for (size_t j = 0; j < r.size(); ++j) sim(i, j) = TrackEvalIoU(g[i]->box, r[j]->box);
    }
    // MOT16/17: tracker boxes matched (IoU >= 0.5) to distractor gt are removed.
    std::vector<char> drop(r.size(), 0);
    if (mot17 && !g.empty() && !r.empty()) {
      CostMatrix cost = sim;
      for (double& x : cost.v) x = (x < 0.5 - kEps) ? 0.0 : -x;
      const std::vector<int> match = SolveMinCostAssignment(cost);
      for (size_t i = 0; i < g.size(); ++i) {
        const int j = match[i];
        if (j >= 0 && -cost(i, j) > kEps && IsDistractor(static_cast<int>(g[i]->extra[0]))) {
          drop[j] = 1;
        }
      }
    }
    // Gt rows kept: active flag (truncated to int, as TrackEval) != 0, and for
    // MOT16/17 only pedestrians.
    std::vector<int> keep_g, keep_r;
    for (size_t i = 0; i < g.size(); ++i) {
      const bool active = static_cast<long long>(g[i]->conf) != 0;
      if (active && (!mot17 || static_cast<int>(g[i]->extra[0]) == kPedestrian))
        keep_g.push_back(i);
    }
    for (size_t j = 0; j < r.size(); ++j) {
      if (!drop[j]) keep_r.push_back(j);
    }
    CostMatrix& s = d.similarity[t];
    s.rows = static_cast<int>(keep_g.size());
    s.cols = static_cast<int>(keep_r.size());
    s.v.resize(keep_g.size() * keep_r.size());
    for (size_t i = 0; i < keep_g.size(); ++i) {
      d.gt_ids[t].push_back(g[keep_g[i]]->id);
      for (size_t j = 0; j < keep_r.size(); ++j) s(i, j) = sim(keep_g[i], keep_r[j]);
    }
    for (int j : keep_r) d.tracker_ids[t].push_back(r[j]->id);
    d.num_gt_dets += static_cast<int64_t>(keep_g.size());
    d.num_tracker_dets += static_cast<int64_t>(keep_r.size());
  }
  d.num_gt_ids = Relabel(d.gt_ids);
  d.num_tracker_ids = Relabel(d.tracker_ids);
  return d;
}

ClearCounts EvaluateClear(const SequenceData& data, double threshold) {
  ClearCounts res;
  if (data.num_tracker_dets == 0) {
    res.fn = data.num_gt_dets;
    res.ml = data.num_gt_ids;
    return res;
  }
  if (data.num_gt_dets == 0) {
    res.fp = data.num_tracker_dets;
    return res;
  }
  const int n_gt = data.num_gt_ids;
  std::vector<double> gt_id_count(n_gt, 0), gt_matched_count(n_gt, 0), gt_frag_count(n_gt, 0);
  // IDSW counts against the last tracker matched to a gt id at any earlier
  // time; the matching bonus only continues matches of the previous timestep.
  std::vector<int> prev_tracker_id(n_gt, -1), prev_timestep_tracker_id(n_gt, -1);
  for (int t = 0; t < data.num_timesteps; ++t) {
    const std::vector<int>& gt_ids = data.gt_ids[t];
    const std::vector<int>& tr_ids = data.tracker_ids[t];
    if (gt_ids.empty()) {
      res.fp += static_cast<int64_t>(tr_ids.size());
      continue;
    }
    if (tr_ids.empty()) {
      res.fn += static_cast<int64_t>(gt_ids.size());
      for (int g : gt_ids) gt_id_count[g] += 1;
      continue;
    }
    const CostMatrix& sim = data.similarity[t];
    CostMatrix score{sim.rows, sim.cols, std::vector<double>(sim.v.size())};
    CostMatrix cost = score;
    for (int i = 0; i < sim.rows; ++i) {
      for (int j = 0; j < sim.cols; ++j) {
        double s = (tr_ids[j] == prev_timestep_tracker_id[gt_ids[i]] ? 1000.0 : 0.0) + sim(i, j);
        if (sim(i, j) < threshold - kEps) s = 0;
        score(i, j) = s;
        cost(i, j) = -s;
      }
    }
    const std::vector<int> match = SolveMinCostAssignment(cost);
    std::vector<std::pair<int, int>> matched;  // (row, col)
    for (int i = 0; i < sim.rows; ++i) {
      if (match[i] >= 0 && score(i, match[i]) > kEps) matched.emplace_back(i, match[i]);
    }
    for (const auto& [i, j] : matched) {
      const int prev = prev_tracker_id[gt_ids[i]];
      if (prev >= 0 && prev != tr_ids[j]) ++res.idsw;
    }
    for (int g : gt_ids) gt_id_count[g] += 1;
    std::vector<char> not_previously_tracked(n_gt);
    for (int g = 0; g < n_gt; ++g) not_previously_tracked[g] = prev_timestep_tracker_id[g] < 0;
    std::fill(prev_timestep_tracker_id.begin(), prev_timestep_tracker_id.end(), -1);
    for (const auto& [i, j] : matched) {
      gt_matched_count[gt_ids[i]] += 1;
      prev_tracker_id[gt_ids[i]] = tr_ids[j];
      prev_timestep_tracker_id[gt_ids[i]] = tr_ids[j];
      if (not_previously_tracked[gt_ids[i]]) gt_frag_count[gt_ids[i]] += 1;
      res.motp_sum += sim(i, j);
    }
    const int64_t num_matches = static_cast<int64_t>(matched.size());
    res.tp += num_matches;
    res.fn += static_cast<int64_t>(gt_ids.size()) - num_matches;
    res.fp += static_cast<int64_t>(tr_ids.size()) - num_matches;
  }
  for (int g = 0; g < n_gt; ++g) {
    if (gt_id_count[g] > 0) {
      const double ratio = gt_matched_count[g] / gt_id_count[g];
      if (ratio > 0.8) {
        ++res.mt;
      } else if (ratio >= 0.2) {
        ++res.pt;
      }
    }
    if (gt_frag_count[g] > 0) res.frag += static_cast<int64_t>(gt_frag_count[g]) - 1;
  }
  res.ml = n_gt - res.mt - res.pt;
  res.frames = data.num_timesteps;
  return res;
}

IdentityCounts EvaluateIdentity(const SequenceData& data, double threshold) {
  IdentityCounts res;
  if (data.num_tracker_dets == 0) {
    res.idfn = data.num_gt_dets;
    return res;
  }
  if (data.num_gt_dets == 0) {
    res.idfp = data.num_tracker_dets;
    return res;
  }
  // TrackEval solves the (G+T)^2 problem with fn/fp costs; its optimum matches
  // gt and tracker ids to maximise the frames they overlap (IDTP), and
  // IDFN = gt dets - IDTP, IDFP = tracker dets - IDTP. Solving the G x T
  // max-weight matching gives the same optimum with far less work.
  std::unordered_map<uint64_t, double> potential;
  for (int t = 0; t < data.num_timesteps; ++t) {
    const CostMatrix& sim = data.similarity[t];
    for (int i = 0; i < sim.rows; ++i) {
      for (int j = 0; j < sim.cols; ++j) {
        if (sim(i, j) >= threshold) {
          potential[PairKey(data.gt_ids[t][i], data.tracker_ids[t][j])] += 1;
        }
      }
    }
  }
  std::vector<Edge> edges;
  edges.reserve(potential.size());
  for (const auto& [key, count] : potential) {
    edges.push_back({static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffu), count});
  }
  const std::vector<Match> matches =
      SparseMaxWeightMatching(data.num_gt_ids, data.num_tracker_ids, edges);
  int64_t idtp = 0;
  for (const auto& [g, tr] : matches) {
    idtp += static_cast<int64_t>(potential[PairKey(g, tr)]);
  }
  res.idtp = idtp;
  res.idfn = data.num_gt_dets - idtp;
  res.idfp = data.num_tracker_dets - idtp;
  return res;
}

HotaCounts EvaluateHota(const SequenceData& data) {
  HotaCounts res;
  if (data.num_tracker_dets == 0) {
    res.fn.fill(static_cast<double>(data.num_gt_dets));
    res.loc_a.fill(1.0);
    return res;
  }
  if (data.num_gt_dets == 0) {
    res.fp.fill(static_cast<double>(data.num_tracker_dets));
    res.loc_a.fill(1.0);
    return res;
  }
  std::unordered_map<uint64_t, double> potential;
  std::vector<double> gt_id_count(data.num_gt_ids, 0), tr_id_count(data.num_tracker_ids, 0);
  for (int t = 0; t < data.num_timesteps; ++t) {
    const CostMatrix& sim = data.similarity[t];
    std::vector<double> row_sum(sim.rows, 0), col_sum(sim.cols, 0);
    for (int i = 0; i < sim.rows; ++i) {
      for (int j = 0; j < sim.cols; ++j) {
        row_sum[i] += sim(i, j);
        col_sum[j] += sim(i, j);
      }
    }
    for (int i = 0; i < sim.rows; ++i) {
      for (int j = 0; j < sim.cols; ++j) {
        const double denom = col_sum[j] + row_sum[i] - sim(i, j);
        const double v = denom > kEps ? sim(i, j) / denom : 0.0;
        if (v != 0) potential[PairKey(data.gt_ids[t][i], data.tracker_ids[t][j])] += v;
      }
    }
    for (int g : data.gt_ids[t]) gt_id_count[g] += 1;
    for (int k : data.tracker_ids[t]) tr_id_count[k] += 1;
  }
  auto alignment = [&](int g, int k) {
    auto it = potential.find(PairKey(g, k));
    if (it == potential.end()) return 0.0;
    return it->second / (gt_id_count[g] + tr_id_count[k] - it->second);
  };

  std::unordered_map<uint64_t, std::array<double, kNumAlphas>> matches_counts;
  for (int t = 0; t < data.num_timesteps; ++t) {
    const std::vector<int>& gt_ids = data.gt_ids[t];
    const std::vector<int>& tr_ids = data.tracker_ids[t];
    if (gt_ids.empty()) {
      for (double& x : res.fp) x += static_cast<double>(tr_ids.size());
      continue;
    }
    if (tr_ids.empty()) {
      for (double& x : res.fn) x += static_cast<double>(gt_ids.size());
      continue;
    }
    const CostMatrix& sim = data.similarity[t];
    CostMatrix cost{sim.rows, sim.cols, std::vector<double>(sim.v.size())};
    for (int i = 0; i < sim.rows; ++i) {
      for (int j = 0; j < sim.cols; ++j) cost(i, j) = -alignment(gt_ids[i], tr_ids[j]) * sim(i, j);
    }
    const std::vector<int> match = SolveMinCostAssignment(cost);
    for (int a = 0; a < kNumAlphas; ++a) {
      const double alpha = AlphaAt(a);
      int num_matches = 0;
      for (int i = 0; i < sim.rows; ++i) {
        const int j = match[i];
        if (j < 0 || !(sim(i, j) >= alpha - kEps)) continue;
        ++num_matches;
        res.loc_a[a] += sim(i, j);
        matches_counts[PairKey(gt_ids[i], tr_ids[j])][a] += 1;
      }
      res.tp[a] += num_matches;
      res.fn[a] += static_cast<double>(gt_ids.size()) - num_matches;
      res.fp[a] += static_cast<double>(tr_ids.size()) - num_matches;
    }
  }
  for (const auto& [key, counts] : matches_counts) {
    const int g = static_cast<int>(key >> 32);
    const int k = static_cast<int>(key & 0xffffffffu);
    for (int a = 0; a < kNumAlphas; ++a) {
      const double m = counts[a];
      if (m == 0) continue;
      res.ass_a[a] += m * (m / std::max(1.0, gt_id_count[g] + tr_id_count[k] - m));
      res.ass_re[a] += m * (m / std::max(1.0, gt_id_count[g]));
      res.ass_pr[a] += m * (m / std::max(1.0, tr_id_count[k]));
    }
  }
  for (int a = 0; a < kNumAlphas; ++a) {
    const double tp = std::max(1.0, res.tp[a]);
    res.ass_a[a] /= tp;
    res.ass_re[a] /= tp;
    res.ass_pr[a] /= tp;
    res.loc_a[a] = std::max(1e-10, res.loc_a[a]) / std::max(1e-10, res.tp[a]);
  }
  return res;
}

MotCounts EvaluateSequence(const SequenceData& data, const EvalOptions& options) {
  return {EvaluateClear(data, options.iou_threshold), EvaluateIdentity(data, options.iou_threshold),
          EvaluateHota(data)};
}

MotCounts Combine(const std::vector<MotCounts>& sequences) {
  MotCounts out;
  ClearCounts& c = out.clear;
  IdentityCounts& id = out.identity;
  HotaCounts& h = out.hota;
  AlphaArray loca_weighted{};
  for (const MotCounts& s : sequences) {
    c.tp += s.clear.tp;
    c.fn += s.clear.fn;
    c.fp += s.clear.fp;
    c.idsw += s.clear.idsw;
    c.mt += s.clear.mt;
    c.pt += s.clear.pt;
    c.ml += s.clear.ml;
    c.frag += s.clear.frag;
    c.frames += s.clear.frames;
    c.motp_sum += s.clear.motp_sum;
    id.idtp += s.identity.idtp;
    id.idfn += s.identity.idfn;
    id.idfp += s.identity.idfp;
    for (int a = 0; a < kNumAlphas; ++a) {
      h.tp[a] += s.hota.tp[a];
      h.fn[a] += s.hota.fn[a];
      h.fp[a] += s.hota.fp[a];
      h.ass_a[a] += s.hota.ass_a[a] * s.hota.tp[a];
      h.ass_re[a] += s.hota.ass_re[a] * s.hota.tp[a];
      h.ass_pr[a] += s.hota.ass_pr[a] * s.hota.tp[a];
      loca_weighted[a] += s.hota.loc_a[a] * s.hota.tp[a];
    }
  }
  for (int a = 0; a < kNumAlphas; ++a) {
    const double tp = std::max(1.0, h.tp[a]);
    h.ass_a[a] /= tp;
    h.ass_re[a] /= tp;
    h.ass_pr[a] /= tp;
    h.loc_a[a] = std::max(1e-10, loca_weighted[a]) / std::max(1e-10, h.tp[a]);
  }
  return out;
}

MotSummary Summarize(const MotCounts& counts) {
  MotSummary s;
  const ClearCounts& c = counts.clear;
  const double gt = std::max(1.0, static_cast<double>(c.tp + c.fn));
  s.tp = c.tp;
  s.fp = c.fp;
  s.fn = c.fn;
  s.idsw = c.idsw;
  s.frag = c.frag;
  s.mt = c.mt;
  s.pt = c.pt;
  s.ml = c.ml;
  s.mota = static_cast<double>(c.tp - c.fp - c.idsw) / gt;
  s.moda = static_cast<double>(c.tp - c.fp) / gt;
  s.motp = c.motp_sum / std::max(1.0, static_cast<double>(c.tp));
  s.recall = static_cast<double>(c.tp) / gt;
  s.precision = static_cast<double>(c.tp) / std::max(1.0, static_cast<double>(c.tp + c.fp));

  const IdentityCounts& id = counts.identity;
  s.idtp = id.idtp;
  s.idfp = id.idfp;
  s.idfn = id.idfn;
  const double idtp = static_cast<double>(id.idtp);
  s.idr = idtp / std::max(1.0, idtp + static_cast<double>(id.idfn));
  s.idp = idtp / std::max(1.0, idtp + static_cast<double>(id.idfp));
  s.idf1 = idtp / std::max(1.0, idtp + 0.5 * static_cast<double>(id.idfp + id.idfn));

  const HotaCounts& h = counts.hota;
  for (int a = 0; a < kNumAlphas; ++a) {
    const double detre = h.tp[a] / std::max(1.0, h.tp[a] + h.fn[a]);
    const double detpr = h.tp[a] / std::max(1.0, h.tp[a] + h.fp[a]);
    const double deta = h.tp[a] / std::max(1.0, h.tp[a] + h.fn[a] + h.fp[a]);
    const double hota = std::sqrt(deta * h.ass_a[a]);
    s.hota_per_alpha[a] = hota;
    s.hota += hota / kNumAlphas;
    s.deta += deta / kNumAlphas;
    s.detre += detre / kNumAlphas;
    s.detpr += detpr / kNumAlphas;
    s.assa += h.ass_a[a] / kNumAlphas;
    s.assre += h.ass_re[a] / kNumAlphas;
    s.asspr += h.ass_pr[a] / kNumAlphas;
    s.loca += h.loc_a[a] / kNumAlphas;
  }
  s.hota0 = s.hota_per_alpha[0];
  s.loca0 = h.loc_a[0];
  return s;
}

}  // namespace argus::track
