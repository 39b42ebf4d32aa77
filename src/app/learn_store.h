// The learner of a camera (src/learn) in the pipeline, and the persistence of
// what it learned in the store of `argus serve`:
// loaded when the camera starts, saved every few minutes and when it stops.
// A store that fails costs only the persistence: the camera keeps learning.
#pragma once

#include <memory>

#include "app/camera_pipeline.h"
#include "core/clock.h"
#include "store/store.h"

namespace argus::app {

// The camera's learner, with time slots in the site's time zone; nullptr when
// the camera does not learn.
std::unique_ptr<learn::CameraLearner> MakeCameraLearner(const config::SiteConfig& site,
                                                        const config::CameraConfig& camera);

// Does nothing when the camera does not learn. Call before the camera's first
// frame; `db` and `clock` must outlive the pipeline. The saves run on the
// camera's analysis thread (Store is thread-safe).
void AttachLearnedModel(store::Store& db, core::Clock& clock, CameraPipeline& pipeline);
// The same for a learner of camera `name` (nullptr: nothing to do).
void AttachLearnedModel(store::Store& db, core::Clock& clock, const std::string& name,
                        learn::CameraLearner* learner);

// The picture of what camera `name` learned (learn/picture.h: occupancy, flow, speed), as
// SVG, from its model in the store. kNotFound, saying why, when the store has none: the
// camera does not learn, or has not saved its model yet (every kDefaultSaveEverySeconds).
core::Result<std::string> LearnedPicture(store::Store& db, const std::string& name);

}  // namespace argus::app
