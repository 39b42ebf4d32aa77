// abandoned_object: something new stands still in the scene and the person who
// brought it went away.
// - Static objects come from a dual background on the grey frame (see
//   DualBackground): pixels that differ from the slow model but already match
//   the fast one for `static_s` seconds, grouped into blobs (at most
//   kAbandonedMaxAreaFraction of the frame) at least as big as a share of the
//   people seen at their row (kAbandonedMinShareOfPerson; `min_area_px` source
//   pixels until people were seen). Blobs whose boxes overlap are one object.
//   Optional `zone`: only objects standing (bottom-centre) inside it.
// - A blob covered by a current person box is a person standing still, not an
//   object; so is a person-sized blob where a person track was last seen,
//   standing, before the tracker lost it (someone who stopped, or sat down):
//   it is followed as that person and never reported. A track that stood
//   there and walked on (an owner who put a bag down) is not the blob. A global change
//   (light switch: gain compensation; camera moved: relearn) produces no blobs.
// - Owner: the person track nearest to the object when it appeared (within
//   `owner_distance_m`), from a short memory of track boxes. Unattended: the
//   owner is farther than `owner_distance_m` (PETS 2006: 3 m) or gone, for
//   `unattended_s` (default 30 s); an object nobody brought in view is
//   unattended from the start. Distances are metres on the ground with a
//   calibration, else pixel distance scaled by the owner's box height taken as
//   `person_height_m`.
// One incident per object: bbox = the object (source pixels), label "object",
// details.owner_track_id when known, details.unattended_s.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/height_line.h"
#include "rules/calibration.h"
#include "rules/incident.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "rules/scene_background.h"

namespace argus::rules {

inline constexpr double kDefaultUnattendedSeconds = 30.0;
inline constexpr double kDefaultOwnerDistanceMetres = 3.0;
inline constexpr double kDefaultPersonHeightMetres = 1.7;
inline constexpr double kDefaultAbandonedStaticSeconds = kDefaultStaticSeconds;
// Source pixels; the smallest object until enough people were seen to scale by.
inline constexpr double kDefaultMinObjectAreaPx = 300.0;
// Once people were seen: an object's blob must be at least this share of the height of
// a person standing at its row, squared (a bag is a quarter of a person or more; far
// away that is fewer pixels than kDefaultMinObjectAreaPx, close up many more)...
inline constexpr double kAbandonedMinShareOfPerson = 0.15;
// ...and never below this many source pixels (noise).
inline constexpr double kAbandonedMinAreaFloorPx = 100.0;
// Person boxes it takes to scale by.
inline constexpr int kAbandonedMinPersonSamples = 20;
// Bigger static changes are scene changes (furniture, a door), not luggage.
inline constexpr double kAbandonedMaxAreaFraction = 0.1;
// Track boxes remembered for the owner look-up.
inline constexpr double kAbandonedTrackMemorySeconds = 120.0;
// An object whose blob has not been seen for this long is gone.
inline constexpr double kAbandonedObjectLostSeconds = 3.0;
// Share of a blob inside a person box that makes it that person.
inline constexpr double kAbandonedPersonOverlap = 0.3;
// A blob at least this share of a remembered person box's height is that
// person standing or sitting still (luggage at their feet is much smaller).
inline constexpr double kAbandonedPersonSizedHeight = 0.4;

struct AbandonedParams {
  double unattended_s = kDefaultUnattendedSeconds;
  double owner_distance_m = kDefaultOwnerDistanceMetres;
  double person_height_m = kDefaultPersonHeightMetres;
  double static_s = kDefaultAbandonedStaticSeconds;
  double min_area_px = kDefaultMinObjectAreaPx;
};

// Thread safety: one thread per instance (the camera's pipeline thread).
class AbandonedObjectRule final : public Rule {
 public:
  AbandonedObjectRule(const RuleContext& ctx, const AbandonedParams& params,
                      const config::Zone* zone);
  void Process(const FrameInput& in, std::vector<events::Event>* out) override;
  void Finish(const FrameInput& last, std::vector<events::Event>* out) override;

 private:
  struct Seen {
    double t = 0;
    core::Box box;  // source pixels
  };
  struct Object {
    int key = 0;
    core::Box box;  // source pixels
    double appeared_t = 0;
    double last_seen_t = 0;
    bool owner_resolved = false;
    int owner = -1;
    double unattended_since = -1;  // < 0: attended now
    bool person = false;           // a person the tracker lost there: never reported
    bool reported = false;         // unattended long enough: its incident was raised
  };
  // Metres between a person's foot and a point on the ground (source pixels).
  double Metres(const core::Box& person, core::Point p, const FrameInput& in) const;
  void ResolveOwner(Object* obj, const FrameInput& in) const;
  // A person track, lost for `kAbandonedObjectLostSeconds` by `now`, was last
  // seen standing where `box` is (after `since`), and the blob is person-sized.
  bool PersonLostThere(const core::Box& box, double since, double now) const;
  // Track `id`, last seen at `last`, went on under another id (the tracker
  // lost it and found it again as a new track).
  bool Continued(int id, const Seen& last) const;
  void UpdateMemory(const FrameInput& in);
  // Height against foot row of the person boxes remembered.
  core::HeightLine PersonHeights() const;
  // The smallest object (source pixels) with its bottom at row `foot_y`, from the height
  // of `people` there; min_area_px until the line holds.
  double MinAreaAt(const core::HeightLine& people, double foot_y) const;

  AbandonedParams p_;
  std::string zone_name_;
  std::optional<core::Polygon> zone_;  // relative
  std::optional<GroundPlane> ground_;
  LabelFilter persons_;
  DualBackground background_;
  IncidentTracker incidents_;
  std::map<int, std::deque<Seen>> memory_;  // person track id -> recent boxes
  std::vector<Object> objects_;
  int next_key_ = 1;
};

core::Result<std::unique_ptr<Rule>> MakeAbandonedObjectRule(const RuleContext& ctx,
                                                            config::MapReader& fields);

}  // namespace argus::rules
