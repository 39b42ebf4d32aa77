#include "app/track_looks.h"

namespace argus::app {

std::vector<std::optional<track::Appearance>> DescribeTracks(
    const cv::Mat& bgr, const std::vector<track::Track>& tracks,
    const std::vector<track::Track>& active) {
  std::vector<std::optional<track::Appearance>> looks(tracks.size());
  if (bgr.empty() || bgr.type() != CV_8UC3) return looks;
  const track::PixelView view{bgr.data, bgr.cols, bgr.rows, bgr.step};
  std::vector<core::Box> others;
  for (size_t i = 0; i < tracks.size(); ++i) {
    others.clear();
    for (const track::Track& a : active) {
      if (a.id != tracks[i].id) others.push_back(a.box);
    }
    if (track::CropUsable(tracks[i].box, others, bgr.cols, bgr.rows)) {
      looks[i] = track::Describe(view, tracks[i].box);
    }
  }
  return looks;
}

}  // namespace argus::app
