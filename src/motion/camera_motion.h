// Global camera motion between consecutive frames (pan, tilt, shake, zoom), as
// BoT-SORT's GMC: corners tracked by sparse optical flow on the downscaled grey
// frame, then a RANSAC similarity fit (rotation, uniform scale, shift), so the
// people moving on their own are outliers. The tracker warps its predictions
// by the result (track::Tracker::SetCameraMotion). Input and output are core
// types; OpenCV stays inside.
// Thread safety: one thread per instance (one instance per camera).
#pragma once

#include <memory>

#include "core/affine.h"
#include "core/image.h"

namespace argus::motion {

inline constexpr int kDefaultMaxCorners = 150;
inline constexpr int kDefaultMinCorners = 40;
inline constexpr int kDefaultMinInliers = 12;
inline constexpr double kDefaultStillPixels = 0.25;
inline constexpr double kDefaultRansacPixels = 1.0;
inline constexpr double kDefaultMinShift = 1.0;

struct CameraMotionParams {
  // Corners followed between frames; re-detected when fewer than min_corners
  // survive the flow.
  int max_corners = kDefaultMaxCorners;
  int min_corners = kDefaultMinCorners;
  // Fewer agreeing corners than this: no estimate (identity).
  int min_inliers = kDefaultMinInliers;
  // When most corners moved less than this (analysis pixels) the camera is
  // still: no fit at all, which keeps a fixed camera's cost at the flow alone.
  double still_pixels = kDefaultStillPixels;
  double ransac_pixels = kDefaultRansacPixels;  // RANSAC inlier distance, analysis pixels
  // Motions moving no frame corner this far (source pixels) are reported as none.
  double min_shift = kDefaultMinShift;
};

class CameraMotionEstimator {
 public:
  explicit CameraMotionEstimator(const CameraMotionParams& params = {});
  ~CameraMotionEstimator();
  CameraMotionEstimator(const CameraMotionEstimator&) = delete;
  CameraMotionEstimator& operator=(const CameraMotionEstimator&) = delete;

  // `gray` is the analysis-scale grey frame and `scale` the source pixels per
  // analysis pixel (motion::MotionResult's gray and scale). Returns the map
  // from the previous frame's source pixels to this one's; identity for the
  // first frame, a still camera, or when too few corners agree.
  core::Affine2D Estimate(const core::GrayImage& gray, double scale);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace argus::motion
