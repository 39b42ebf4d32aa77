// line_crossing: a directional tripwire on a camera line.
//
// Sides: standing at `a` and looking towards `b` on the image as drawn, side A
// is on the left and side B on the right (a line drawn left to right: A is
// above it, B below). `direction: a_to_b` alerts on crossings from side A to
// side B, `b_to_a` the reverse, `any` (default) both. Counts of both directions
// are kept whatever the filter (details.counts, Counts()).
//
// Robust to jitter on the line ("balanced" mode): the foot point must be clearly
// on a side, farther than `band` from the line (relative to the frame diagonal,
// default kLineDefaultBand), for `zone_inertia_frames` frames in a row before that
// side counts; a crossing is a change between two such sides whose path meets
// the segment itself (not its extension). A track standing on the line never
// counts. One incident per track (cool-down merges its back-and-forth).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"

namespace argus::rules {

inline constexpr double kLineDefaultBand = 0.01;

struct LineCounts {
  int64_t a_to_b = 0;
  int64_t b_to_a = 0;
};

// The per-track tripwire logic, pure (also used to count crossings of
// ground-truth tracks). Points are in pixels.
class Tripwire {
 public:
  struct State {
    int side = 0;            // confirmed side: -1 (A), +1 (B), 0 not yet
    core::Point side_point;  // last foot point on the confirmed side
    int candidate = 0;       // side being confirmed
    int streak = 0;
    core::Point candidate_point;  // first foot point of the candidate streak
  };
  Tripwire(core::Segment seg, double band_px, int inertia)
      : seg_(seg), band_px_(band_px), inertia_(inertia < 1 ? 1 : inertia) {}
  // Feeds the next foot point of one track; returns +1 on an A -> B crossing,
  // -1 on B -> A, 0 otherwise.
  int Feed(State* s, core::Point foot) const;
  // -1 side A, +1 side B, 0 within the band.
  int SideOf(core::Point p) const;

 private:
  core::Segment seg_;
  double band_px_;
  int inertia_;
};

class LineCrossingRule final : public Rule {
 public:
  enum class Direction { kAny, kAToB, kBToA };
  LineCrossingRule(const RuleContext& ctx, const config::Line& line, Direction direction,
                   double band);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;
  // Cumulative counts since the rule was built.
  const LineCounts& Counts() const { return counts_; }

 private:
  struct TrackSide {
    Tripwire::State state;
    double last_seen = 0;
  };

  std::string line_name_;
  core::Point a_rel_, b_rel_;
  Direction direction_;
  double band_;
  int inertia_;
  LabelFilter labels_;
  IncidentTracker incidents_;
  std::map<int, TrackSide> tracks_;
  LineCounts counts_;
};

core::Result<std::unique_ptr<Rule>> MakeLineCrossingRule(const RuleContext& ctx,
                                                         config::MapReader& fields);

// Pure crossing test, shared with ground-truth counting: the path p0 -> p1
// crosses segment `seg`, with both ends farther than band_px from its line.
// Returns +1 for A -> B, -1 for B -> A, 0 for no crossing.
int CrossingDirection(core::Point p0, core::Point p1, const core::Segment& seg, double band_px);

}  // namespace argus::rules
