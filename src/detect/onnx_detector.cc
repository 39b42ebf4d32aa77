// ONNX YOLO backend on OpenCV DNN (CPU), motion-gated: the network runs on
// windows around the motion (detect/crop_plan.h) and on the whole frame only
// periodically, for people who stand still.
#include <algorithm>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "detect/coco.h"
#include "detect/crop_plan.h"
#include "detect/detector.h"

namespace argus::detect {
namespace {

constexpr double kLetterboxFill = 114;  // grey padding used when the models were trained

// One forward pass: a source rectangle, scaled and padded into the network input.
struct Pass {
  cv::Rect roi;
  int resized_w = 0, resized_h = 0;
  int net_w = 0, net_h = 0;
  int left = 0, top = 0;  // padding before the image
  Letterbox map;          // network -> source pixels
};

Pass FromLetterbox(int src_w, int src_h, const Letterbox& lb) {
  return {cv::Rect(0, 0, src_w, src_h),
          lb.resized_w,
          lb.resized_h,
          lb.input_w,
          lb.input_h,
          static_cast<int>(lb.pad_x),
          static_cast<int>(lb.pad_y),
          lb};
}

Pass FromWindow(const CropWindow& w) {
  Pass p;
  p.roi = cv::Rect(cv::Point(static_cast<int>(w.source.x), static_cast<int>(w.source.y)),
                   cv::Point(static_cast<int>(std::ceil(w.source.Right())),
                             static_cast<int>(std::ceil(w.source.Bottom()))));
  p.net_w = w.net_w;
  p.net_h = w.net_h;
  p.resized_w = std::clamp(static_cast<int>(std::lround(p.roi.width * w.scale)), 1, w.net_w);
  p.resized_h = std::clamp(static_cast<int>(std::lround(p.roi.height * w.scale)), 1, w.net_h);
  p.map.scale = w.scale;
  p.map.pad_x = -p.roi.x * w.scale;
  p.map.pad_y = -p.roi.y * w.scale;
  return p;
}

// Whether the network accepts inputs of other sizes than the one it was
// exported with (YOLOX and most exports do; a static-shape export does not).
bool AcceptsAnyInputSize(cv::dnn::Net& net, YoloFormat format) {
  constexpr int kProbeW = 96, kProbeH = 64;
  try {
    net.setInput(
        cv::Mat(std::vector<int>{1, 3, kProbeH, kProbeW}, CV_32F, cv::Scalar(kLetterboxFill)));
    const cv::Mat out = net.forward();
    const std::vector<int> shape(out.size.p, out.size.p + out.dims);
    auto f = DetectYoloFormat(shape, kProbeW, kProbeH);
    return f.ok() && *f == format;
  } catch (const cv::Exception&) {
    return false;
  }
}

class OnnxDetector final : public Detector {
 public:
  OnnxDetector(const DetectorConfig& c, cv::dnn::Net net, YoloFormat format,
               std::vector<int> class_ids, bool any_input_size)
      : config_(c),
        net_(std::move(net)),
        format_(format),
        class_ids_(std::move(class_ids)),
        any_input_size_(any_input_size),
        static_filter_(StaticFilterParams{.after_s = c.static_suppress_s}) {}

  std::string name() const override { return "onnx:" + YoloFormatName(format_); }
  void SetExpected(const std::vector<core::Box>& boxes) override { expected_ = boxes; }

