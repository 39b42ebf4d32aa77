// Shared helpers around OpenCV's HOG people detector (used by the hog backend
// and by the builtin detector's optional verification).
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <vector>

#include "core/geometry.h"
#include "detect/yolo_decode.h"

namespace argus::detect {

// Share of the 64x128 detection window that is margin around the person.
inline constexpr double kHogMarginX = 0.2;
inline constexpr double kHogMarginTop = 0.1;
inline constexpr double kHogMarginBottom = 0.1;
inline constexpr double kHogScaleStep = 1.05;

// Person box inside a detection window.
core::Box HogWindowToPerson(const core::Box& window);
// SVM margin -> 0..1 score.
float HogScore(double svm_weight);
// Multi-scale detection on `bgr` resized by `upscale`; boxes (person, not window)
// in `bgr` pixels, class 0, no grouping (call NmsPerClass).
std::vector<Candidate> RunHog(const cv::HOGDescriptor& hog, const cv::Mat& bgr, double upscale,
                              double hit_threshold);

}  // namespace argus::detect
