// vehicle_near_facade: the Louvre scenario, a truck-mounted lift parked under a
// window. Two triggers in a perimeter `zone`:
// - class (neural backend): a track labelled car, truck or bus (or `labels`)
//   stationary (foot speed below `max_speed`, default kVehicleDefaultMaxSpeed
//   box heights/s or kVehicleDefaultMaxSpeedMps m/s when calibrated) for longer
//   than `min_dwell_s` (default kVehicleDefaultDwellSeconds);
// - size (built-in backend, whose labels say little): when `min_area_fraction`
//   > 0, any track whose box covers at least that fraction of the frame, in the
//   zone, whatever its label; meant with `when: closed` (at night).
// One incident per track; details: mode ("class" or "size"), dwell_s, speed,
// area_fraction.
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

inline constexpr double kVehicleDefaultMaxSpeed = 0.2;
inline constexpr double kVehicleDefaultMaxSpeedMps = 0.5;
inline constexpr double kVehicleDefaultDwellSeconds = 10.0;

class VehicleNearFacadeRule final : public Rule {
 public:
  VehicleNearFacadeRule(const RuleContext& ctx, const config::Zone& zone, double max_speed,
                        double min_dwell_s, double min_area_fraction);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  struct TrackState {
    Debounced still;
    double still_since = 0;
    double last_seen = 0;
  };
  std::string zone_name_;
  std::optional<GroundPlane> ground_;
  double max_speed_, min_dwell_s_, min_area_fraction_;
  int inertia_;
  LabelFilter labels_;
  ZoneMembership membership_;
  IncidentTracker incidents_;
  std::map<int, TrackState> tracks_;
};

core::Result<std::unique_ptr<Rule>> MakeVehicleNearFacadeRule(const RuleContext& ctx,
                                                              config::MapReader& fields);

}  // namespace argus::rules
