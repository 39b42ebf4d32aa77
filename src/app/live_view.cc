#include "app/live_view.h"

#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

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
  using api::FrameVariant;
  const double now = clock_.Seconds();
  if (now - last_shown_s_ < 1.0 / kLiveViewFps) return;
  last_shown_s_ = now;
  const std::string& name = camera_.name;
  auto wanted = [&](FrameVariant v, double within_s) {
    const bool w = frames_.Wanted(name, v, within_s);
    // A variant nobody wants any more goes: a later reader never gets a stale picture.
    if (!w && published_[static_cast<int>(v)]) frames_.Clear(name, v);
    published_[static_cast<int>(v)] = w;
    return w;
  };
  const bool blurred = wanted(FrameVariant::kBlurred, kBlurredViewWantedS);
  const bool tiles_due = now - last_tile_s_ >= kTileRefreshS;
  const bool clear_tile = wanted(FrameVariant::kClearTile, kTileWantedS) && tiles_due;
  const bool blurred_tile = wanted(FrameVariant::kBlurredTile, kTileWantedS) && tiles_due;
  if (clear_tile || blurred_tile) last_tile_s_ = now;
  auto publish = [&](const cv::Mat& view, FrameVariant full, bool full_wanted, FrameVariant tile,
                     bool tile_wanted) {
    if (full_wanted) {
      if (auto jpeg = Encode(view)) frames_.Set(name, std::move(jpeg), full);
    }
    if (!tile_wanted) return;
    cv::Mat small = view;
    if (view.cols > kTileWidthPx) {
      cv::resize(view, small,
                 cv::Size(kTileWidthPx, std::max(1, view.rows * kTileWidthPx / view.cols)), 0, 0,
                 cv::INTER_AREA);
    }
    if (auto jpeg = Encode(small)) frames_.Set(name, std::move(jpeg), tile);
  };

  cv::Mat view = bgr.clone();
  annotator_.Draw(view, tracks, t);
  publish(view, FrameVariant::kClear, true, FrameVariant::kClearTile, clear_tile);
  if (blurred || blurred_tile) {
    cv::Mat hidden = bgr.clone();
    ApplyBlur(hidden, privacy);
    annotator_.Draw(hidden, tracks, t);
    publish(hidden, FrameVariant::kBlurred, blurred, FrameVariant::kBlurredTile, blurred_tile);
  }
}

}  // namespace argus::app
