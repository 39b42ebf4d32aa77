// The adapter between a camera's pipeline and its Learner: converts the
// tracker's tracks, asks an injected function for the local time slot (cached
// per minute: a time-zone conversion is not free) and hands the model to a
// saver now and then, so what was learned survives a restart.
// Thread safety: one thread per instance (the camera's analysis thread); the
// saver is called on that thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "events/event.h"
#include "learn/learner.h"
#include "track/track.h"

namespace argus::learn {

// How often (wall-clock) a running camera hands its model to the saver.
inline constexpr double kDefaultSaveEverySeconds = 600;

class CameraLearner {
 public:
  // Receives the model's text form (ActivityModel::Serialize).
  using Saver = std::function<void(const std::string& model)>;

  // The site's local time slot of a wall-clock time (see app/learn_store.h).
  using SlotOf = std::function<TimeSlot(core::WallTime)>;

  CameraLearner(const config::CameraConfig& camera, SlotOf slot_of);

  // Replaces the learned model (e.g. loaded from the store); one on another
  // grid than the config's is dropped. Call before the first frame.
  void SetModel(ActivityModel model);
  void SetSaver(Saver saver, double every_s = kDefaultSaveEverySeconds);

  void Process(const std::vector<track::Track>& tracks, int width, int height, double t,
               int64_t frame, core::WallTime wall, std::vector<events::Event>* out);
  // Ends live tracks (learning them) and saves.
  void Finish(double t, int64_t frame, std::vector<events::Event>* out);

  const Learner& learner() const { return *learner_; }

 private:
  TimeSlot SlotAt(core::WallTime wall);

  SlotOf slot_of_;
  std::string camera_;
  config::LearnConfig config_;
  std::unique_ptr<Learner> learner_;
  Saver saver_;
  double save_every_s_ = kDefaultSaveEverySeconds;
  core::WallTime last_save_{};
  bool saved_once_ = false;
  int64_t cached_minute_ = -1;
  TimeSlot cached_slot_;
  std::vector<TrackSample> samples_;
};

}  // namespace argus::learn
