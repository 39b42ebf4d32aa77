#include "track/mot_metrics.h"

#include <gtest/gtest.h>

#include <random>

namespace argus::track {
namespace {

constexpr double kTol = 1e-6;
const core::Box kA{0, 0, 10, 10};
const core::Box kFar{100, 100, 10, 10};

MotRow Row(int frame, int id, core::Box box, double conf = 1, double cls = -1) {
  MotRow r;
  r.frame = frame;
  r.id = id;
  r.box = box;
  r.conf = conf;
  r.extra = {cls, -1, -1};
  r.columns = 10;
  return r;
}

MotCounts Evaluate(const std::vector<MotRow>& gt, const std::vector<MotRow>& res,
                   EvalOptions options = {}) {
  auto data = PrepareSequence(gt, res, options);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return EvaluateSequence(*data, options);
}

// Fixture 1: one person G1 over frames 1-6, always at box A.
//   tracker: f1 {1:A} f2 {1:A} f3 {3:far} f4 {2:A} f5 {2:A} f6 {2:A, 3:far}
// CLEAR: TP 5 (f1,f2,f4,f5,f6), FN 1 (f3), FP 2 (id 3 in f3 and f6),
//   IDSW 1 (f4: G1 was last matched to 1, now 2), MOTA = (5-2-1)/6 = 1/3, MOTP 1.
//   Frag: G1 starts being tracked in f1 and again in f4 -> 2 starts -> Frag 1.
//   MT: 5/6 > 0.8 -> MT 1.
// Identity: G1 has 6 dets; overlaps: (G1,1) 2 frames, (G1,2) 3 frames -> G1<->2,
//   IDTP 3, IDFN 6-3 = 3, IDFP 7-3 = 4, IDF1 = 3/(3+2+1.5) = 0.461538.
// HOTA (all IoUs are 0 or 1, so every alpha is the same): TP 5, FN 1, FP 2,
//   DetA = 5/8; AssA = [2*(2/(6+2-2)) + 3*(3/(6+3-3))]/5 = (2/3 + 3/2)/5 = 0.433333,
//   HOTA = sqrt(0.625*0.433333) = 0.520416; AssRe = same as AssA here (gt side),
//   AssPr = [2*(2/2) + 3*(3/3)]/5 = 1; LocA 1.
std::vector<MotRow> Fixture1Gt() {
  std::vector<MotRow> gt;
  for (int f = 1; f <= 6; ++f) gt.push_back(Row(f, 1, kA));
  return gt;
}
std::vector<MotRow> Fixture1Res(bool fp_in_frame3 = true) {
  std::vector<MotRow> r{Row(1, 1, kA), Row(2, 1, kA), Row(4, 2, kA),
                        Row(5, 2, kA), Row(6, 2, kA), Row(6, 3, kFar)};
  if (fp_in_frame3) r.push_back(Row(3, 3, kFar));
  return r;
}

TEST(MotMetrics, Fixture1IdSwitchFragmentationFalsePositivesAndMisses) {
  const MotSummary s = Summarize(Evaluate(Fixture1Gt(), Fixture1Res()));
  EXPECT_EQ(s.tp, 5);
  EXPECT_EQ(s.fn, 1);
  EXPECT_EQ(s.fp, 2);
  EXPECT_EQ(s.idsw, 1);
  EXPECT_EQ(s.frag, 1);
  EXPECT_EQ(s.mt, 1);
  EXPECT_EQ(s.pt, 0);
  EXPECT_EQ(s.ml, 0);
  EXPECT_NEAR(s.mota, 1.0 / 3, kTol);
  EXPECT_NEAR(s.motp, 1.0, kTol);
  EXPECT_EQ(s.idtp, 3);
  EXPECT_EQ(s.idfn, 3);
  EXPECT_EQ(s.idfp, 4);
  EXPECT_NEAR(s.idf1, 3 / 6.5, kTol);
  EXPECT_NEAR(s.idp, 3.0 / 7, kTol);
  EXPECT_NEAR(s.idr, 0.5, kTol);
  EXPECT_NEAR(s.deta, 0.625, kTol);
  EXPECT_NEAR(s.assa, 0.433333333, kTol);
  EXPECT_NEAR(s.assre, 0.433333333, kTol);
  EXPECT_NEAR(s.asspr, 1.0, kTol);
  EXPECT_NEAR(s.detre, 5.0 / 6, kTol);
  EXPECT_NEAR(s.detpr, 5.0 / 7, kTol);
  EXPECT_NEAR(s.hota, 0.520416500, kTol);
  EXPECT_NEAR(s.loca, 1.0, kTol);
}

TEST(MotMetrics, FrameWithoutTrackerBoxesDoesNotBreakContinuityAsInTrackEval) {
  // TrackEval skips a frame with no tracker boxes before it resets the
  // "tracked in the previous frame" state, so without the FP in frame 3 the
  // gap is not a fragmentation; the switch 1 -> 2 is still an IDSW.
  const MotSummary s = Summarize(Evaluate(Fixture1Gt(), Fixture1Res(false)));
  EXPECT_EQ(s.frag, 0);
  EXPECT_EQ(s.idsw, 1);
  EXPECT_EQ(s.fp, 1);
  EXPECT_EQ(s.fn, 1);
}

// Fixture 2: partial overlaps. G1 at A (10x10) in frames 1-2; tracker 1 is
// (0,0,10,5.2) in f1 (IoU 0.52) and (0,0,10,8.3) in f2 (IoU 0.83).
// CLEAR at 0.5: TP 2, MOTA 1, MOTP = (0.52+0.83)/2 = 0.675. IDF1 1.
// HOTA by alpha: alphas 0.05..0.50 (10): both match, DetA 1, AssA 1, LocA 0.675;
//   0.55..0.80 (6): only f2, TP 1 FN 1 FP 1, DetA 1/3, AssA 1/(2+2-1) = 1/3,
//   HOTA 1/3, LocA 0.83; 0.85..0.95 (3): nothing, HOTA 0, LocA 1 (TrackEval's 1e-10/1e-10).
//   HOTA = DetA = AssA = (10 + 6/3)/19 = 12/19 = 0.631579;
//   LocA = (10*0.675 + 6*0.83 + 3*1)/19 = 0.775263.
std::vector<MotRow> Fixture2Gt() { return {Row(1, 1, kA), Row(2, 1, kA)}; }
std::vector<MotRow> Fixture2Res() {
  return {Row(1, 1, {0, 0, 10, 5.2}), Row(2, 1, {0, 0, 10, 8.3})};
}

TEST(MotMetrics, Fixture2PartialOverlapForHotaAndLocA) {
  const MotCounts c = Evaluate(Fixture2Gt(), Fixture2Res());
  const MotSummary s = Summarize(c);
  EXPECT_EQ(s.tp, 2);
  EXPECT_NEAR(s.mota, 1.0, kTol);
  EXPECT_NEAR(s.motp, 0.675, kTol);
  EXPECT_NEAR(s.idf1, 1.0, kTol);
  EXPECT_NEAR(s.hota, 12.0 / 19, kTol);
  EXPECT_NEAR(s.deta, 12.0 / 19, kTol);
  EXPECT_NEAR(s.assa, 12.0 / 19, kTol);
  EXPECT_NEAR(s.loca, 0.775263158, kTol);
  EXPECT_NEAR(s.hota_per_alpha[9], 1.0, kTol);       // alpha 0.50
  EXPECT_NEAR(s.hota_per_alpha[10], 1.0 / 3, kTol);  // alpha 0.55
  EXPECT_NEAR(s.hota_per_alpha[15], 1.0 / 3, kTol);  // alpha 0.80
  EXPECT_NEAR(s.hota_per_alpha[16], 0.0, kTol);      // alpha 0.85
  EXPECT_NEAR(s.hota0, 1.0, kTol);
  EXPECT_NEAR(s.loca0, 0.675, kTol);
}

// Combining fixtures 1 and 2 as TrackEval combines sequences:
// CLEAR sums: TP 7, FN 1, FP 2, IDSW 1 -> MOTA (7-2-1)/8 = 0.5, MOTP (5+1.35)/7.
// IDTP 5, IDFN 3, IDFP 4 -> IDF1 5/8.5.
// HOTA per alpha, with AssA weighted by TP (fixture 1 AssA a1 = 0.433333):
//   a<=0.50: DetA 7/10, AssA (5*a1 + 2*1)/7;  0.55..0.80: DetA 6/11, AssA (5*a1 + 1/3)/6;
//   >=0.85: DetA 5/12, AssA a1. HOTA = mean of sqrt(DetA*AssA) = 0.557374.
TEST(MotMetrics, CombinedSequencesSumCountsAndWeightHotaPerAlpha) {
  const MotSummary s = Summarize(
      Combine({Evaluate(Fixture1Gt(), Fixture1Res()), Evaluate(Fixture2Gt(), Fixture2Res())}));
  EXPECT_EQ(s.tp, 7);
  EXPECT_NEAR(s.mota, 0.5, kTol);
  EXPECT_NEAR(s.motp, 6.35 / 7, kTol);
  EXPECT_NEAR(s.idf1, 5 / 8.5, kTol);
  EXPECT_NEAR(s.hota, 0.557374468, kTol);
  EXPECT_NEAR(s.deta, 0.606459330, kTol);
  EXPECT_NEAR(s.assa, 0.513283208, kTol);
  EXPECT_NEAR(s.loca, 0.942180451, kTol);
}

// Fixture 3: CLEAR prefers continuing the previous frame's match. Frame 1: G1 and
// tracker 1 at A. Frame 2: G1 at A, G2 at (2,0,10,10), tracker 1 at (1.5,0,10,10):
// IoU with G1 85/115 = 0.739, with G2 95/105 = 0.905. Plain best-IoU would give it
// to G2; TrackEval's +1000 bonus keeps it on G1: TP 2, FN 1, IDSW 0, MOTP
// (1 + 0.739130)/2. Identity: (G1,1) overlaps 2 frames -> IDTP 2, IDFN 1, IDFP 0.
TEST(MotMetrics, Fixture3ClearKeepsThePreviousMatch) {
  const std::vector<MotRow> gt{Row(1, 1, kA), Row(2, 1, kA), Row(2, 2, {2, 0, 10, 10})};
  const std::vector<MotRow> res{Row(1, 1, kA), Row(2, 1, {1.5, 0, 10, 10})};
  const MotSummary s = Summarize(Evaluate(gt, res));
  EXPECT_EQ(s.tp, 2);
  EXPECT_EQ(s.fn, 1);
  EXPECT_EQ(s.idsw, 0);
  EXPECT_NEAR(s.motp, (1 + 85.0 / 115) / 2, kTol);
  EXPECT_EQ(s.idtp, 2);
  EXPECT_EQ(s.idfn, 1);
  EXPECT_EQ(s.idfp, 0);
  EXPECT_NEAR(s.idf1, 0.8, kTol);
}

TEST(MotMetrics, Mot15IgnoresZeroMarkedGtButKeepsTrackerBoxesOnThem) {
  // G2 is marked 0 (ignore). MOT15 has no distractor handling: the tracker box on
  // it is a false positive. MOT17 rules with G2 a static person (class 7, a
  // distractor) remove that tracker box instead.
  const std::vector<MotRow> res{Row(1, 1, kA), Row(1, 2, kFar)};
  const std::vector<MotRow> gt15{Row(1, 1, kA, 1), Row(1, 2, kFar, 0)};
  const MotSummary s15 = Summarize(Evaluate(gt15, res));
  EXPECT_EQ(s15.tp, 1);
  EXPECT_EQ(s15.fp, 1);
  EXPECT_EQ(s15.fn, 0);

  const std::vector<MotRow> gt17{Row(1, 1, kA, 1, 1), Row(1, 2, kFar, 0, 7)};
  const MotSummary s17 = Summarize(Evaluate(gt17, res));  // auto-detected MOT17 rules
  EXPECT_EQ(s17.tp, 1);
  EXPECT_EQ(s17.fp, 0);
  // A zero-marked pedestrian is not a distractor: the box on it stays an FP.
  const std::vector<MotRow> gt17b{Row(1, 1, kA, 1, 1), Row(1, 2, kFar, 0, 1)};
  EXPECT_EQ(Summarize(Evaluate(gt17b, res)).fp, 1);
  // Forcing MOT15 rules on MOT17 data ignores classes.
  EvalOptions o;
  o.benchmark = MotBenchmark::kMot15;
  EXPECT_EQ(Summarize(Evaluate(gt17, res, o)).fp, 1);
}

TEST(MotMetrics, EmptyResultsAndEmptyGt) {
  const MotSummary none = Summarize(Evaluate(Fixture1Gt(), {}));
  EXPECT_EQ(none.fn, 6);
  EXPECT_EQ(none.ml, 1);
  EXPECT_EQ(none.idfn, 6);
  EXPECT_NEAR(none.hota, 0.0, kTol);
  EXPECT_NEAR(none.mota, 0.0, kTol);
  const MotSummary no_gt = Summarize(Evaluate({}, Fixture1Res()));
  EXPECT_EQ(no_gt.fp, 7);
  EXPECT_EQ(no_gt.idfp, 7);
}

TEST(MotMetrics, RejectsDuplicateIdsAndFramesBeyondTheSequence) {
  auto dup = PrepareSequence(Fixture1Gt(), {Row(1, 5, kA), Row(1, 5, kFar)}, {});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("frame 1: id 5 appears twice"), std::string::npos);
  EvalOptions o;
  o.num_frames = 5;
  auto beyond = PrepareSequence(Fixture1Gt(), {}, o);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("frame 6"), std::string::npos);
}

