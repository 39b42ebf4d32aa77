// intrusion: an object of the given labels (default person) inside a polygon
// zone (windows, roofs, facade, restricted rooms), with the camera's zone
// inertia. `per: track` (default) opens one incident per intruding track;
// `per: zone` one incident per zone while anyone is in it (details.count).
// Optional `min_dwell_s` (default 0) before it counts.
#pragma once

#include <memory>
#include <string>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "rules/zone.h"

namespace argus::rules {

inline constexpr const char* kIntrusionDefaultLabel = "person";

class IntrusionRule final : public Rule {
 public:
  enum class Per { kTrack, kZone };
  IntrusionRule(const RuleContext& ctx, const config::Zone& zone, Per per, double min_dwell_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  std::string zone_name_;
  Per per_;
  double min_dwell_s_;
  LabelFilter labels_;
  ZoneMembership membership_;
  IncidentTracker incidents_;
  int last_count_ = 0;
};

core::Result<std::unique_ptr<Rule>> MakeIntrusionRule(const RuleContext& ctx,
                                                      config::MapReader& fields);

}  // namespace argus::rules
