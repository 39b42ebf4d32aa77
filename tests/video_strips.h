// Two cameras out of one real video: vertical strips of vtest.avi's frames (e.g. its
// left and right 45%, the middle an unseen gap people walk through), written as MJPEG
// files, for the tests of hand-off and following across cameras.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include "tests/cli_support.h"

namespace argus::testing {

// The strip [x0, x1) (relative) of every frame of vtest.avi, as an MJPEG file.
inline bool WriteVtestStrip(const std::filesystem::path& out, double x0, double x1) {
  cv::VideoCapture in(kVtest);
  if (!in.isOpened()) return false;
  const double fps = in.get(cv::CAP_PROP_FPS);
  cv::Mat frame;
  cv::VideoWriter w;
  while (in.read(frame)) {
    const cv::Rect r(static_cast<int>(x0 * frame.cols), 0, static_cast<int>((x1 - x0) * frame.cols),
                     frame.rows);
    if (!w.isOpened() &&
        !w.open(out.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, r.size())) {
      return false;
    }
    w.write(frame(r).clone());
  }
  return w.isOpened();
}

// A site model of one floor with the cameras `a` and `b`, adjacent.
inline std::string TwoAdjacentCamerasSite(const std::string& a, const std::string& b) {
  return "site: {name: Test wing}\n"
         "floors:\n"
         "  - id: f0\n"
         "    level: 0\n"
         "    outline: [[0, 0], [20, 0], [20, 10], [0, 10]]\n"
         "    cameras:\n"
         "      - {id: " +
         a +
         ", at: [1, 9], heading: -45, hfov: 90}\n"
         "      - {id: " +
         b +
         ", at: [19, 9], heading: -135, hfov: 90}\n"
         "adjacency:\n"
         "  - {cameras: [" +
         a + ", " + b + "], max_transit_s: 20}\n";
}

}  // namespace argus::testing
