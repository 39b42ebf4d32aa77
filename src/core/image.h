// A plain 8-bit grey image for pure algorithms (rules, tamper logic) that must
// not depend on OpenCV. Row-major, no padding.
#pragma once

#include <cstdint>
#include <vector>

namespace argus::core {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;

  GrayImage() = default;
  GrayImage(int w, int h, uint8_t fill = 0)
      : width(w), height(h), pixels(static_cast<size_t>(w) * h, fill) {}
  bool empty() const { return pixels.empty(); }
  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
  uint8_t& at(int x, int y) { return pixels[static_cast<size_t>(y) * width + x]; }
};

}  // namespace argus::core
