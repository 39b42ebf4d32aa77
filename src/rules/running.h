// running: a track moving faster than `speed` for `min_duration_s` (default
// kRunningDefaultMinDuration). Speed is the foot speed over the last
// kSpeedWindowSeconds: metres per second when the camera is calibrated (default
// kRunningDefaultSpeedMps), else box heights per second (default
// kRunningDefaultSpeedHeights; a walker does about 0.8, a runner 2 or more).
// Optional `zone` restricts it. One incident per track; details: speed, units.
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

inline constexpr double kRunningDefaultSpeedHeights = 2.0;
inline constexpr double kRunningDefaultSpeedMps = 3.0;
inline constexpr double kRunningDefaultMinDuration = 1.0;

class RunningRule final : public Rule {
 public:
  RunningRule(const RuleContext& ctx, const config::Zone* zone, double speed,
              double min_duration_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  struct TrackState {
    Debounced fast;
    double fast_since = 0;
    double last_seen = 0;
  };
  std::string zone_name_;
  std::optional<ZoneMembership> membership_;
  std::optional<GroundPlane> ground_;
  double speed_, min_duration_s_;
  int inertia_;
  LabelFilter labels_;
  IncidentTracker incidents_;
  std::map<int, TrackState> tracks_;
};

core::Result<std::unique_ptr<Rule>> MakeRunningRule(const RuleContext& ctx,
                                                    config::MapReader& fields);

}  // namespace argus::rules
