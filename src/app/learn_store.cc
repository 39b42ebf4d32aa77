#include "app/learn_store.h"

#include <spdlog/spdlog.h>

#include "learn/picture.h"
#include "rules/schedule.h"

namespace argus::app {

std::unique_ptr<learn::CameraLearner> MakeCameraLearner(const config::SiteConfig& site,
                                                        const config::CameraConfig& camera) {
  if (!camera.learn.enabled) return nullptr;
  return std::make_unique<learn::CameraLearner>(camera, [tz = site.timezone](core::WallTime wall) {
    const rules::LocalTime local = rules::ToLocalTime(wall, tz);
    return learn::TimeSlot{local.minute / 60, local.weekday >= 5};
  });
}

void AttachLearnedModel(store::Store& db, core::Clock& clock, CameraPipeline& pipeline) {
  AttachLearnedModel(db, clock, pipeline.camera().name, pipeline.learner());
}

void AttachLearnedModel(store::Store& db, core::Clock& clock, const std::string& name,
                        learn::CameraLearner* learner) {
  if (learner == nullptr) return;
  auto text = db.LoadLearnedModel(name);
  if (text.ok()) {
    auto model = learn::ActivityModel::Parse(*text);
    if (model.ok()) {
      learner->SetModel(std::move(model).value());
      spdlog::info("camera {}: learned model loaded ({:.0f} tracks)", name,
                   learner->learner().model().total_tracks());
    } else {
      spdlog::warn("camera {}: stored learned model unreadable, learning afresh: {}", name,
                   model.status().message());
    }
  } else if (text.status().code() != core::StatusCode::kNotFound) {
    spdlog::warn("camera {}: cannot load learned model, learning afresh: {}", name,
                 text.status().message());
  }
  learner->SetSaver([&db, &clock, name](const std::string& model) {
    if (core::Status s = db.SaveLearnedModel(name, model, clock.Now()); !s.ok()) {
      spdlog::warn("camera {}: cannot save learned model: {}", name, s.message());
    }
  });
}

core::Result<std::string> LearnedPicture(store::Store& db, const std::string& name) {
  auto text = db.LoadLearnedModel(name);
  if (!text.ok()) {
    if (text.status().code() != core::StatusCode::kNotFound) return text.status();
    return core::NotFound("camera '" + name +
                          "' has learned nothing yet: it needs a `learn:` section, and saves "
                          "what it learned every " +
                          std::to_string(static_cast<int>(learn::kDefaultSaveEverySeconds / 60)) +
                          " minutes and when it stops");
  }
  auto model = learn::ActivityModel::Parse(*text);
  if (!model.ok()) {
    return core::Internal("camera '" + name +
                          "': stored model unreadable: " + model.status().message());
  }
  learn::PictureOptions o;  // the grid keeps the camera's usual 4:3 shape
  o.title = name;
  return learn::RenderSvg(*model, o);
}

}  // namespace argus::app
