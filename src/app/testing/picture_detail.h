// Test-only: telling a blurred picture region from a sharp one.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace argus::app::testing {

// Fine detail of a region (edges, texture, faces): the variance of its Laplacian.
inline double Detail(const cv::Mat& bgr, const cv::Rect& r) {
  cv::Mat gray, lap;
  cv::cvtColor(bgr(r), gray, cv::COLOR_BGR2GRAY);
  cv::Laplacian(gray, lap, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

// Texture everywhere, fine enough that any blur removes it and coarse enough that JPEG
// keeps it.
inline cv::Mat Textured(int w, int h, int seed) {
  cv::Mat img(h, w, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(img, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(img, img, cv::Size(3, 3), 0);
  return img;
}

}  // namespace argus::app::testing
