// loitering: one track staying in a zone longer than `min_dwell_s` (default
// kLoiteringDefaultDwellSeconds). The dwell survives short occlusions: a track
// still held by the tracker (FrameInput::active) keeps its dwell when it is
// re-acquired; leaving the zone (with the camera's inertia) resets it.
// One incident per track; details.dwell_s.
#pragma once

#include <memory>
#include <string>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "rules/zone.h"

namespace argus::rules {

inline constexpr double kLoiteringDefaultDwellSeconds = 60.0;

class LoiteringRule final : public Rule {
 public:
  LoiteringRule(const RuleContext& ctx, const config::Zone& zone, double min_dwell_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  std::string zone_name_;
  double min_dwell_s_;
  LabelFilter labels_;
  ZoneMembership membership_;
  IncidentTracker incidents_;
};

core::Result<std::unique_ptr<Rule>> MakeLoiteringRule(const RuleContext& ctx,
                                                      config::MapReader& fields);

}  // namespace argus::rules
