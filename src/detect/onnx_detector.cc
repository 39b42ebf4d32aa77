// ONNX YOLO backend on OpenCV DNN (CPU), motion-gated.
#include <algorithm>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "detect/coco.h"
#include "detect/detector.h"

namespace argus::detect {
namespace {

constexpr double kLetterboxFill = 114;  // grey padding used when the models were trained

class OnnxDetector final : public Detector {
 public:
  OnnxDetector(const DetectorConfig& c, cv::dnn::Net net, YoloFormat format,
               std::vector<int> class_ids)
      : config_(c),
        net_(std::move(net)),
        format_(format),
        class_ids_(std::move(class_ids)),
        static_filter_(StaticFilterParams{.after_s = c.static_suppress_s}) {}

  std::string name() const override { return "onnx:" + YoloFormatName(format_); }

  core::Result<std::vector<track::Detection>> Detect(const cv::Mat& bgr,
                                                     const motion::MotionResult* motion) override {
    std::vector<track::Detection> dets;
    if (bgr.empty()) return dets;
    if (motion != nullptr && !ShouldRun(*motion)) return dets;

    // YOLOX: BGR 0..255 padded right/bottom; YOLOv5/v8: RGB 0..1 padded on both sides.
    const bool yolox = format_ == YoloFormat::kYolox;
    const int size = config_.input_size;
    const Letterbox lb = ComputeLetterbox(bgr.cols, bgr.rows, size, size, !yolox);
    cv::Mat resized;
    cv::resize(bgr, resized, cv::Size(lb.resized_w, lb.resized_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, input_, static_cast<int>(lb.pad_y),
                       size - lb.resized_h - static_cast<int>(lb.pad_y), static_cast<int>(lb.pad_x),
                       size - lb.resized_w - static_cast<int>(lb.pad_x), cv::BORDER_CONSTANT,
                       cv::Scalar::all(kLetterboxFill));
    const cv::Mat blob = cv::dnn::blobFromImage(input_, yolox ? 1.0 : 1.0 / 255, cv::Size(),
                                                cv::Scalar(), /*swapRB=*/!yolox, /*crop=*/false);
    cv::Mat out;
    try {
      net_.setInput(blob);
      out = net_.forward();
    } catch (const cv::Exception& e) {
      return core::Internal(std::string("onnx inference failed: ") + e.what());
    }
    if (out.type() != CV_32F || !out.isContinuous()) {
      return core::Internal("onnx output is not a continuous float tensor");
    }
    const std::vector<int> shape(out.size.p, out.size.p + out.dims);
    DecodeOptions opts;
    opts.input_w = size;
    opts.input_h = size;
    opts.score_threshold = config_.score_threshold;
    opts.class_ids = class_ids_;
    auto cands = DecodeYolo(out.ptr<float>(), shape, format_, opts);
    if (!cands.ok()) return cands.status();
    for (const Candidate& c : NmsPerClass(*cands, config_.nms_iou)) {
      core::Box b = lb.ToSource(c.box);
      // Clip to the frame: people half outside are reported by their visible part.
      const double x0 = std::clamp(b.x, 0.0, double(bgr.cols));
      const double y0 = std::clamp(b.y, 0.0, double(bgr.rows));
      const double x1 = std::clamp(b.Right(), 0.0, double(bgr.cols));
      const double y1 = std::clamp(b.Bottom(), 0.0, double(bgr.rows));
      if (x1 - x0 < 1 || y1 - y0 < 1) continue;
      dets.push_back({{x0, y0, x1 - x0, y1 - y0}, c.score, CocoLabel(c.class_id)});
    }
    return static_filter_.Filter(std::move(dets), motion);
  }

 private:
  bool ShouldRun(const motion::MotionResult& m) {
    const bool periodic = !ran_ || m.t - last_run_t_ >= config_.full_frame_every_s;
    if (!(periodic || m.warming_up || !m.regions.empty())) return false;
    ran_ = true;
    last_run_t_ = m.t;
    return true;
  }

  DetectorConfig config_;
  cv::dnn::Net net_;
  YoloFormat format_;
  std::vector<int> class_ids_;
  StaticObjectFilter static_filter_;
  cv::Mat input_;
  bool ran_ = false;
  double last_run_t_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<Detector>> MakeOnnxDetector(const DetectorConfig& c) {
  if (c.input_size < 32 || c.input_size % 32 != 0) {
    return core::InvalidArgument("onnx input_size must be a positive multiple of 32");
  }
  auto ids = ClassIds(c.classes);
  if (!ids.ok()) return ids.status();
  cv::dnn::Net net;
  YoloFormat format = c.format;
  try {
    net = cv::dnn::readNetFromONNX(c.model_path);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    if (format == YoloFormat::kAuto) {
      // One blank inference tells the output shape, hence the format.
      net.setInput(cv::Mat(std::vector<int>{1, 3, c.input_size, c.input_size}, CV_32F,
                           cv::Scalar(kLetterboxFill)));
      const cv::Mat out = net.forward();
      const std::vector<int> shape(out.size.p, out.size.p + out.dims);
      auto f = DetectYoloFormat(shape, c.input_size, c.input_size);
      if (!f.ok()) return core::InvalidArgument(c.model_path + ": " + f.status().message());
      format = *f;
    }
  } catch (const cv::Exception& e) {
    return core::InvalidArgument("cannot load ONNX model " + c.model_path + ": " + e.what());
  }
  return std::unique_ptr<Detector>(
      std::make_unique<OnnxDetector>(c, std::move(net), format, std::move(*ids)));
}

}  // namespace argus::detect