  core::Result<std::vector<track::Detection>> Detect(const cv::Mat& bgr,
                                                     const motion::MotionResult* motion) override {
    std::vector<track::Detection> dets;
    if (bgr.empty()) return dets;
    std::vector<Candidate> cands;
    for (const Pass& pass : PlanPasses(bgr.cols, bgr.rows, motion)) {
      auto found = Run(bgr, pass);
      if (!found.ok()) return found.status();
      cands.insert(cands.end(), found->begin(), found->end());
    }
    for (const Candidate& c : NmsPerClass(cands, config_.nms_iou)) {
      // Clip to the frame: people half outside are reported by their visible part.
      const double x0 = std::clamp(c.box.x, 0.0, double(bgr.cols));
      const double y0 = std::clamp(c.box.y, 0.0, double(bgr.rows));
      const double x1 = std::clamp(c.box.Right(), 0.0, double(bgr.cols));
      const double y1 = std::clamp(c.box.Bottom(), 0.0, double(bgr.rows));
      if (x1 - x0 < 1 || y1 - y0 < 1) continue;
      dets.push_back({{x0, y0, x1 - x0, y1 - y0}, c.score, CocoLabel(c.class_id)});
    }
    return static_filter_.Filter(std::move(dets), motion);
  }

 private:
  // Nothing without motion, except a whole-frame pass this often (still people,
  // parked vehicles) and while the motion model warms up; windows around the
  // motion otherwise.
  std::vector<Pass> PlanPasses(int w, int h, const motion::MotionResult* m) {
    const bool whole = m == nullptr || m->warming_up || !ran_whole_ ||
                       m->t - last_whole_t_ >= config_.full_frame_every_s;
    if (!whole && m->regions.empty()) return {};
    if (!any_input_size_) {
      // The export's own square input, letterboxed as the model was trained:
      // YOLOX pads right/bottom, YOLOv5/v8 on both sides.
      const int s = config_.input_size;
      MarkWhole(m);
      return {FromLetterbox(w, h, ComputeLetterbox(w, h, s, s, format_ != YoloFormat::kYolox))};
    }
    std::vector<CropWindow> windows;
    if (whole || !config_.crops) {
      windows = {WholeFrameWindow(w, h, config_.input_size)};
    } else {
      CropPlanParams p;
      p.input_size = config_.input_size;
      windows = PlanCrops(CropRegions(m->regions, expected_), w, h, p);
    }
    if (windows.size() == 1 && windows[0].source == core::Box{0, 0, double(w), double(h)}) {
      MarkWhole(m);
    }
    std::vector<Pass> passes;
    for (const CropWindow& cw : windows) passes.push_back(FromWindow(cw));
    return passes;
  }

  void MarkWhole(const motion::MotionResult* m) {
    ran_whole_ = true;
    if (m != nullptr) last_whole_t_ = m->t;
  }

  // Candidates of one pass, boxes in source pixels.
  core::Result<std::vector<Candidate>> Run(const cv::Mat& bgr, const Pass& p) {
    // YOLOX: BGR 0..255; YOLOv5/v8: RGB 0..1.
    const bool yolox = format_ == YoloFormat::kYolox;
    cv::resize(bgr(p.roi), resized_, cv::Size(p.resized_w, p.resized_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized_, input_, p.top, p.net_h - p.resized_h - p.top, p.left,
                       p.net_w - p.resized_w - p.left, cv::BORDER_CONSTANT,
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
    opts.input_w = p.net_w;
    opts.input_h = p.net_h;
    opts.score_threshold = config_.score_threshold;
    opts.class_ids = class_ids_;
    auto cands = DecodeYolo(out.ptr<float>(), shape, format_, opts);
    if (!cands.ok()) return cands.status();
    for (Candidate& c : *cands) c.box = p.map.ToSource(c.box);
    return cands;
  }

  DetectorConfig config_;
  cv::dnn::Net net_;
  YoloFormat format_;
  std::vector<int> class_ids_;
  bool any_input_size_;
  StaticObjectFilter static_filter_;
  std::vector<core::Box> expected_;
  cv::Mat resized_, input_;
  bool ran_whole_ = false;
  double last_whole_t_ = 0;
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
  bool any_input_size = false;
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
    any_input_size = AcceptsAnyInputSize(net, format);
  } catch (const cv::Exception& e) {
    return core::InvalidArgument("cannot load ONNX model " + c.model_path + ": " + e.what());
  }
  return std::unique_ptr<Detector>(
      std::make_unique<OnnxDetector>(c, std::move(net), format, std::move(*ids), any_input_size));
}

}  // namespace argus::detect
