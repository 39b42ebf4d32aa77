#include "record/snapshot.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace argus::record {
namespace {

// Line width and text size grow with the frame so the drawing reads the same at 480p and 4K.
constexpr int kReferenceHeight = 480;
constexpr double kFontScaleAtReference = 0.6;
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

double ScaleOf(const cv::Mat& bgr) {
  return std::max(1.0, static_cast<double>(bgr.rows) / kReferenceHeight);
}
int ThicknessOf(double scale) { return std::max(2, static_cast<int>(std::lround(2 * scale))); }
cv::Point Px(core::Point p) { return {cvRound(p.x), cvRound(p.y)}; }

// A label to place: its text, colour and the box it belongs next to.
struct Label {
  std::string text;
  cv::Scalar colour;
  cv::Rect anchor;
};

// Where a `size` label goes beside `anchor`: the first candidate (above, below, inside the
// top, right, left) that fits in the frame and covers no placed label; failing that, the one
// covering the least.
cv::Rect PlaceLabel(cv::Size size, const cv::Rect& anchor, const cv::Rect& frame,
                    const std::vector<cv::Rect>& placed) {
  const int x = anchor.x, y = anchor.y, gap = 2;
  const cv::Point candidates[] = {
      {x, y - size.height},     {x, anchor.br().y},        {x, y},
      {anchor.br().x + gap, y}, {x - size.width - gap, y}, {x, anchor.br().y + size.height},
      {x, y - 2 * size.height}};
  cv::Rect best;
  long best_overlap = -1;
  for (cv::Point c : candidates) {
    // Slid into the frame when it sticks out at a side.
    c.x = std::clamp(c.x, 0, std::max(0, frame.width - size.width));
    c.y = std::clamp(c.y, 0, std::max(0, frame.height - size.height));
    const cv::Rect r(c, size);
    long overlap = 0;
    for (const cv::Rect& p : placed) overlap += (r & p).area();
    if (overlap == 0) return r;
    if (best_overlap < 0 || overlap < best_overlap) {
      best = r;
      best_overlap = overlap;
    }
  }
  return best;
}

std::vector<core::Box> DrawLabels(cv::Mat& bgr, const std::vector<Label>& labels, double scale) {
  const cv::Rect frame(0, 0, bgr.cols, bgr.rows);
  const double font_scale = kFontScaleAtReference * scale;
  const int pad = ThicknessOf(scale);
  const int text_thickness = std::max(1, pad / 2);
  std::vector<cv::Rect> placed;
  std::vector<core::Box> out;
  for (const Label& l : labels) {
    if (l.text.empty()) continue;
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(l.text, kFont, font_scale, text_thickness, &baseline);
    const cv::Size size(ts.width + 2 * pad, ts.height + baseline + 2 * pad);
    const cv::Rect r = PlaceLabel(size, l.anchor, frame, placed);
    placed.push_back(r);
    cv::rectangle(bgr, r & frame, l.colour, cv::FILLED);
    // White on red, black on the light zone and line colours: legible either way.
    const bool dark = l.colour[0] + l.colour[1] + l.colour[2] < 400;
    cv::putText(bgr, l.text, {r.x + pad, r.y + pad + ts.height}, kFont, font_scale,
                dark ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), text_thickness,
                cv::LINE_AA);
    out.push_back({static_cast<double>(r.x), static_cast<double>(r.y), static_cast<double>(r.width),
                   static_cast<double>(r.height)});
  }
  return out;
}

cv::Rect BoxRect(const core::Box& b) {
  return {static_cast<int>(std::lround(b.x)), static_cast<int>(std::lround(b.y)),
          static_cast<int>(std::lround(b.w)), static_cast<int>(std::lround(b.h))};
}

}  // namespace

std::vector<core::Box> DrawEvidence(cv::Mat& bgr, const SnapshotOverlay& o) {
  const double scale = ScaleOf(bgr);
  const int thickness = ThicknessOf(scale);
  const cv::Rect frame(0, 0, bgr.cols, bgr.rows);
  std::vector<Label> labels;
  // The alert's label first: it gets the place beside its box.
  const cv::Rect box = o.box.w > 0 && o.box.h > 0 ? BoxRect(o.box) & frame : cv::Rect();
  if (!box.empty()) labels.push_back({o.label, kSnapshotBoxColor, box});

  if (o.zone.size() >= 3) {
    std::vector<cv::Point> pts;
    for (const core::Point& p : o.zone) pts.push_back(Px(p));
    cv::polylines(bgr, pts, true, kSnapshotZoneColor, thickness, cv::LINE_AA);
    labels.push_back({o.zone_name, kSnapshotZoneColor, cv::boundingRect(pts) & frame});
  }
  if (o.line) {
    const cv::Point a = Px(o.line->first), b = Px(o.line->second);
    cv::line(bgr, a, b, kSnapshotLineColor, thickness, cv::LINE_AA);
    // Its ends, so a crossing can be told from a near miss past the end.
    cv::circle(bgr, a, 2 * thickness, kSnapshotLineColor, cv::FILLED, cv::LINE_AA);
    cv::circle(bgr, b, 2 * thickness, kSnapshotLineColor, cv::FILLED, cv::LINE_AA);
    const cv::Rect span = cv::Rect(a, b) | cv::Rect(a, cv::Size(1, 1));
    labels.push_back({o.line_name, kSnapshotLineColor, span & frame});
  }
  if (o.path.size() >= 2) {
    std::vector<cv::Point> pts;
    for (const core::Point& p : o.path) pts.push_back(Px(p));
    cv::polylines(bgr, pts, false, kSnapshotPathColor, thickness, cv::LINE_AA);
    cv::circle(bgr, pts.back(), 2 * thickness, kSnapshotPathColor, cv::FILLED, cv::LINE_AA);
  }
  if (!box.empty()) cv::rectangle(bgr, box, kSnapshotBoxColor, thickness);
  return DrawLabels(bgr, labels, scale);
}

void DrawAlertBox(cv::Mat& bgr, const core::Box& box, const std::string& label) {
  DrawEvidence(bgr, {.box = box, .label = label});
}

core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const SnapshotOverlay& o,
                           int quality) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return core::InvalidArgument("snapshot " + path + ": need a non-empty BGR image");
  }
  cv::Mat annotated = bgr.clone();
  DrawEvidence(annotated, o);
  return WriteJpeg(path, annotated, quality);
}

core::Status WriteSnapshot(const std::string& path, const cv::Mat& bgr, const core::Box& box,
                           const std::string& label, int quality) {
  return WriteSnapshot(path, bgr, SnapshotOverlay{.box = box, .label = label}, quality);
}

}  // namespace argus::record
