// One camera's analysis: privacy masks -> rate limit -> motion -> detection ->
// tracking -> rules. The same object serves `argus analyze` (one file) and,
// later, `argus serve` (one per camera on a worker pool).
// Thread safety: one thread per instance.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "detect/detector.h"
#include "events/event.h"
#include "ingest/rate_limiter.h"
#include "ingest/video_source.h"
#include "learn/camera_learner.h"
#include "motion/camera_motion.h"
#include "motion/motion.h"
#include "rules/rule_engine.h"
#include "track/coast_policy.h"
#include "track/relink_policy.h"
#include "track/still_hold.h"
#include "track/track.h"

namespace argus::app {

// What the rules see of the motion stage's frame; the images stay owned by `m`.
rules::SceneInput SceneOf(const motion::MotionResult& m);

struct FrameOutput {
  bool analysed = false;                     // false: skipped by the detection rate limit
  bool coasted = false;                      // the detector was skipped: tracks are predictions
  std::vector<track::Detection> detections;  // empty when coasted
  std::vector<track::Track> tracks;          // confirmed tracks seen in this frame
  // Every track the tracker holds (also lost ones, at their predicted place); valid until
  // the next Process(), null when not analysed.
  const std::vector<track::Track>* active = nullptr;
  std::vector<events::Event> events;
  const motion::MotionResult* motion = nullptr;  // valid until the next Process()
};

class CameraPipeline {
 public:
  // `detector_spec` overrides the config's ("builtin", "hog", "onnx:PATH") when
  // not empty. Config problems go to `diag`.
  static core::Result<std::unique_ptr<CameraPipeline>> Create(const config::Config& config,
                                                              const config::CameraConfig& camera,
                                                              const std::string& detector_spec,
                                                              config::Diagnostics* diag);

  // Blacks out privacy masks in `frame.bgr` in place (before anything else sees
  // it), then analyses it if the rate limit lets it through.
  core::Status Process(ingest::Frame& frame, core::WallTime wall, FrameOutput* out);
  // Closes open incidents at the end of the stream.
  void Finish(FrameOutput* out);

  const std::string& detector_name() const { return detector_name_; }
  const config::CameraConfig& camera() const { return camera_; }
  // Learning of normal activity (the camera's `learn:`); nullptr when off.
  learn::CameraLearner* learner() { return learner_.get(); }

 private:
  CameraPipeline(const config::Config& config, const config::CameraConfig& camera);
  void ApplyPrivacyMasks(cv::Mat& bgr) const;

  config::SiteConfig site_;
  config::CameraConfig camera_;
  std::string detector_name_;
  ingest::RateLimiter limiter_;
  std::unique_ptr<motion::MotionDetector> motion_;
  std::unique_ptr<motion::CameraMotionEstimator> camera_motion_;  // null: off
  std::unique_ptr<detect::Detector> detector_;
  std::unique_ptr<track::Tracker> tracker_;
  track::CoastPolicy coast_{{}};  // skips the detector while the tracks explain the motion
  track::StillHold still_hold_;
  std::unique_ptr<track::RelinkPolicy> relink_;  // null: tracker ids as they are
  std::unique_ptr<rules::RuleEngine> rules_;
  std::unique_ptr<learn::CameraLearner> learner_;
  motion::MotionResult last_motion_;
  rules::SceneInput scene_;
  std::vector<track::Track> active_;
  std::vector<core::Box> expected_;  // active_'s boxes, for the detector
  rules::FrameInput last_input_;
};

}  // namespace argus::app
