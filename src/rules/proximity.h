// proximity: the virtual barrier around a protected artwork (`artwork: <zone>`).
// Two tiers: within `warning` of the artwork's polygon -> a warning-severity
// incident; within `alarm` -> the rule's severity (alert/critical). Distances are
// metres on the ground when the camera has a calibration, else fractions of the
// frame diagonal. A tier counts after `min_dwell_s` (default 0) within it.
// Escalation from warning to alarm is an `update` of the same incident (one
// incident per track). Distance is from the foot point to the polygon (0 inside).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "rules/calibration.h"
#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "rules/zone.h"

namespace argus::rules {

class ProximityRule final : public Rule {
 public:
  ProximityRule(const RuleContext& ctx, const config::Zone& artwork, double warning, double alarm,
                double min_dwell_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;
  bool metric() const { return ground_.has_value(); }

 private:
  struct TrackState {
    Debounced near;   // within warning
    Debounced close;  // within alarm
    double near_since = 0;
    double close_since = 0;
    double last_seen = 0;
  };
  double DistanceOf(core::Point foot_px, const FrameInput& in);

  std::string artwork_;
  PixelPolygon polygon_;
  std::optional<GroundPlane> ground_;
  core::Polygon ground_polygon_;
  double warning_, alarm_, min_dwell_s_;
  int inertia_;
  LabelFilter labels_;
  IncidentTracker incidents_;
  std::map<int, TrackState> tracks_;
};

core::Result<std::unique_ptr<Rule>> MakeProximityRule(const RuleContext& ctx,
                                                      config::MapReader& fields);

}  // namespace argus::rules
