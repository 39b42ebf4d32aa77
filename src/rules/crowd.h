// crowd: occupancy of a zone (or of the whole frame when no `zone` is given)
// above `max_count` for `min_duration_s` (default kCrowdDefaultMinDuration) opens
// one incident per zone; it clears (with the cool-down) once the count has been
// at or below `clear_count` for `min_duration_s` (hysteresis). `clear_count`
// defaults to floor(clear_fraction * max_count), clear_fraction defaulting to
// kCrowdDefaultClearFraction. Occluded tracks still held by the tracker count.
// details: count, max_count, peak. Series() keeps a bounded count time series
// for the dashboard.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "rules/zone.h"

namespace argus::rules {

inline constexpr double kCrowdDefaultMinDuration = 3.0;
inline constexpr double kCrowdDefaultClearFraction = 0.8;
inline constexpr double kCrowdSeriesPeriodSeconds = 1.0;
inline constexpr size_t kCrowdSeriesMaxSamples = 3600;

struct CountSample {
  double t = 0;
  int count = 0;
};

class CrowdRule final : public Rule {
 public:
  CrowdRule(const RuleContext& ctx, const config::Zone* zone, int max_count, int clear_count,
            double min_duration_s);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;
  // One sample per change of count, and at least one per kCrowdSeriesPeriodSeconds
  // while frames arrive; the last kCrowdSeriesMaxSamples.
  const std::deque<CountSample>& Series() const { return series_; }
  bool crowded() const { return crowded_; }

 private:
  std::string zone_name_;
  int max_count_, clear_count_;
  double min_duration_s_;
  LabelFilter labels_;
  ZoneMembership membership_;
  IncidentTracker incidents_;
  bool crowded_ = false;
  double over_since_ = -1;   // count > max since (stream s); < 0: not over
  double clear_since_ = -1;  // count <= clear since
  int peak_ = 0;
  std::deque<CountSample> series_;
};

core::Result<std::unique_ptr<Rule>> MakeCrowdRule(const RuleContext& ctx,
                                                  config::MapReader& fields);

}  // namespace argus::rules
