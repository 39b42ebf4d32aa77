// Cross-camera hand-off: when a person leaves one camera's view and appears in
// an adjacent camera's (the site model's `adjacency:`), their new track is
// linked to the old one, and both share a global id across the site.
//
// A link weighs two things: appearance (track/appearance.h: clothing colours
// and texture, never the face) and how plausible the transit time is between
// the two cameras, learned online from the hand-offs Argus was sure of. Each
// candidate's score is their product; the confidence of the best is its score
// over the sum of all candidates' plus that of "a person not seen before", so
// two look-alikes at plausible times share the confidence and neither is
// linked. Descriptors stay in memory only, for as long as a track can still be
// handed off (`max_transit_s` after it was last seen).
//
// Pure: cameras are names, times are seconds of a clock every camera shares,
// places are relative to the frame (0..1). Thread safety: one thread per
// instance.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "track/appearance.h"

namespace argus::learn {

// Two cameras a person can walk between without passing a third one.
struct Adjacency {
  static constexpr double kDefaultMaxTransitS = 60.0;
  std::string a, b;
  double max_transit_s = kDefaultMaxTransitS;  // longer gaps are never linked
};

// Transit times from one camera to another, as a histogram over
// [0, max_transit_s] that forgets exponentially (a rearranged gallery is
// learned anew). Fixed size: bounded memory whatever the traffic.
class TransitModel {
 public:
  static constexpr int kBins = 24;
  // Hand-offs it takes before the learned shape replaces the flat prior.
  static constexpr double kMinLearned = 5;
  // Each new hand-off weighs this much more than the one before (a horizon of
  // about 1 / (1 - kDecay) = 200 hand-offs).
  static constexpr double kDecay = 0.995;
  // A transit time never seen keeps this plausibility once learned: a slow
  // visitor is unusual, not impossible.
  static constexpr double kFloor = 0.05;

  explicit TransitModel(double max_transit_s = Adjacency::kDefaultMaxTransitS)
      : max_s_(max_transit_s) {}
  void Add(double transit_s);
  // 0..1: 1 at the most common transit time; 0 outside [0, max_transit_s].
  // Flat (1) until kMinLearned hand-offs were learned.
  double Plausibility(double transit_s) const;
  double learned() const { return total_; }  // decayed count of hand-offs
  double max_transit_s() const { return max_s_; }

 private:
  int Bin(double transit_s) const;
  double max_s_;
  std::array<double, kBins> bins_{};
  double total_ = 0;
};

struct HandoffParams {
  static constexpr double kDefaultMaxDistance = 0.3;
  static constexpr double kDefaultNewPersonScore = 0.25;
  static constexpr double kDefaultMinConfidence = 0.5;
  static constexpr double kDefaultLearnConfidence = 0.7;
  static constexpr int kDefaultDecideSamples = 4;
  static constexpr int kDefaultMinSamples = 2;
  static constexpr size_t kDefaultMaxRemembered = 4096;

  // Appearance distance (0..1) at which a candidate's appearance score reaches 0.
  double max_distance = kDefaultMaxDistance;
  // The score of "nobody seen before": a lone candidate needs more than this to count.
  double new_person_score = kDefaultNewPersonScore;
  // Confidence to link, and to learn the transit time from the link.
  double min_confidence = kDefaultMinConfidence;
  double learn_confidence = kDefaultLearnConfidence;
  // A new track is first judged once it has this many usable crops, again at
  // twice and four times as many (its look firms up) unless linked, and last
  // when it ends.
  int decide_samples = kDefaultDecideSamples;
  // Usable crops an old track needs to be a candidate.
  int min_samples = kDefaultMinSamples;
  // Tracks remembered at most (the oldest go first), whatever the traffic.
  size_t max_remembered = kDefaultMaxRemembered;
  // For measurement: score candidates on one cue only.
  bool use_appearance = true;
  bool use_time = true;
};

// One track in one camera frame.
struct HandoffObservation {
  int track = 0;                          // the camera's own track id
  std::optional<track::Appearance> look;  // nullopt: unusable crop this frame
};

struct HandoffLink {
  std::string from_camera;
  int from_track = 0;
  std::string to_camera;
  int to_track = 0;
  int global_id = 0;
  double confidence = 0;  // 0..1
  double transit_s = 0;   // from the old track's last sighting to the new one's first
  double appearance_distance = 0;
  double time_plausibility = 0;
};

class HandoffLinker {
 public:
  explicit HandoffLinker(std::vector<Adjacency> adjacency, const HandoffParams& p = {});

  // The tracks `camera` sees in its frame at time `t` (times of one camera
  // increase). Returns the hand-offs decided in this call.
  std::vector<HandoffLink> Update(const std::string& camera, double t,
                                  const std::vector<HandoffObservation>& tracks);
  // The track has ended (the tracker dropped it): decided now if it was not yet.
  std::vector<HandoffLink> End(const std::string& camera, int track, double t);

  // The site-wide id of a camera's track (0: never observed, or forgotten).
  int GlobalId(const std::string& camera, int track) const;
  const TransitModel* Transit(const std::string& from, const std::string& to) const;
  size_t remembered() const { return tracks_.size(); }

 private:
  struct Key {
    std::string camera;
    int track;
    auto operator<=>(const Key&) const = default;
  };
  struct Entry {
    int global_id = 0;
    track::AppearanceModel look;
    double first_t = 0, last_t = 0;
    int crops = 0;            // usable crops so far
    bool decided = false;     // linked, or judged for the last time
    bool handed_off = false;  // already continued in another camera
  };
  std::optional<HandoffLink> Decide(const Key& key, Entry& e, bool last);
  void Forget(double now);

  HandoffParams p_;
  // Ordered pairs (from, to) of adjacent cameras.
  std::map<std::pair<std::string, std::string>, TransitModel> transit_;
  std::map<Key, Entry> tracks_;
  double max_transit_s_ = 0;
  int next_global_ = 1;
};

}  // namespace argus::learn
