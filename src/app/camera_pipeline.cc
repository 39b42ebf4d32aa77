#include "app/camera_pipeline.h"

#include "app/learn_store.h"
#include "app/track_looks.h"
#include "record/privacy_mask.h"
#include "track/byte_tracker.h"

namespace argus::app {

namespace {

// Neural detectors score people lower than the Faster R-CNN detections that
// ByteTrack's defaults were tuned on, and the tracker wants their low-score
// boxes too (second association). Measured on PETS09-S2L1 with yolox_nano:
// MOTA 0.716 -> 0.775 (bench/run.sh).
constexpr float kNeuralScoreThreshold = 0.1f;
constexpr float kNeuralHighScore = 0.5f;
constexpr float kNeuralBirthScore = 0.6f;
// A neural detector's pass costs ~50 ms per core: on frames where the tracks
// explain all motion, their predictions stand in for it this many frames in a row.
constexpr int kNeuralCoastFrames = 1;
// Appearance re-linking (track/relink_policy.h) unless the config says
// otherwise. Off: it raises IDF1 on PETS09-S2L1 for both detectors and changes
// nothing on TUD-Stadtmitte and ten Le2i clips (bench/relink_eval.py), but has
// not been measured on every Le2i clip nor run through the end-to-end tests.
constexpr bool kDefaultRelink = false;

}  // namespace

rules::SceneInput SceneOf(const motion::MotionResult& m) {
  const motion::TamperSignals& s = m.signals;
  return {.gray = &m.gray,
          .mask = &m.mask,
          .scale = m.scale,
          .changed_fraction = m.changed_fraction,
          .mean_luma = s.mean_luma,
          .uniform_fraction = s.uniform_fraction,
          .sharpness = s.sharpness,
          .background_match = s.background_match,
          .background_cells = s.background_cells};
}

CameraPipeline::CameraPipeline(const config::Config& config, const config::CameraConfig& camera)
    : site_(config.site), camera_(camera), limiter_(camera.detect_fps) {}

core::Result<std::unique_ptr<CameraPipeline>> CameraPipeline::Create(
    const config::Config& config, const config::CameraConfig& camera,
    const std::string& detector_spec, config::Diagnostics* diag) {
  std::unique_ptr<CameraPipeline> p(new CameraPipeline(config, camera));

  std::string spec = detector_spec;
  if (spec.empty()) spec = camera.detector.value_or(config.detector.spec);
  auto det_config = detect::ParseDetectorSpec(spec);
  if (!det_config.ok()) return det_config.status();
  const bool neural = det_config->kind == "onnx";
  if (config.detector.score_threshold >= 0) {
    det_config->score_threshold = static_cast<float>(config.detector.score_threshold);
  } else if (neural) {
    det_config->score_threshold = kNeuralScoreThreshold;
  }
  if (!config.detector.classes.empty()) det_config->classes = config.detector.classes;
  det_config->crops = config.detector.crops.value_or(det_config->crops);
  auto detector = detect::MakeDetector(*det_config);
  if (!detector.ok()) return detector.status();
  p->detector_ = std::move(detector).value();
  p->detector_name_ = p->detector_->name();

  p->motion_ = std::make_unique<motion::MotionDetector>(det_config->motion);

  track::ByteTrackParams tp;
  tp.max_age_seconds = config.tracker.max_age_s.value_or(tp.max_age_seconds);
  tp.min_hits = config.tracker.min_hits.value_or(tp.min_hits);
  if (neural) {
    tp.high_score = kNeuralHighScore;
    tp.birth_score = kNeuralBirthScore;
  }
  p->tracker_ = track::MakeByteTracker(tp);
  p->coast_ = track::CoastPolicy(
      {.max_coasted = config.detector.coast_frames.value_or(neural ? kNeuralCoastFrames : 0)});
  if (config.tracker.relink.value_or(kDefaultRelink))
    p->relink_ = std::make_unique<track::RelinkPolicy>();
  if (config.tracker.camera_motion)
    p->camera_motion_ = std::make_unique<motion::CameraMotionEstimator>();

  // Rules refer to the pipeline's own copies of the config, which outlive them.
  auto engine = rules::RuleEngine::Build(p->site_, p->camera_, diag);
  if (!engine.ok()) return engine.status();
  p->rules_ = std::move(engine).value();
  p->learner_ = MakeCameraLearner(p->site_, p->camera_);
  return p;
}

void CameraPipeline::ApplyPrivacyMasks(cv::Mat& bgr) const {
  // The same rasterisation as evidence clips (ClipWriter): both black out the same pixels.
  record::ApplyPrivacyMasks(bgr, camera_.privacy_masks);
}

core::Status CameraPipeline::Process(ingest::Frame& frame, core::WallTime wall, FrameOutput* out) {
  ApplyPrivacyMasks(frame.bgr);
  out->detections.clear();
  out->tracks.clear();
  out->events.clear();
  out->analysed = limiter_.Accept(frame.t);
  out->coasted = false;
  out->motion = nullptr;
  out->active = nullptr;
  if (!out->analysed) return core::Status::Ok();

  last_motion_ = motion_->Process(frame.bgr, frame.t);
  out->motion = &last_motion_;
  if (camera_motion_) {
    tracker_->SetCameraMotion(camera_motion_->Estimate(last_motion_.gray, last_motion_.scale));
  }
  out->coasted = coast_.ShouldCoast(last_motion_.regions, active_, !last_motion_.warming_up);
  if (out->coasted) {
    out->tracks = tracker_->Coast(frame.t);
  } else {
    expected_.clear();
    for (const track::Track& t : active_) expected_.push_back(t.box);
    detector_->SetExpected(expected_);
    auto dets = detector_->Detect(frame.bgr, &last_motion_);
    if (!dets.ok()) return dets.status();
    out->detections = std::move(dets).value();
    out->tracks = tracker_->Update(out->detections, frame.t);
  }
  active_ = tracker_->Active();
  // People who stopped stay foreground while their track lives.
  motion_->Hold(still_hold_.Update(active_, frame.t));
  if (relink_) {
    // Renames tracks only, after everything that feeds back into detection
    // (held boxes, coasting) has seen the tracker's own ids. Coasted boxes are
    // predictions: no crop to learn from.
    std::vector<std::optional<track::Appearance>> looks(out->tracks.size());
    if (!out->coasted) looks = DescribeTracks(frame.bgr, out->tracks, active_);
    relink_->Update(out->tracks, looks, active_, frame.t);
  }
  out->active = &active_;

  scene_ = SceneOf(last_motion_);
  rules::FrameInput in;
  in.frame = frame.number;
  in.t = frame.t;
  in.wall = wall;
  in.width = frame.bgr.cols;
  in.height = frame.bgr.rows;
  in.tracks = &out->tracks;
  in.active = &active_;
  in.scene = &scene_;
  rules_->Process(in, &out->events);
  if (learner_) {
    learner_->Process(out->tracks, in.width, in.height, in.t, in.frame, wall, &out->events);
  }
  for (events::Event& e : out->events) e.camera = camera_.name;
  last_input_ = in;
  return core::Status::Ok();
}

void CameraPipeline::Finish(FrameOutput* out) {
  out->events.clear();
  if (last_input_.frame == 0) return;
  static const std::vector<track::Track> kNone;
  last_input_.tracks = &kNone;
  last_input_.active = &kNone;
  last_input_.scene = nullptr;
  rules_->Finish(last_input_, &out->events);
  if (learner_) learner_->Finish(last_input_.t, last_input_.frame, &out->events);
  for (events::Event& e : out->events) e.camera = camera_.name;
}

}  // namespace argus::app
