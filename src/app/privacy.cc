#include "app/privacy.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace argus::app {

void BlurBoxes(cv::Mat& bgr, const std::vector<core::Box>& boxes) {
  const cv::Rect frame(0, 0, bgr.cols, bgr.rows);
  for (const core::Box& b : boxes) {
    if (!(b.w > 0 && b.h > 0) || !std::isfinite(b.x) || !std::isfinite(b.y)) continue;
    const double mx = std::max<double>(kBlurMinMarginPx, b.w * kBlurMarginFraction);
    const double my = std::max<double>(kBlurMinMarginPx, b.h * kBlurMarginFraction);
    const double top = std::max<double>(kBlurMinMarginPx, b.h * kBlurHeadroomFraction);
    const double x0 = std::clamp(std::floor(b.x - mx), 0.0, static_cast<double>(bgr.cols));
    const double y0 = std::clamp(std::floor(b.y - top), 0.0, static_cast<double>(bgr.rows));
    const double x1 = std::clamp(std::ceil(b.Right() + mx), 0.0, static_cast<double>(bgr.cols));
    const double y1 = std::clamp(std::ceil(b.Bottom() + my), 0.0, static_cast<double>(bgr.rows));
    const cv::Rect r = cv::Rect(static_cast<int>(x0), static_cast<int>(y0),
                                static_cast<int>(x1 - x0), static_cast<int>(y1 - y0)) &
                       frame;
    if (r.width < 2 || r.height < 2) continue;
    // Averaging into a few cells throws the detail away for good (no deblurring brings it
    // back); scaling back up smoothly leaves no block edges that look like features.
    const int longer = std::max(r.width, r.height);
    const cv::Size cells(std::max(1, r.width * kBlurCells / longer),
                         std::max(1, r.height * kBlurCells / longer));
    cv::Mat roi = bgr(r), small;
    cv::resize(roi, small, cells, 0, 0, cv::INTER_AREA);
    cv::resize(small, roi, r.size(), 0, 0, cv::INTER_LINEAR);  // writes into `bgr`
  }
}

void ApplyBlur(cv::Mat& bgr, const BlurPlan& plan) {
  if (!plan.whole) return BlurBoxes(bgr, plan.boxes);
  if (bgr.empty()) return;
  const int longer = std::max(bgr.cols, bgr.rows);
  const cv::Size cells(std::max(1, bgr.cols * kWholeFrameBlurCells / longer),
                       std::max(1, bgr.rows * kWholeFrameBlurCells / longer));
  cv::Mat small;
  cv::resize(bgr, small, cells, 0, 0, cv::INTER_AREA);
  cv::resize(small, bgr, bgr.size(), 0, 0, cv::INTER_LINEAR);
}

std::vector<core::Box> BoxesToBlur(const std::vector<track::Track>& tracks,
                                   const std::vector<track::Track>& held,
                                   const std::vector<track::Detection>& detections,
                                   const std::vector<core::Box>& motion_regions) {
  std::vector<core::Box> out;
  out.reserve(tracks.size() + held.size() + detections.size() + motion_regions.size());
  for (const track::Track& t : tracks) out.push_back(t.box);
  for (const track::Track& t : held) out.push_back(t.box);
  for (const track::Detection& d : detections) out.push_back(d.box);
  out.insert(out.end(), motion_regions.begin(), motion_regions.end());
  return out;
}

PrivacyGuard::PrivacyGuard(double detect_fps)
    : max_age_s_(detect_fps > 0 ? std::max(kBlurPlanMaxAgeS, kBlurPlanMaxPeriods / detect_fps)
                                : kBlurPlanMaxAgeS) {}

void PrivacyGuard::Analysed(double t, bool background_learning, std::vector<core::Box> boxes) {
  trusted_ = !background_learning;
  analysed_t_ = t;
  boxes_ = std::move(boxes);
}

BlurPlan PrivacyGuard::Plan(double t) const {
  // A stream that restarted runs from 0 again: an older time is as unknown as a stale one.
  const double age = t - analysed_t_;
  if (!trusted_ || age < 0 || age > max_age_s_) return {};
  return {.whole = false, .boxes = boxes_};
}

}  // namespace argus::app
