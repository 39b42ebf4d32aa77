#include "record/snapshot.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace argus::record {
namespace {

// Line width and text size grow with the frame so the box reads the same at 480p and 4K.
constexpr int kReferenceHeight = 480;
constexpr double kFontScaleAtReference = 0.6;

}  // namespace

void DrawAlertBox(cv::Mat& bgr, const core::Box& box, const std::string& label) {
  const cv::Rect frame(0, 0, bgr.cols, bgr.rows);
  const cv::Rect r =
      cv::Rect(static_cast<int>(std::lround(box.x)), static_cast<int>(std::lround(box.y)),
               static_cast<int>(std::lround(box.w)), static_cast<int>(std::lround(box.h))) &
      frame;
  if (r.empty()) return;
  const double scale = std::max(1.0, static_cast<double>(bgr.rows) / kReferenceHeight);
  const int thickness = std::max(2, static_cast<int>(std::lround(2 * scale)));
  cv::rectangle(bgr, r, kSnapshotBoxColor, thickness);
  if (label.empty()) return;

  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const double font_scale = kFontScaleAtReference * scale;
  const int text_thickness = std::max(1, thickness / 2);
  int baseline = 0;
  const cv::Size ts = cv::getTextSize(label, font, font_scale, text_thickness, &baseline);
  const int pad = thickness;
  const int bar_h = ts.height + baseline + 2 * pad;
  // Above the box when there is room, otherwise just inside its top edge.
  int y0 = r.y - bar_h >= 0 ? r.y - bar_h : r.y;
  int x0 = std::min(r.x, std::max(0, bgr.cols - ts.width - 2 * pad));
  const cv::Rect bar = cv::Rect(x0, y0, ts.width + 2 * pad, bar_h) & frame;
  cv::rectangle(bgr, bar, kSnapshotBoxColor, cv::FILLED);
  cv::putText(bgr, label, {x0 + pad, y0 + pad + ts.height}, font, font_scale,
              cv::Scalar(255, 255, 255), text_thickness, cv::LINE_AA);
}

core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const core::Box& box,
                           const std::string& label, int quality) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return core::InvalidArgument("snapshot " + path + ": need a non-empty BGR image");
  }
  cv::Mat annotated = bgr.clone();
  DrawAlertBox(annotated, box, label);
  return WriteJpeg(path, annotated, quality);
}

}  // namespace argus::record
