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

void SceneProof::Update(double t, const core::GrayImage& gray, const core::GrayImage& mask,
                        double scale, const std::vector<core::Box>& people, bool relearning) {
  const bool same_size = !gray.empty() && gray.width == width_ && gray.height == height_ &&
                         mask.width == gray.width && mask.height == gray.height;
  // A stream that restarted runs from 0 again: its picture is as unknown as a new one.
  if (!same_size || relearning || t < t_) {
    width_ = gray.width;
    height_ = gray.height;
    cols_ = (width_ + kSceneProofCellPx - 1) / kSceneProofCellPx;
    rows_ = (height_ + kSceneProofCellPx - 1) / kSceneProofCellPx;
    changed_t_.assign(static_cast<size_t>(cols_) * rows_, t);
    ref_ = gray;
  }
  t_ = t;
  scale_ = scale > 0 ? scale : 1;
  std::vector<uint8_t> covered(changed_t_.size(), 0);  // per cell: under a person box
  for (const core::Box& b : people) {
    if (!(b.w > 0 && b.h > 0) || !std::isfinite(b.x) || !std::isfinite(b.y)) continue;
    const double c = kSceneProofCellPx * scale_;
    const int x0 = std::max(0, static_cast<int>(std::floor(b.x / c)));
    const int y0 = std::max(0, static_cast<int>(std::floor(b.y / c)));
    const int x1 = std::min(cols_ - 1, static_cast<int>(std::floor(b.Right() / c)));
    const int y1 = std::min(rows_ - 1, static_cast<int>(std::floor(b.Bottom() / c)));
    for (int cy = y0; cy <= y1; ++cy) {
      for (int cx = x0; cx <= x1; ++cx) covered[static_cast<size_t>(cy) * cols_ + cx] = 1;
    }
  }
  if (gray.empty()) return;
  for (int cy = 0; cy < rows_; ++cy) {
    for (int cx = 0; cx < cols_; ++cx) {
      const size_t i = static_cast<size_t>(cy) * cols_ + cx;
      if (!covered[i] && !Active(cx, cy, gray, mask)) continue;
      changed_t_[i] = t;
      // The cell's new look is what later frames are compared with.
      for (int y = cy * kSceneProofCellPx; y < std::min(height_, (cy + 1) * kSceneProofCellPx);
           ++y) {
        for (int x = cx * kSceneProofCellPx; x < std::min(width_, (cx + 1) * kSceneProofCellPx);
             ++x) {
          ref_.at(x, y) = gray.at(x, y);
        }
      }
    }
  }
}

bool SceneProof::Active(int cx, int cy, const core::GrayImage& gray,
                        const core::GrayImage& mask) const {
  const int x0 = cx * kSceneProofCellPx, y0 = cy * kSceneProofCellPx;
  const int x1 = std::min(width_, x0 + kSceneProofCellPx);
  const int y1 = std::min(height_, y0 + kSceneProofCellPx);
  const int limit =
      std::max(kSceneProofMinChanged, static_cast<int>((x1 - x0) * (y1 - y0) * kSceneProofChanged));
  int foreground = 0, drifted = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      foreground += mask.at(x, y) != 0;
      drifted += std::abs(gray.at(x, y) - ref_.at(x, y)) > kSceneProofLevel;
    }
  }
  return foreground >= limit || drifted >= limit;
}

std::vector<core::Box> SceneProof::Unproven() const {
  std::vector<core::Box> out;
  const double c = kSceneProofCellPx * scale_;
  for (int cy = 0; cy < rows_; ++cy) {
    for (int cx = 0; cx < cols_;) {
      if (Proven(static_cast<size_t>(cy) * cols_ + cx)) {
        ++cx;
        continue;
      }
      const int start = cx;
      while (cx < cols_ && !Proven(static_cast<size_t>(cy) * cols_ + cx)) ++cx;
      out.push_back({start * c, cy * c, (cx - start) * c, c});
    }
  }
  return out;
}

double SceneProof::UnprovenShare() const {
  if (changed_t_.empty()) return 1;
  size_t n = 0;
  for (size_t i = 0; i < changed_t_.size(); ++i) n += !Proven(i);
  return static_cast<double>(n) / changed_t_.size();
}

void PrivacyGuard::Analysed(double t, const core::GrayImage& gray, const core::GrayImage& mask,
                            double scale, bool background_learning, std::vector<core::Box> boxes) {
  proof_.Update(t, gray, mask, scale, boxes, background_learning);
  trusted_ = !background_learning;
  analysed_t_ = t;
  whole_ = proof_.UnprovenShare() >= kSceneProofWholeShare;
  boxes_ = std::move(boxes);
  if (!whole_) {
    std::vector<core::Box> unproven = proof_.Unproven();
    boxes_.insert(boxes_.end(), unproven.begin(), unproven.end());
  }
}

BlurPlan PrivacyGuard::Plan(double t) const {
  // A stream that restarted runs from 0 again: an older time is as unknown as a stale one.
  const double age = t - analysed_t_;
  if (!trusted_ || whole_ || age < 0 || age > max_age_s_) return {};
  return {.whole = false, .boxes = boxes_};
}

}  // namespace argus::app
