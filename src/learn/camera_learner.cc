#include "learn/camera_learner.h"

namespace argus::learn {

CameraLearner::CameraLearner(const config::CameraConfig& camera, SlotOf slot_of)
    : slot_of_(std::move(slot_of)), camera_(camera.name), config_(camera.learn) {
  SetModel(ActivityModel({config_.grid_cols, config_.grid_rows}, config_.half_life_days));
}

void CameraLearner::SetModel(ActivityModel model) {
  learner_ = std::make_unique<Learner>(camera_, config_, std::move(model));
}

void CameraLearner::SetSaver(Saver saver, double every_s) {
  saver_ = std::move(saver);
  save_every_s_ = every_s;
}

TimeSlot CameraLearner::SlotAt(core::WallTime wall) {
  const int64_t minute =
      std::chrono::duration_cast<std::chrono::minutes>(wall.time_since_epoch()).count();
  if (minute != cached_minute_) {
    cached_slot_ = slot_of_(wall);
    cached_minute_ = minute;
  }
  return cached_slot_;
}

void CameraLearner::Process(const std::vector<track::Track>& tracks, int width, int height,
                            double t, int64_t frame, core::WallTime wall,
                            std::vector<events::Event>* out) {
  samples_.clear();
  for (const track::Track& tr : tracks) samples_.push_back({tr.id, t, tr.box, tr.label});
  learner_->Observe(samples_, width, height, t, frame, wall, SlotAt(wall), out);
  if (!saver_) return;
  if (!saved_once_) {  // the first frame only starts the period
    saved_once_ = true;
    last_save_ = wall;
  } else if (std::chrono::duration<double>(wall - last_save_).count() >= save_every_s_) {
    last_save_ = wall;
    saver_(learner_->model().Serialize());
  }
}

void CameraLearner::Finish(double t, int64_t frame, std::vector<events::Event>* out) {
  learner_->Finish(t, frame, out);
  if (saver_) saver_(learner_->model().Serialize());
}

}  // namespace argus::learn
