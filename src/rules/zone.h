// Zone membership as every rule means it: a track is inside a zone when the
// bottom-centre of its box is, and a change of state only counts after
// `inertia` consecutive frames agree (camera.zone_inertia_frames), so jitter at
// an edge never flaps an incident.
// Thread safety: one thread (the owning rule's).
#pragma once

#include <map>
#include <vector>

#include "core/geometry.h"
#include "rules/rule.h"
#include "track/byte_tracker.h"
#include "track/track.h"

namespace argus::rules {

// How long the state of a track that disappeared is kept when the pipeline gives
// no FrameInput::active list (the tracker's default max age).
inline constexpr double kDefaultLostTrackGraceSeconds =
    track::ByteTrackParams::kDefaultMaxAgeSeconds;

// A boolean that flips only after `inertia` consecutive raw samples disagree with it.
class Debounced {
 public:
  explicit Debounced(int inertia = 1, bool initial = false)
      : inertia_(inertia < 1 ? 1 : inertia), state_(initial) {}
  // Feeds one raw sample; returns true when the stable state flipped.
  bool Update(bool raw);
  bool state() const { return state_; }

 private:
  int inertia_;
  bool state_;
  int streak_ = 0;  // consecutive samples disagreeing with state_
};

// A relative polygon converted to pixels for the current frame size (cached).
class PixelPolygon {
 public:
  PixelPolygon() = default;
  explicit PixelPolygon(core::Polygon relative) : relative_(std::move(relative)) {}
  const core::Polygon& Get(int width, int height);
  const core::Polygon& relative() const { return relative_; }

 private:
  core::Polygon relative_;
  core::Polygon pixels_;
  int width_ = -1;
  int height_ = -1;
};

// Per-track debounced "inside the zone" state.
class ZoneMembership {
 public:
  ZoneMembership(core::Polygon relative, int inertia)
      : polygon_(std::move(relative)), inertia_(inertia) {}

  struct Change {
    bool entered = false;
    bool left = false;
  };
  // Feeds one sighting of `tr` (in in.tracks); returns what changed.
  Change Update(const track::Track& tr, const FrameInput& in);
  bool Inside(int track_id) const;
  // Stream time at which the track (stably) entered; only meaningful when Inside.
  double EnteredAt(int track_id) const;
  // Track ids currently inside (including occluded ones still held).
  std::vector<int> InsideIds() const;
  // Forgets tracks that are gone: not in in.active when given, else unseen for
  // kDefaultLostTrackGraceSeconds. Returns the forgotten ids.
  std::vector<int> Prune(const FrameInput& in);
  bool RawInside(core::Point foot_px, const FrameInput& in);

 private:
  struct State {
    Debounced inside;
    double last_seen = 0;
    double entered_at = 0;
  };
  PixelPolygon polygon_;
  int inertia_;
  std::map<int, State> states_;
};

// The ids of the tracks still around in a frame: in in.tracks or in in.active
// (a lost track still held); without an active list, a track seen within
// kDefaultLostTrackGraceSeconds counts as still around.
class ActiveIds {
 public:
  explicit ActiveIds(const FrameInput& in);
  bool StillActive(int id, double last_seen) const;

 private:
  std::vector<int> ids_;  // sorted
  bool have_active_;
  double t_;
};

}  // namespace argus::rules
