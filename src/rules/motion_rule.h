// motion: any motion in a zone (or the whole frame without `zone`): the
// fraction of the zone's pixels on in the motion mask (SceneInput::mask) above
// `min_fraction` (default kMotionDefaultMinFraction) for `min_duration_s`
// (default kMotionDefaultMinDuration). Meant for after-hours (`when: closed`).
// Needs no tracks; frames without a mask are ignored. One incident per zone;
// details.fraction; bbox: the moving pixels of the zone, in source pixels.
// (File named motion_rule to stay apart from the motion module.)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/zone.h"

namespace argus::rules {

inline constexpr double kMotionDefaultMinFraction = 0.02;
inline constexpr double kMotionDefaultMinDuration = 1.0;

class MotionRule final : public Rule {
 public:
  MotionRule(const RuleContext& ctx, const config::Zone* zone, double min_fraction,
             double min_duration_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  void Rasterise(int width, int height);

  std::string zone_name_;
  core::Polygon zone_;  // relative
  double min_fraction_, min_duration_s_;
  Debounced moving_;
  double moving_since_ = 0;
  IncidentTracker incidents_;
  int mask_w_ = -1, mask_h_ = -1;
  std::vector<int> pixels_;  // indices of the mask pixels inside the zone
};

core::Result<std::unique_ptr<Rule>> MakeMotionRule(const RuleContext& ctx,
                                                   config::MapReader& fields);

}  // namespace argus::rules
