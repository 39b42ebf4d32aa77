#include "record/privacy_mask.h"

#include <opencv2/imgproc.hpp>

namespace argus::record {

void ApplyPrivacyMasks(cv::Mat& bgr, const std::vector<core::Polygon>& masks) {
  if (masks.empty() || bgr.empty()) return;
  std::vector<std::vector<cv::Point>> polys;
  for (const core::Polygon& rel : masks) {
    std::vector<cv::Point> pts;
    for (const core::Point& p : core::ToPixels(rel, bgr.cols, bgr.rows)) {
      pts.emplace_back(cvRound(p.x), cvRound(p.y));
    }
    polys.push_back(std::move(pts));
  }
  cv::fillPoly(bgr, polys, cv::Scalar::all(0));
}

}  // namespace argus::record
