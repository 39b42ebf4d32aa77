// Suppresses detections of things that look like a person but never move: a
// poster, a statue, a painted figure, a sign (museums are full of them). A
// detection is static when a box of the same class stays in place (IoU with
// where it first appeared >= min_iou) for `after_s` seconds of stream time
// while the motion mask inside it stayed quiet in almost every frame. A person
// standing still still sways and breathes, which the motion mask sees.
// Pure: core types only. Thread safety: one thread per instance.
#pragma once

#include <string>
#include <vector>

#include "motion/motion.h"
#include "track/track.h"

namespace argus::detect {

inline constexpr double kDefaultStaticAfterS = 20.0;

struct StaticFilterParams {
  double after_s = kDefaultStaticAfterS;  // 0 disables the filter
  double min_iou = 0.85;                  // "same place" as the first sighting
  double motion_pixels = 0.02;            // share of the box in motion that counts as moving
  double max_moving_share = 0.1;          // of the sightings, to still count as static
  double forget_s = 4.0;                  // a candidate unseen this long is dropped
  std::vector<std::string> labels = {"person"};
};

class StaticObjectFilter {
 public:
  explicit StaticObjectFilter(StaticFilterParams p = {}) : p_(std::move(p)) {}
  // Returns `dets` without the static ones. Without a motion result nothing is
  // suppressed (no evidence either way) and nothing is learnt.
  std::vector<track::Detection> Filter(std::vector<track::Detection> dets,
                                       const motion::MotionResult* motion);
  size_t candidates() const { return candidates_.size(); }

 private:
  struct Candidate {
    core::Box first;
    std::string label;
    double first_t = 0;
    double last_t = 0;
    int seen = 0;
    int moving = 0;
  };
  StaticFilterParams p_;
  std::vector<Candidate> candidates_;
};

// Share of `box` (source pixels) covered by the motion mask.
double MotionShareInBox(const motion::MotionResult& m, const core::Box& box);

}  // namespace argus::detect
