// ByteTrack (Zhang et al., ECCV 2022): associate every detection box, high and
// low score, so occluded people whose score drops keep their identity.
// Time is stream seconds: death after max_age_seconds works at any rate.
#pragma once

#include <cstddef>
#include <memory>

#include "track/kalman_filter.h"
#include "track/track.h"

namespace argus::track {

struct ByteTrackParams {
  // Defaults are ByteTrack's, retuned on the six MOT15 train sequences with
  // their Faster R-CNN detections (scores 0.5..1, so 0.8 splits high from low):
  // birth 0.8, max age 1.2 s, Kalman position noise h/10. bench/track_mot15.sh
  // reproduces the measurement.
  static constexpr float kDefaultHighScore = 0.8f;
  static constexpr float kDefaultLowScore = 0.1f;
  static constexpr float kDefaultBirthScore = 0.8f;
  static constexpr double kDefaultFirstMatchIou = 0.2;
  static constexpr double kDefaultSecondMatchIou = 0.5;
  static constexpr double kDefaultUnconfirmedMatchIou = 0.3;
  static constexpr double kDefaultLostBuffer = 0;  // off: no gain on MOT15
  static constexpr double kDefaultLostMatchIou = 0.3;
  static constexpr int kDefaultMinHits = 2;
  static constexpr double kDefaultMaxAgeSeconds = 1.2;
  static constexpr int kDefaultMaxLostUpdates = 0;  // off
  static constexpr size_t kDefaultHistoryLength = 64;
  static constexpr double kDefaultDuplicateIou = 0.85;
  static constexpr double kDefaultKalmanPositionNoise = 0.1;  // ByteTrack: 1/20

  // Detections scoring >= high_score enter the first association and may start
  // tracks; those in [low_score, high_score) only extend existing tracks.
  float high_score = kDefaultHighScore;
  float low_score = kDefaultLowScore;
  // An unmatched high detection starts a track only if its score >= birth_score.
  float birth_score = kDefaultBirthScore;
  // Minimum similarity to match in each stage: IoU, multiplied by the detection
  // score in stages 1 and 3 when fuse_score is set (ByteTrack's fuse_score).
  double first_match_iou = kDefaultFirstMatchIou;
  double second_match_iou = kDefaultSecondMatchIou;
  double unconfirmed_match_iou = kDefaultUnconfirmedMatchIou;
  bool fuse_score = true;
  // Stage 1 matches tracks seen in the last update before lost ones, instead of
  // ByteTrack's joint pool, so a lost track never takes a tracked person's box.
  bool tracked_first = false;
  // With tracked_first, lost tracks need at least this similarity in stage 1
  // (their predicted boxes are less certain).
  double lost_first_match_iou = 0;
  // Lost tracks unmatched by the first stage try again against the remaining
  // high detections with both boxes enlarged by lost_buffer of their size on
  // each side (buffered IoU, C-BIoU), needing similarity >= lost_match_iou.
  // lost_buffer <= 0 disables.
  double lost_buffer = kDefaultLostBuffer;
  double lost_match_iou = kDefaultLostMatchIou;
  // A track is confirmed (gets an id, is reported) after min_hits matched
  // detections in consecutive updates; an unconfirmed track dies on its first miss.
  int min_hits = kDefaultMinHits;
  // Tracks in the very first update are confirmed at once (ByteTrack, SORT).
  bool confirm_in_first_update = true;
  // A lost track is removed when it has not been seen for longer than this.
  double max_age_seconds = kDefaultMaxAgeSeconds;
  // ... or when it has missed more than this many updates in a row (0: no
  // limit). Each update is another chance to take a stranger's box, so at high
  // detection rates a count bounds the risk better than a duration.
  int max_lost_updates = kDefaultMaxLostUpdates;
  // Foot points kept per track.
  size_t history_length = kDefaultHistoryLength;
  // A tracked and a lost track overlapping more than this are one person: the
  // younger is dropped. <= 0 disables.
  double duplicate_iou = kDefaultDuplicateIou;
  // Report the matched detection box instead of the Kalman-updated box.
  bool report_detection_box = false;
  KalmanParams kalman{kDefaultKalmanPositionNoise};
};

std::unique_ptr<Tracker> MakeByteTracker(const ByteTrackParams& params = {});

}  // namespace argus::track
