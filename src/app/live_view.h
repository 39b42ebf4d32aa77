// One camera's live pictures on the api::FrameHub (the dashboard's MJPEG view): the
// annotated frame for operators a few times a second, and for viewers the same with
// whatever might be a person blurred under the overlays (or the whole picture, when in
// doubt: app/privacy.h), made only while someone watches it (a blur and a second encode
// per frame); and both as small tiles for camera walls (api::FrameVariant), made only
// while a wall shows them.
//
// Thread safety: one thread at a time (the camera's analysis, which the AnalysisPool
// gives to one worker at a time); no mutex.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "api/frame_hub.h"
#include "app/annotator.h"
#include "app/privacy.h"
#include "config/config.h"
#include "core/clock.h"
#include "events/event.h"
#include "track/track.h"

namespace argus::app {

// The live view costs a JPEG encode per frame shown: a few per second is what a camera
// wall needs, and keeps the cost per camera small.
inline constexpr double kLiveViewFps = 2;
inline constexpr int kLiveViewJpegQuality = 70;
// The blurred view is made only while someone asked for it this recently (an open MJPEG
// stream asks several times a second).
inline constexpr double kBlurredViewWantedS = 5;
// Camera wall tiles: at most this wide (a tile on a 1920 px screen is ~200 px; 320 stays
// sharp on a high-density one), made at most this often, and only while a wall asked
// for them this recently (a wall asks about once a second; a busy one less often, and a
// tile that went in between would cost it a full picture).
inline constexpr int kTileWidthPx = 320;
inline constexpr double kTileRefreshS = 1;
inline constexpr double kTileWantedS = 30;

class LiveView {
 public:
  // `camera` must outlive the view.
  LiveView(const config::CameraConfig& camera, api::FrameHub& frames, const core::Clock& clock)
      : camera_(camera), annotator_(camera), frames_(frames), clock_(clock) {}

  // The incidents the frame's events open or close (drawn in red).
  void Observe(const std::vector<events::Event>& events) { annotator_.Observe(events); }
  // An analysed frame with its tracks and what viewers may not see; shown at most
  // kLiveViewFps.
  void Update(const cv::Mat& bgr, const std::vector<track::Track>& tracks, const BlurPlan& privacy,
              double t);

 private:
  const config::CameraConfig& camera_;
  Annotator annotator_;
  api::FrameHub& frames_;
  const core::Clock& clock_;
  double last_shown_s_ = -1e9;
  double last_tile_s_ = -1e9;
  bool published_[api::kFrameVariants] = {};  // per variant but kClear: made lately
};

}  // namespace argus::app
