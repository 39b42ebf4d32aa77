// Decoding of YOLO-family output tensors (YOLOX, YOLOv5, YOLOv8) into boxes,
// letterbox geometry and per-class NMS. Pure functions on plain float buffers
// and core types, so they are tested on hand-made tensors.
#pragma once

#include <string>
#include <vector>

#include "core/geometry.h"
#include "core/status.h"

namespace argus::detect {

enum class YoloFormat {
  kAuto,    // decided from the output shape (see DetectYoloFormat)
  kYolox,   // 1 x cells x (5+nc): raw grid offsets and log sizes, objectness, class scores
  kYolov5,  // 1 x N x (5+nc): decoded cx,cy,w,h in input pixels, objectness, class scores
  kYolov8,  // 1 x (4+nc) x N: decoded cx,cy,w,h, class scores, no objectness (transposed)
};

core::Result<YoloFormat> ParseYoloFormat(const std::string& name);  // auto|yolox|yolov5|yolov8
std::string YoloFormatName(YoloFormat f);

// Resize keeping the aspect ratio, pad right/bottom (YOLOX convention) or on
// both sides (`centered`, YOLOv5/v8 convention).
struct Letterbox {
  double scale = 1;  // input pixels per source pixel
  double pad_x = 0;  // input pixels added left of the image
  double pad_y = 0;  // input pixels added above the image
  int input_w = 0;
  int input_h = 0;
  int resized_w = 0;  // size of the scaled image inside the input
  int resized_h = 0;

  core::Box ToSource(const core::Box& input_box) const;
  core::Box ToInput(const core::Box& source_box) const;
};
Letterbox ComputeLetterbox(int src_w, int src_h, int input_w, int input_h, bool centered);

// Number of grid cells of an anchor-free head with strides 8, 16, 32.
int GridCells(int input_w, int input_h);

// Picks the format from the output shape [1, A, B] (or [A, B]) for the given
// input size: A < B means channels-first, i.e. YOLOv8; otherwise YOLOX when
// A equals the grid cell count and YOLOv5 when it is 3 anchors per cell.
core::Result<YoloFormat> DetectYoloFormat(const std::vector<int>& shape, int input_w, int input_h);

struct Candidate {
  core::Box box;  // input (letterboxed) pixels
  float score = 0;
  int class_id = 0;
};

struct DecodeOptions {
  int input_w = 416;
  int input_h = 416;
  float score_threshold = 0.25f;
  std::vector<int> class_ids;  // empty = every class
};

// Decodes `data` (row-major, `shape` as reported by the runtime). The format
// must not be kAuto (call DetectYoloFormat first).
core::Result<std::vector<Candidate>> DecodeYolo(const float* data, const std::vector<int>& shape,
                                                YoloFormat format, const DecodeOptions& opts);

// Non-maximum suppression per class; keeps the best-scored boxes, highest first.
std::vector<Candidate> NmsPerClass(const std::vector<Candidate>& in, float iou_threshold);

}  // namespace argus::detect
