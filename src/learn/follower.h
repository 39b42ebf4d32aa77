// Following a person across cameras: an operator marks a track ("follow", with a
// reason), and the person's next tracks join the follow as the hand-off linker
// (handoff.h) links them in adjacent cameras. Each time the person appears in a
// camera or enters one of its zones, a sighting says where, how sure, and why
// they are followed; the control room turns sightings into events.
//
// A follow is about tracks (camera, track id), never about who someone is: it
// ends when the person is not seen for longer than any hand-off could bridge,
// or when an operator stops it. Nothing here is stored; the caller audits the
// operator's actions.
//
// Pure: cameras are names, times are seconds of one clock all cameras share,
// boxes are whatever the caller passes. Thread safety: one thread per instance.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"
#include "learn/handoff.h"

namespace argus::learn {

struct FollowParams {
  // Follows running at once; more are refused (each is an operator's decision).
  static constexpr int kDefaultMaxActive = 64;
  // Ended follows still listed (the most recent).
  static constexpr int kDefaultKeepEnded = 100;
  // A zone the person left less than this ago and enters again is no news.
  static constexpr double kDefaultZoneReentryS = 10;
  // Without adjacent cameras, a person unseen this long is lost.
  static constexpr double kDefaultLostAfterS = 30;

  int max_active = kDefaultMaxActive;
  int keep_ended = kDefaultKeepEnded;
  double zone_reentry_s = kDefaultZoneReentryS;
  // A follow ends when its person was seen by no camera for
  // max(lost_after_s, the longest adjacency's max_transit_s).
  double lost_after_s = kDefaultLostAfterS;
  HandoffParams handoff;
};

struct Follow {
  int64_t id = 0;
  std::string by, reason;  // the operator, and why
  double started_t = 0;
  int global_id = 0;  // the hand-off linker's id of the person's first track
  // Where the person was last seen.
  std::string camera;
  int track = 0;
  double last_seen_t = 0;
  std::vector<std::string> cameras;  // every camera the person was seen in, in order
  bool active = true;
  std::string ended;  // why it ended: "stopped by NAME" or "lost: ..."
};

// One track of a camera frame.
struct SeenTrack {
  int id = 0;
  core::Box box;
  std::optional<track::Appearance> look;  // nullopt: unusable crop
  std::vector<std::string> zones;         // the zones its foot point is in
};

struct Sighting {
  enum class Kind { kAppeared, kEnteredZone };
  Kind kind = Kind::kAppeared;
  Follow follow;  // as it is after this sighting
  std::string camera;
  int track = 0;
  core::Box box;
  std::string zone;                 // kEnteredZone
  std::optional<HandoffLink> link;  // kAppeared: the hand-off that found them
};
const char* ToString(Sighting::Kind k);

class Follower {
 public:
  explicit Follower(std::vector<Adjacency> adjacency, const FollowParams& p = {});

  // The tracks `camera` sees at `t` (its times increase); `alive`: the ids of
  // every track its tracker still holds (also those hidden this frame). Tracks
  // that left `alive` have ended.
  std::vector<Sighting> Observe(const std::string& camera, double t,
                                const std::vector<SeenTrack>& seen, const std::set<int>& alive);
  // The camera stopped: its tracks end.
  void EndCamera(const std::string& camera, double t);

  // Follows the person of `camera`'s track (seen in its last frame). Following
  // a person already followed returns that follow. kInvalidArgument without a
  // reason, kNotFound for a track not in view, kResourceExhausted beyond
  // max_active.
  core::Result<Follow> Start(const std::string& camera, int track, const std::string& by,
                             const std::string& reason, double t);
  // kNotFound for an unknown id; an ended follow is returned as it is.
  core::Result<Follow> Stop(int64_t id, const std::string& by, double t);
  // Active follows first (newest first), then the most recently ended. Follows
  // whose person is lost by `t` end first.
  std::vector<Follow> Follows(double t);
  // The follow of a camera's track, 0 when none.
  int64_t FollowOf(const std::string& camera, int track) const;
  // Whether `camera` has an adjacent camera (fixed at construction).
  bool HandsOff(const std::string& camera) const { return linked_.count(camera) > 0; }
  // The hand-off linker's site-wide id of a camera's track; 0 for a camera with no
  // adjacent camera, or a track it forgot.
  int GlobalId(const std::string& camera, int track) const {
    return linker_.GlobalId(camera, track);
  }

 private:
  struct Key {
    std::string camera;
    int track;
    auto operator<=>(const Key&) const = default;
  };
  struct Member {
    int64_t follow = 0;
    double last_t = 0;
    std::map<std::string, double> zones;  // zone -> last time inside
  };
  void Join(const Key& key, int64_t follow, double t, const std::vector<std::string>& zones);
  void Seen(Follow& f, const Key& key, double t);
  void EndTracks(const std::string& camera, const std::set<int>& alive, double t);
  void End(Follow& f, std::string why);
  void ExpireLost(double t);

  FollowParams p_;
  double lost_after_s_;
  std::set<std::string> linked_;  // cameras with an adjacent camera
  HandoffLinker linker_{{}};
  std::map<int64_t, Follow> active_;
  std::deque<Follow> ended_;       // newest last
  std::map<Key, Member> members_;  // tracks of active follows (also ended ones, for hand-off)
  std::map<std::string, std::map<int, std::vector<std::string>>> last_seen_;  // camera -> zones
  std::map<std::string, std::set<int>> alive_;
  int64_t next_id_ = 1;
};

}  // namespace argus::learn
