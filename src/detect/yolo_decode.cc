#include "detect/yolo_decode.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/dnn.hpp>

namespace argus::detect {
namespace {

constexpr int kStrides[] = {8, 16, 32};
constexpr int kAnchorsPerCell = 3;  // YOLOv5

bool Allowed(const std::vector<int>& ids, int id) {
  return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Best allowed class among `n` scores spaced `step` floats apart.
std::pair<int, float> BestClass(const float* scores, int n, size_t step,
                                const std::vector<int>& ids) {
  int best = -1;
  float best_score = -1;
  for (int c = 0; c < n; ++c) {
    const float s = scores[c * step];
    if (s > best_score && Allowed(ids, c)) {
      best = c;
      best_score = s;
    }
  }
  return {best, best_score};
}

core::Box FromCenter(double cx, double cy, double w, double h) {
  return {cx - w / 2, cy - h / 2, w, h};
}

}  // namespace

core::Result<YoloFormat> ParseYoloFormat(const std::string& name) {
  if (name == "auto") return YoloFormat::kAuto;
  if (name == "yolox") return YoloFormat::kYolox;
  if (name == "yolov5") return YoloFormat::kYolov5;
  if (name == "yolov8") return YoloFormat::kYolov8;
  return core::InvalidArgument("unknown YOLO output format '" + name +
                               "' (expected auto, yolox, yolov5 or yolov8)");
}

std::string YoloFormatName(YoloFormat f) {
  switch (f) {
    case YoloFormat::kAuto:
      return "auto";
    case YoloFormat::kYolox:
      return "yolox";
    case YoloFormat::kYolov5:
      return "yolov5";
    case YoloFormat::kYolov8:
      return "yolov8";
  }
  return "?";
}

core::Box Letterbox::ToSource(const core::Box& b) const {
  return {(b.x - pad_x) / scale, (b.y - pad_y) / scale, b.w / scale, b.h / scale};
}

core::Box Letterbox::ToInput(const core::Box& b) const {
  return {b.x * scale + pad_x, b.y * scale + pad_y, b.w * scale, b.h * scale};
}

Letterbox ComputeLetterbox(int src_w, int src_h, int input_w, int input_h, bool centered) {
  Letterbox lb;
  lb.input_w = input_w;
  lb.input_h = input_h;
  if (src_w <= 0 || src_h <= 0) return lb;
  lb.scale = std::min(double(input_w) / src_w, double(input_h) / src_h);
  lb.resized_w = std::min(input_w, static_cast<int>(std::lround(src_w * lb.scale)));
  lb.resized_h = std::min(input_h, static_cast<int>(std::lround(src_h * lb.scale)));
  if (centered) {
    lb.pad_x = (input_w - lb.resized_w) / 2;
    lb.pad_y = (input_h - lb.resized_h) / 2;
  }
  return lb;
}

int GridCells(int input_w, int input_h) {
  int cells = 0;
  for (int s : kStrides) cells += (input_w / s) * (input_h / s);
  return cells;
}

core::Result<YoloFormat> DetectYoloFormat(const std::vector<int>& shape, int input_w, int input_h) {
  std::vector<int> s = shape;
  if (s.size() == 3 && s[0] == 1) s.erase(s.begin());
  if (s.size() != 2 || s[0] <= 0 || s[1] <= 0) {
    return core::InvalidArgument("unsupported YOLO output rank (expected [1, A, B])");
  }
  const int cells = GridCells(input_w, input_h);
  if (s[0] < s[1]) {
    if (s[0] <= 4) return core::InvalidArgument("YOLOv8-like output with no class rows");
    return YoloFormat::kYolov8;
  }
  if (s[1] <= 5) return core::InvalidArgument("YOLO output rows too short for boxes and classes");
  if (s[0] == cells) return YoloFormat::kYolox;
  if (s[0] == kAnchorsPerCell * cells) return YoloFormat::kYolov5;
  return core::InvalidArgument("cannot tell the YOLO output format from shape [" +
                               std::to_string(s[0]) + ", " + std::to_string(s[1]) + "] at input " +
                               std::to_string(input_w) + "x" + std::to_string(input_h) +
                               "; set the format explicitly");
}

core::Result<std::vector<Candidate>> DecodeYolo(const float* data, const std::vector<int>& shape,
                                                YoloFormat format, const DecodeOptions& o) {
  std::vector<int> s = shape;
  if (s.size() == 3 && s[0] == 1) s.erase(s.begin());
  if (s.size() != 2) return core::InvalidArgument("unsupported YOLO output rank");
  std::vector<Candidate> out;
  const int rows = s[0];
  const int cols = s[1];
  switch (format) {
    case YoloFormat::kAuto:
      return core::InvalidArgument("DecodeYolo needs a concrete format");
    case YoloFormat::kYolox: {
      if (rows != GridCells(o.input_w, o.input_h)) {
        return core::InvalidArgument("YOLOX output has " + std::to_string(rows) +
                                     " rows, expected " +
                                     std::to_string(GridCells(o.input_w, o.input_h)));
      }
      const int nc = cols - 5;
      int i = 0;
      for (int stride : kStrides) {
        const int gw = o.input_w / stride;
        const int gh = o.input_h / stride;
        for (int gy = 0; gy < gh; ++gy) {
          for (int gx = 0; gx < gw; ++gx, ++i) {
            const float* r = data + static_cast<size_t>(i) * cols;
            const float obj = r[4];
            if (obj < o.score_threshold) continue;  // score <= obj
            auto [c, cs] = BestClass(r + 5, nc, 1, o.class_ids);
            const float score = obj * cs;
            if (c < 0 || score < o.score_threshold) continue;
            const double cx = (r[0] + gx) * stride;
            const double cy = (r[1] + gy) * stride;
            const double w = std::exp(r[2]) * stride;
            const double h = std::exp(r[3]) * stride;
            out.push_back({FromCenter(cx, cy, w, h), score, c});
          }
        }
      }
      break;
    }
    case YoloFormat::kYolov5: {
      const int nc = cols - 5;
      for (int i = 0; i < rows; ++i) {
        const float* r = data + static_cast<size_t>(i) * cols;
        if (r[4] < o.score_threshold) continue;
        auto [c, cs] = BestClass(r + 5, nc, 1, o.class_ids);
        const float score = r[4] * cs;
        if (c < 0 || score < o.score_threshold) continue;
        out.push_back({FromCenter(r[0], r[1], r[2], r[3]), score, c});
      }
      break;
    }
    case YoloFormat::kYolov8: {
      // Channels-first: value k of candidate i is data[k * cols + i].
      const int nc = rows - 4;
      for (int i = 0; i < cols; ++i) {
        auto [c, score] =
            BestClass(data + static_cast<size_t>(4) * cols + i, nc, cols, o.class_ids);
        if (c < 0 || score < o.score_threshold) continue;
        out.push_back({FromCenter(data[i], data[cols + i], data[2 * cols + i], data[3 * cols + i]),
                       score, c});
      }
      break;
    }
  }
  return out;
}

std::vector<Candidate> NmsPerClass(const std::vector<Candidate>& in, float iou_threshold) {
  std::map<int, std::vector<int>> by_class;
  for (int i = 0; i < static_cast<int>(in.size()); ++i) by_class[in[i].class_id].push_back(i);
  std::vector<Candidate> out;
  for (const auto& [cls, idx] : by_class) {
    std::vector<cv::Rect2d> boxes;
    std::vector<float> scores;
    for (int i : idx) {
      boxes.emplace_back(in[i].box.x, in[i].box.y, in[i].box.w, in[i].box.h);
      scores.push_back(in[i].score);
    }
    std::vector<int> keep;
    cv::dnn::NMSBoxes(boxes, scores, 0.0f, iou_threshold, keep);
    for (int k : keep) out.push_back(in[idx[k]]);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  return out;
}

}  // namespace argus::detect
