#include "motion/camera_motion.h"

#include <algorithm>
#include <cmath>
#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#include <vector>

namespace argus::motion {
namespace {

constexpr double kCornerQuality = 0.01;
constexpr double kCornerMinDistance = 8;  // analysis pixels: spread over the scene
constexpr int kFlowWindow = 15;
constexpr int kFlowLevels = 3;

}  // namespace

struct CameraMotionEstimator::Impl {
  CameraMotionParams p;
  cv::Mat prev;
  std::vector<cv::Point2f> prev_points;
  // Scratch reused across frames.
  std::vector<cv::Point2f> points, from, to;
  std::vector<unsigned char> status;
  std::vector<float> error;
  std::vector<double> shifts;
};

CameraMotionEstimator::CameraMotionEstimator(const CameraMotionParams& params)
    : impl_(std::make_unique<Impl>()) {
  impl_->p = params;
}

CameraMotionEstimator::~CameraMotionEstimator() = default;

core::Affine2D CameraMotionEstimator::Estimate(const core::GrayImage& gray, double scale) {
  Impl& s = *impl_;
  if (gray.empty()) return {};
  // A view, not a copy: the frame is only read.
  const cv::Mat cur(gray.height, gray.width, CV_8UC1, const_cast<uint8_t*>(gray.pixels.data()));
  core::Affine2D result;
  if (!s.prev.empty() && s.prev.size() == cur.size() &&
      static_cast<int>(s.prev_points.size()) >= s.p.min_inliers) {
    cv::calcOpticalFlowPyrLK(s.prev, cur, s.prev_points, s.points, s.status, s.error,
                             cv::Size(kFlowWindow, kFlowWindow), kFlowLevels);
    s.from.clear();
    s.to.clear();
    s.shifts.clear();
    for (size_t i = 0; i < s.points.size(); ++i) {
      if (!s.status[i]) continue;
      s.from.push_back(s.prev_points[i]);
      s.to.push_back(s.points[i]);
      s.shifts.push_back(cv::norm(s.points[i] - s.prev_points[i]));
    }
    if (static_cast<int>(s.from.size()) >= s.p.min_inliers) {
      auto mid = s.shifts.begin() + static_cast<std::ptrdiff_t>(s.shifts.size() / 2);
      std::nth_element(s.shifts.begin(), mid, s.shifts.end());
      if (*mid >= s.p.still_pixels) {  // most of the scene moved: fit the camera's motion
        std::vector<unsigned char> inliers;
        const cv::Mat m =
            cv::estimateAffinePartial2D(s.from, s.to, inliers, cv::RANSAC, s.p.ransac_pixels);
        if (!m.empty() && cv::countNonZero(inliers) >= s.p.min_inliers) {
          // Analysis -> source pixels: same linear part, shift times the scale.
          result = {m.at<double>(0, 0), m.at<double>(0, 1), m.at<double>(0, 2) * scale,
                    m.at<double>(1, 0), m.at<double>(1, 1), m.at<double>(1, 2) * scale};
          if (result.MaxCornerShift(cur.cols * scale, cur.rows * scale) < s.p.min_shift) {
            result = {};
          }
        }
      }
    }
    // Corners that were followed carry on; the scene's corners are only
    // searched again when too many were lost (occluded, left the frame).
    s.prev_points.clear();
    for (size_t i = 0; i < s.points.size(); ++i) {
      if (s.status[i]) s.prev_points.push_back(s.points[i]);
    }
  }
  if (static_cast<int>(s.prev_points.size()) < s.p.min_corners) {
    cv::goodFeaturesToTrack(cur, s.prev_points, s.p.max_corners, kCornerQuality,
                            kCornerMinDistance);
  }
  cur.copyTo(s.prev);
  return result;
}

}  // namespace argus::motion