TEST(MotMetrics, TrackEvalIoUEdgeCases) {
  EXPECT_DOUBLE_EQ(TrackEvalIoU(kA, kA), 1.0);
  EXPECT_DOUBLE_EQ(TrackEvalIoU(kA, {5, 0, 10, 10}), 50.0 / 150);
  EXPECT_DOUBLE_EQ(TrackEvalIoU(kA, {0, 0, 0, 10}), 0.0);  // zero area
  EXPECT_DOUBLE_EQ(TrackEvalIoU({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);
}

// TrackEval's identity step solves a (G+T)x(G+T) assignment of fn+fp costs; we
// solve the G x T max-overlap matching. Check they agree on random sequences.
TEST(MotMetrics, IdentityEqualsTrackEvalsFullFormulation) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> n_ids(1, 6), jitter(-6, 6);
  for (int trial = 0; trial < 40; ++trial) {
    const int g = n_ids(rng), t = n_ids(rng);
    std::vector<MotRow> gt, res;
    for (int f = 1; f <= 12; ++f) {
      for (int i = 0; i < g; ++i) {
        if (jitter(rng) > 4) continue;
        gt.push_back(Row(f, i + 1, {20.0 * i, 0, 10, 10}));
      }
      for (int k = 0; k < t; ++k) {
        if (jitter(rng) > 4) continue;
        res.push_back(Row(f, k + 1, {20.0 * ((k + f / 4) % g) + jitter(rng), 0, 10, 10}));
      }
    }
    auto data = PrepareSequence(gt, res, {});
    ASSERT_TRUE(data.ok());
    const IdentityCounts got = EvaluateIdentity(*data, 0.5);
    if (data->num_gt_dets == 0 || data->num_tracker_dets == 0) continue;
    // TrackEval's formulation.
    const int G = data->num_gt_ids, T = data->num_tracker_ids, n = G + T;
    std::vector<double> gc(G, 0), tc(T, 0), pm(G * T, 0);
    for (int f = 0; f < data->num_timesteps; ++f) {
      const CostMatrix& s = data->similarity[f];
      for (int i = 0; i < s.rows; ++i) {
        for (int j = 0; j < s.cols; ++j) {
          if (s(i, j) >= 0.5) pm[data->gt_ids[f][i] * T + data->tracker_ids[f][j]] += 1;
        }
      }
      for (int id : data->gt_ids[f]) gc[id] += 1;
      for (int id : data->tracker_ids[f]) tc[id] += 1;
    }
    CostMatrix fn{n, n, std::vector<double>(n * n, 0)}, fp = fn, sum = fn;
    for (int r = G; r < n; ++r) {
      for (int c = 0; c < T; ++c) fp(r, c) = 1e10;
    }
    for (int r = 0; r < G; ++r) {
      for (int c = T; c < n; ++c) fn(r, c) = 1e10;
    }
    for (int i = 0; i < G; ++i) {
      for (int c = 0; c < T; ++c) fn(i, c) = gc[i];
      fn(i, T + i) = gc[i];
    }
    for (int k = 0; k < T; ++k) {
      for (int r = 0; r < G; ++r) fp(r, k) = tc[k];
      fp(k + G, k) = tc[k];
    }
    for (int i = 0; i < G; ++i) {
      for (int k = 0; k < T; ++k) {
        fn(i, k) -= pm[i * T + k];
        fp(i, k) -= pm[i * T + k];
      }
    }
    for (int i = 0; i < n * n; ++i) sum.v[i] = fn.v[i] + fp.v[i];
    const std::vector<int> m = SolveMinCostAssignment(sum);
    double idfn = 0, idfp = 0;
    for (int r = 0; r < n; ++r) {
      idfn += fn(r, m[r]);
      idfp += fp(r, m[r]);
    }
    EXPECT_EQ(got.idfn, static_cast<int64_t>(idfn)) << "trial " << trial;
    EXPECT_EQ(got.idfp, static_cast<int64_t>(idfp)) << "trial " << trial;
  }
}

}  // namespace
}  // namespace argus::track
