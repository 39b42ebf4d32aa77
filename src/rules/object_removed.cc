#include "rules/object_removed.h"

#include <algorithm>
#include <cmath>

#include "rules/rule_util.h"
#include "rules/scene_signals.h"

namespace argus::rules {
namespace {

constexpr double kMaxSeconds = 3600;
// A track box this close to the region (fraction of the region's size) already hides its edge.
constexpr double kOcclusionMargin = 0.05;
// Low-texture comparison: this mean relative brightness difference is similarity 0.
constexpr double kFlatFullScale = 0.3;
// The reference follows drifts only while the region matches at least this well.
constexpr double kFollowSimilarity = 0.8;

core::Box BoundingBox(const core::Polygon& poly, double sx, double sy) {
  double x0 = poly[0].x, x1 = x0, y0 = poly[0].y, y1 = y0;
  for (const core::Point& p : poly) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  return {x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy};
}

}  // namespace

ObjectRemovedRule::ObjectRemovedRule(const RuleContext& ctx, const config::Zone& zone,
                                     const ObjectRemovedParams& params,
                                     std::optional<events::Severity> severity)
    : zone_name_(zone.name),
      zone_(zone.polygon),
      p_(params),
      severity_(severity),
      incidents_(ctx, "object_removed") {}

double ObjectRemovedRule::GlobalMean(const core::GrayImage& gray) { return MeanLuma(gray); }

std::vector<float> ObjectRemovedRule::Smoothed(const core::GrayImage& gray) const {
  std::vector<float> out(gray.pixels.size(), 0.0f);
  const int r = kRemovedSmoothRadius;
  for (int y = by0_; y <= by1_; ++y) {
    for (int x = bx0_; x <= bx1_; ++x) {
      float sum = 0;
      int n = 0;
      for (int yy = std::max(0, y - r); yy <= std::min(gray.height - 1, y + r); ++yy) {
        for (int xx = std::max(0, x - r); xx <= std::min(gray.width - 1, x + r); ++xx) {
          sum += gray.at(xx, yy);
          ++n;
        }
      }
      out[static_cast<size_t>(y) * gray.width + x] = sum / n;
    }
  }
  return out;
}

double ObjectRemovedRule::Similarity(const std::vector<float>& cur, double global) const {
  // Brightness relative to the frame, so a global light change cancels.
  const double g_cur = std::max(1.0, global);
  const double g_ref = std::max(1.0, reference_global_);
  const double level = 128.0;
  double diff = 0, sum = 0;
  int changed = 0;
  for (int i : pixels_) {
    const double d = std::fabs(cur[i] / g_cur - reference_[i] / g_ref);
    diff += d;
    sum += reference_[i] / g_ref;
    changed += d * level > kRemovedPixelChange;
  }
  if (pixels_.empty() || sum <= 0) return 1;
  const double share = static_cast<double>(changed) / pixels_.size();
  const double by_share = std::clamp(1.0 - 0.5 * share / kRemovedChangedShare, 0.0, 1.0);
  if (reference_std_ >= kRemovedMinTexture) {
    const double ncc = RegionNcc(reference_, cur, pixels_);
    // Structure intact: a light change, maybe saturating some pixels; not a removal.
    return ncc >= kRemovedIntactCorrelation ? ncc : std::min(ncc, by_share);
  }
  return std::min(std::clamp(1.0 - diff / sum / kFlatFullScale, 0.0, 1.0), by_share);
}

void ObjectRemovedRule::StartLearning(double t) {
  std::fill(reference_.begin(), reference_.end(), 0.0f);
  learn_squares_.assign(reference_.size(), 0.0);
  reference_global_ = 0;
  learn_frames_ = 0;
  learned_ = false;
  start_t_ = t;
  changed_since_ = -1;
}

void ObjectRemovedRule::Process(const FrameInput& in, std::vector<events::Event>* out) {
  const SceneInput* s = in.scene;
  if (start_t_ < 0) start_t_ = in.t;
  if (!s || !s->gray || s->gray->empty()) {
    incidents_.Tick(in.t, in.frame, out);
    return;
  }
  const core::GrayImage& gray = *s->gray;
  if (gray.width != width_ || gray.height != height_) {  // first frame or new resolution
    width_ = gray.width;
    height_ = gray.height;
    core::Polygon px;
    for (const core::Point& p : zone_) px.push_back({p.x * width_, p.y * height_});
    pixels_ = PolygonPixels(px, width_, height_);
    bx0_ = width_;
    by0_ = height_;
    bx1_ = by1_ = -1;
    for (int i : pixels_) {
      bx0_ = std::min(bx0_, i % width_);
      bx1_ = std::max(bx1_, i % width_);
      by0_ = std::min(by0_, i / width_);
      by1_ = std::max(by1_, i / width_);
    }
    reference_.assign(gray.pixels.size(), 0.0f);
    StartLearning(in.t);
  }
  const core::Box region = BoundingBox(zone_, in.width, in.height);
  const core::Box guard = {
      region.x - kOcclusionMargin * region.w, region.y - kOcclusionMargin * region.h,
      region.w * (1 + 2 * kOcclusionMargin), region.h * (1 + 2 * kOcclusionMargin)};
  bool occluded = false;
  for (const auto* list : {in.tracks, in.active}) {
    if (!list) continue;
    for (const track::Track& tr : *list) {
      occluded =
          occluded || core::IntersectionArea(tr.box, guard) >= kRemovedOccludedShare * guard.Area();
    }
  }
  if (s->background_match < kRemovedMovedMatch) {  // camera moved: learn the new view
    if (learned_ || learn_frames_ > 0) StartLearning(in.t);
    start_t_ = in.t;
    incidents_.Tick(in.t, in.frame, out);
    return;
  }
  if (occluded || pixels_.empty()) {
    incidents_.Tick(in.t, in.frame, out);
    return;
  }

  const std::vector<float> cur = Smoothed(gray);
  const double global = GlobalMean(gray);
  if (!learned_) {
    for (int i : pixels_) {
      reference_[i] += cur[i];
      learn_squares_[i] += static_cast<double>(cur[i]) * cur[i];
    }
    reference_global_ += global;
    ++learn_frames_;
    if (in.t - start_t_ >= p_.learn_s && learn_frames_ >= kRemovedMinLearnFrames) {
      const float inv = 1.0f / static_cast<float>(learn_frames_);
      size_t unsteady = 0;
      for (int i : pixels_) {
        reference_[i] *= inv;
        const double var =
            learn_squares_[i] * inv - static_cast<double>(reference_[i]) * reference_[i];
        unsteady += var > kRemovedPixelChange * kRemovedPixelChange;
      }
      if (unsteady > kRemovedUnsteadyShare * pixels_.size()) {  // an average of passers-by
        ++unsteady_references_;
        StartLearning(in.t);
        incidents_.Tick(in.t, in.frame, out);
        return;
      }
      reference_global_ /= learn_frames_;
      reference_std_ = RegionStdDev(reference_, pixels_);
      learned_ = true;
      learn_squares_ = {};
      last_judged_t_ = in.t;
    }
    incidents_.Tick(in.t, in.frame, out);
    return;
  }

  const double sim = Similarity(cur, global);
  last_similarity_ = sim;
  const double dt = std::max(0.0, in.t - last_judged_t_);
  last_judged_t_ = in.t;
  if (sim >= kFollowSimilarity) {
    const float a = static_cast<float>(1 - std::exp(-dt / kRemovedReferenceTauSeconds));
    for (int i : pixels_) reference_[i] += a * (cur[i] - reference_[i]);
    reference_global_ += a * (global - reference_global_);
  }
  if (sim >= p_.min_similarity) {
    changed_since_ = -1;
  } else {
    if (changed_since_ < 0) changed_since_ = in.t;
    if (in.t - changed_since_ >= p_.min_duration_s) {
      Observation o;
      o.t = in.t;
      o.frame = in.frame;
      o.zone = zone_name_;
      o.bbox = region;
      o.severity = severity_;
      o.details = {{"similarity", sim}, {"changed_since", changed_since_}};
      incidents_.Observe(zone_name_, o, out);
    }
  }
  incidents_.Tick(in.t, in.frame, out);
}

void ObjectRemovedRule::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  incidents_.EndAll(last.t, last.frame, out);
}

core::Result<std::unique_ptr<Rule>> MakeObjectRemovedRule(const RuleContext& ctx,
                                                          config::MapReader& fields) {
  const size_t before = fields.diagnostics()->items().size();
  const config::Zone* zone = ReadZone(ctx, fields, "zone", true);
  ObjectRemovedParams p;
  fields.GetDouble("learn_s", &p.learn_s, 0, kMaxSeconds);
  fields.GetDouble("min_duration_s", &p.min_duration_s, 0, kMaxSeconds);
  fields.GetDouble("min_similarity", &p.min_similarity, 0, 1);
  ARGUS_RETURN_IF_ERROR(FieldsStatus(fields, before));
  // An exhibit gone is critical unless the config sets the severity itself.
  std::optional<events::Severity> severity;
  if (!ctx.rule || !ctx.rule->node["severity"].IsDefined()) severity = events::Severity::kCritical;
  return std::unique_ptr<Rule>(std::make_unique<ObjectRemovedRule>(ctx, *zone, p, severity));
}

}  // namespace argus::rules
