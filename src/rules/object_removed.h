// object_removed: an exhibit region (`zone`, a polygon around a painting or a
// display case) no longer looks like its learned reference: the object was
// taken or moved. The reference is the mean of the unoccluded frames of the
// first `learn_s` seconds; it then follows slow drifts (only while the region
// still matches). The comparison is the zero-mean normalised cross-correlation
// of the region with its reference (invariant to a lighting gain and offset);
// a region with too little texture for that is compared by its brightness
// relative to the whole frame instead. Either way the share of region pixels
// whose frame-relative brightness changed by more than kRemovedPixelChange
// also counts (a small exhibit in a textured zone barely moves the
// correlation): kRemovedChangedShare of them is similarity 0.5; unless the
// correlation is still kRemovedIntactCorrelation (a light change that
// saturates some pixels keeps the structure).
// Both sides are smoothed (kRemovedSmoothRadius) so a slightly soft focus is
// not a change. Frames where a track box covers kRemovedOccludedShare of the
// region or more (someone standing in front of it) are not judged: they
// neither confirm nor clear a change. When the camera itself moved (background_match low: the
// tamper rule reports that) the zone no longer frames the exhibit: the reference is learned again
// once the view is stable. An incident opens once the region has differed on every judged frame for
// `min_duration_s`; severity critical unless the config says otherwise. A reference whose pixels
// were not steady while it was learned (kRemovedUnsteadyShare of them varying by more than
// kRemovedPixelChange: people the tracker missed walked through, as in an IR corridor or a crowd)
// is an average of passers-by, not the exhibit's picture, and is learned again.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rules/incident.h"
#include "rules/rule.h"

namespace argus::rules {

inline constexpr double kDefaultRemovedLearnSeconds = 10.0;
inline constexpr double kDefaultRemovedMinDurationSeconds = 5.0;
inline constexpr double kDefaultRemovedMinSimilarity = 0.5;
// Region standard deviation (grey levels) below which NCC measures only noise.
inline constexpr double kRemovedMinTexture = 6.0;
// Unoccluded frames the reference needs at least.
inline constexpr int kRemovedMinLearnFrames = 5;
// Time constant of the reference's drift following.
inline constexpr double kRemovedReferenceTauSeconds = 300.0;
// Box-filter radius (analysis pixels) applied before the comparison.
inline constexpr int kRemovedSmoothRadius = 1;
// Grey levels (at the frame's mean brightness 128) a pixel must change by.
inline constexpr double kRemovedPixelChange = 18.0;
// Share of the region's pixels changed that is similarity 0.5.
inline constexpr double kRemovedChangedShare = 0.1;
inline constexpr double kRemovedIntactCorrelation = 0.9;
// Share of the region a track box must cover to hide it.
inline constexpr double kRemovedOccludedShare = 0.1;
// Share of the region's pixels whose grey level may vary (standard deviation over the learning
// frames above kRemovedPixelChange) for the reference to be kept.
inline constexpr double kRemovedUnsteadyShare = 0.1;
// The camera is taken as moved below this background_match.
inline constexpr double kRemovedMovedMatch = 0.5;

struct ObjectRemovedParams {
  double learn_s = kDefaultRemovedLearnSeconds;
  double min_duration_s = kDefaultRemovedMinDurationSeconds;
  double min_similarity = kDefaultRemovedMinSimilarity;
};

// Thread safety: one thread per instance (the camera's pipeline thread).
class ObjectRemovedRule final : public Rule {
 public:
  ObjectRemovedRule(const RuleContext& ctx, const config::Zone& zone,
                    const ObjectRemovedParams& params, std::optional<events::Severity> severity);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

  // Similarity of the last judged frame with the reference (1 before learning).
  double last_similarity() const { return last_similarity_; }
  bool learned() const { return learned_; }
  // References dropped because the region was not steady while they were learned.
  int unsteady_references() const { return unsteady_references_; }

 private:
  double Similarity(const std::vector<float>& cur, double global) const;
  // `gray` box-filtered inside the zone's bounding box (the rest left at 0).
  std::vector<float> Smoothed(const core::GrayImage& gray) const;
  void StartLearning(double t);
  static double GlobalMean(const core::GrayImage& gray);

  std::string zone_name_;
  core::Polygon zone_;  // relative
  ObjectRemovedParams p_;
  std::optional<events::Severity> severity_;
  IncidentTracker incidents_;
  int width_ = -1, height_ = -1;               // analysis frame the pixels were made for
  std::vector<int> pixels_;                    // region pixels at the analysis scale
  int bx0_ = 0, by0_ = 0, bx1_ = 0, by1_ = 0;  // their bounding box (inclusive)
  std::vector<float> reference_;               // full analysis frame; only region pixels used
  std::vector<double> learn_squares_;          // while learning: sums of squares, as reference_
  double reference_global_ = 0;                // mean frame luma of the reference frames
  double reference_std_ = 0;
  int learn_frames_ = 0;
  double start_t_ = -1;
  double last_judged_t_ = 0;
  bool learned_ = false;
  int unsteady_references_ = 0;
  double changed_since_ = -1;
  double last_similarity_ = 1;
};

core::Result<std::unique_ptr<Rule>> MakeObjectRemovedRule(const RuleContext& ctx,
                                                          config::MapReader& fields);

}  // namespace argus::rules
