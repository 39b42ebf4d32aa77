#include "app/live_view.h"

#include <memory>
#include <opencv2/imgcodecs.hpp>

namespace argus::app {

namespace {

std::shared_ptr<const std::string> Encode(const cv::Mat& view) {
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", view, jpeg, {cv::IMWRITE_JPEG_QUALITY, kLiveViewJpegQuality})) {
    return nullptr;
  }
  return std::make_shared<const std::string>(jpeg.begin(), jpeg.end());
}

}  // namespace

void LiveView::Update(const cv::Mat& bgr, const std::vector<track::Track>& tracks,
                      const BlurPlan& privacy, double t) {
  const double now = clock_.Seconds();
  if (now - last_shown_s_ < 1.0 / kLiveViewFps) return;
  last_shown_s_ = now;
  const std::string& name = camera_.name;
  cv::Mat view = bgr.clone();
  annotator_.Draw(view, tracks, t);
  if (auto jpeg = Encode(view)) frames_.Set(name, std::move(jpeg));
  const bool wanted = frames_.Wanted(name, api::FrameVariant::kBlurred, kBlurredViewWantedS);
  if (wanted) {
    cv::Mat blurred = bgr.clone();
    ApplyBlur(blurred, privacy);
    annotator_.Draw(blurred, tracks, t);
    if (auto jpeg = Encode(blurred))
      frames_.Set(name, std::move(jpeg), api::FrameVariant::kBlurred);
  } else if (blurred_live_) {
    frames_.Clear(name, api::FrameVariant::kBlurred);  // a later viewer gets a fresh one
  }
  blurred_live_ = wanted;
}

}  // namespace argus::app
