// Re-links a person's track after an occlusion: when the tracker starts a new
// track near where and soon after another one was lost, and the new one looks
// (track/appearance.h) clearly more like it than like any other candidate, the
// new track takes the old one's id: fewer identity switches. Only tracks the
// tracker has let go of are candidates (one it still holds may be found again).
//
// It works beside any tracker, on the ids it reports: every confirmed tracker
// id gets an output id of its own, unless it is re-linked to an earlier one.
// A new track may be linked during its first `decide_updates` frames (the
// first crops may be unusable). Nothing outlives `window_s` after its track
// was last seen: descriptors stay in memory only, and are dropped then.
// Pure; thread safety: one thread per instance.
#pragma once

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "track/appearance.h"
#include "track/track.h"

namespace argus::track {

struct RelinkParams {
  static constexpr double kDefaultWindowS = 6.0;
  static constexpr double kDefaultBaseGate = 1.0;
  static constexpr double kDefaultMaxSpeed = 1.5;
  static constexpr double kDefaultGateGrowth = 1.0;
  static constexpr double kDefaultMaxSizeRatio = 1.6;
  static constexpr double kDefaultMaxDistance = 0.25;
  static constexpr double kDefaultAmbiguityRatio = 0.8;
  static constexpr int kDefaultMinSamples = 2;
  static constexpr int kDefaultDecideUpdates = 3;

  // Longest gap between the old track's last sighting and the new one's first.
  double window_s = kDefaultWindowS;
  // The new track must start within base_gate + gate_growth * gap (box heights
  // of the old track, gap in seconds) of where the old one would be had it
  // walked on at its last velocity, capped at max_speed heights per second.
  double base_gate = kDefaultBaseGate;
  double gate_growth = kDefaultGateGrowth;
  double max_speed = kDefaultMaxSpeed;
  // ... and have a box height within this ratio of the old one's.
  double max_size_ratio = kDefaultMaxSizeRatio;
  // Appearance distance to accept a link, and the margin over the alternatives:
  // the best pair must be below ambiguity_ratio x the next best for either side.
  double max_distance = kDefaultMaxDistance;
  double ambiguity_ratio = kDefaultAmbiguityRatio;
  // Usable crops an old track needs before anything is linked to it.
  int min_samples = kDefaultMinSamples;
  int decide_updates = kDefaultDecideUpdates;
};

class RelinkPolicy {
 public:
  explicit RelinkPolicy(const RelinkParams& p = {}) : p_(p) {}

  // One analysed frame at stream time `t`. `tracks`: the tracker's confirmed
  // tracks seen in this frame; `looks[i]`: the descriptor of tracks[i]'s crop,
  // nullopt when unusable (or on a frame without detection); `active`: every
  // track the tracker holds. Replaces the tracker ids in both with output ids.
  void Update(std::vector<Track>& tracks, const std::vector<std::optional<Appearance>>& looks,
              std::vector<Track>& active, double t);

  // Tracks remembered (visible, lost or recently ended), descriptors included.
  size_t remembered() const { return entries_.size(); }
  // Links made so far.
  int links() const { return links_; }

 private:
  struct Entry {
    int out_id = 0;
    AppearanceModel look;
    core::Box first_box, last_box;
    core::Point velocity;  // of the foot, pixels per second, when last seen
    double first_t = 0, last_t = 0;
    int updates = 0;        // frames seen
    bool decided = false;   // may no longer be linked to an older track
    bool candidate = true;  // may still take a newer track (false once its id moved on)
    bool seen = false;      // in this frame
  };
  // Whether `n` (new) may continue `o` (old): time, place and size gates.
  bool Plausible(const Entry& n, const Entry& o) const;
  // `held`: tracker ids the tracker still holds (tracked or lost).
  void LinkNewTracks(const std::unordered_set<int>& held);

  RelinkParams p_;
  std::unordered_map<int, Entry> entries_;  // by tracker id
  int next_out_ = 1;
  int links_ = 0;
};

}  // namespace argus::track
