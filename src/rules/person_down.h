// person_down: a person who falls and stays down for `min_duration_s` (a
// visitor collapsing, an attacked guard). Per person track, from its box only:
// - standing: box width / height <= kPersonUprightAspect and the box at least
//   kPersonStandHeightRatio of the person's standing height (the tallest
//   upright box, forgotten with time constant kPersonStandTauSeconds so walking
//   away from the camera is followed; a seated person is shorter);
// - down: width / height >= `down_aspect`, or the box shorter than
//   kPersonDownHeightRatio of the standing height;
// - a fall: the track goes from standing to down within `fall_s`. Sitting down
//   and bending stay under the down aspect or last too briefly; lying down on
//   a sofa starts from sitting, so it is not a fall.
// The down run survives short flicker (kPersonDownGapSeconds) and the track
// being lost while the person lies still (FrameInput::active keeps it); standing
// up again ends it. One incident per track; details.down_s.
// Detectors often lose a person in mid-fall and find them again on the floor
// as a new track (measured on the Le2i rooms with yolox_nano: the standing
// track ends during the fall, a wide one starts 0.5-2 s later). A new track
// first seen down where a person who stood within `fall_s` +
// kPersonFallHandOverSeconds was last seen (its box overlaps that person's last
// box) carries on that person's fall: details.fell_as_track names them.
#pragma once

#include <map>
#include <memory>
#include <set>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"

namespace argus::rules {

inline constexpr double kDefaultPersonDownMinDurationSeconds = 2.0;
inline constexpr double kDefaultPersonDownFallSeconds = 2.0;
inline constexpr double kDefaultPersonDownAspect = 1.0;
inline constexpr double kPersonUprightAspect = 0.8;
inline constexpr double kPersonDownHeightRatio = 0.5;
inline constexpr double kPersonStandHeightRatio = 0.85;
inline constexpr double kPersonStandTauSeconds = 60.0;
inline constexpr double kPersonDownGapSeconds = 0.5;
inline constexpr double kPersonFallHandOverSeconds = 3.0;
// Per-track state is dropped after the tracker forgot the track this long ago.
inline constexpr double kPersonForgetSeconds = 10.0;

struct PersonDownParams {
  double min_duration_s = kDefaultPersonDownMinDurationSeconds;
  double fall_s = kDefaultPersonDownFallSeconds;
  double down_aspect = kDefaultPersonDownAspect;
};

// Thread safety: one thread per instance (the camera's pipeline thread).
class PersonDownRule final : public Rule {
 public:
  PersonDownRule(const RuleContext& ctx, const PersonDownParams& params);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  struct Person {
    double stand_t = -1;     // last time seen standing (< 0: never)
    double stand_h = 0;      // standing height (decaying maximum), pixels
    double last_t = 0;       // last frame the box was seen
    double down_since = -1;  // start of the current down run after a fall (< 0: none)
    double down_last = -1;   // last time seen down
    double seen_t = 0;       // last time the tracker reported the track
    core::Box box;           // last box seen
    int fell_as = -1;        // the track whose fall this one carries on (-1: its own)
  };
  // Fills a new track's standing state from the person it continues, if any.
  void HandOver(int id, const core::Box& box, double t, Person* p);
  void Update(const track::Track& tr, bool visible, const FrameInput& in,
              std::vector<events::Event>* out);

  PersonDownParams p_;
  LabelFilter labels_;
  IncidentTracker incidents_;
  std::map<int, Person> persons_;
  std::set<int> visible_;  // person tracks seen in the current frame
};

core::Result<std::unique_ptr<Rule>> MakePersonDownRule(const RuleContext& ctx,
                                                       config::MapReader& fields);

}  // namespace argus::rules
