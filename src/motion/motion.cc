#include "motion/motion.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>

#include "core/structure_match.h"

namespace argus::motion {
namespace {

// MOG2 output codes.
constexpr uint8_t kMogForeground = 255;  // shadows are 127 and count only as change
// Frames flagged warming_up after the model is rebuilt.
constexpr int kRelearnFrames = 2;
// Fewer foreground pixels than this in a held box: too little to judge a ghost.
constexpr int kMinGhostTestPixels = 16;

core::GrayImage ToGrayImage(const cv::Mat& m) {
  core::GrayImage img(m.cols, m.rows);
  for (int y = 0; y < m.rows; ++y) {
    std::copy_n(m.ptr<uint8_t>(y), m.cols, img.pixels.data() + static_cast<size_t>(y) * m.cols);
  }
  return img;
}

// Signed gradients of a grey image, stacked as a 2-channel float image.
cv::Mat Gradients(const cv::Mat& gray) {
  cv::Mat dx, dy, g;
  cv::Sobel(gray, dx, CV_32F, 1, 0);
  cv::Sobel(gray, dy, CV_32F, 0, 1);
  cv::merge(std::vector<cv::Mat>{dx, dy}, g);
  return g;
}

// Normalised correlation of two gradient fields, clamped to 0..1: invariant to
// lighting gain, near 0 when the structure moved or disappeared.
double GradientCorrelation(const cv::Mat& a, const cv::Mat& b) {
  const double ab = a.dot(b);
  const double aa = a.dot(a);
  const double bb = b.dot(b);
  if (aa <= 0 || bb <= 0) return 0;
  return std::clamp(ab / std::sqrt(aa * bb), 0.0, 1.0);
}

// Mean gradient magnitude of `img` on the non-zero pixels of `where`.
double EdgeEnergy(const cv::Mat& img, const cv::Mat& where) {
  cv::Mat gray = img;
  if (img.channels() == 3) cv::cvtColor(img, gray, cv::COLOR_BGR2GRAY);
  cv::Mat dx, dy, mag;
  cv::Sobel(gray, dx, CV_32F, 1, 0);
  cv::Sobel(gray, dy, CV_32F, 0, 1);
  cv::magnitude(dx, dy, mag);
  return cv::mean(mag, where)[0];
}

// True when the foreground of `raw` (MOG2 codes) inside a box outlines edges
// of the background model rather than of the frame: revealed background.
bool IsGhost(const cv::Mat& raw, const cv::Mat& frame, const cv::Mat& background) {
  const cv::Mat fg = raw == kMogForeground;
  if (cv::countNonZero(fg) < kMinGhostTestPixels) return false;
  cv::Mat outline;
  cv::morphologyEx(fg, outline, cv::MORPH_GRADIENT, cv::Mat());
  if (cv::countNonZero(outline) == 0) return false;
  return EdgeEnergy(background, outline) > EdgeEnergy(frame, outline);
}

}  // namespace

TamperSignals ComputeFrameSignals(const cv::Mat& gray, int uniform_cell, double uniform_stddev) {
  TamperSignals s;
  if (gray.empty()) return s;
  s.mean_luma = cv::mean(gray)[0];

  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_16S);
  cv::Scalar mu, sd;
  cv::meanStdDev(lap, mu, sd);
  s.sharpness = sd[0] * sd[0];

  // Per-cell standard deviation from cell means of I and I^2 (area resize is an
  // exact box average when the cell divides the size; close enough otherwise).
  const int cell = std::max(1, uniform_cell);
  const int cw = std::max(1, gray.cols / cell);
  const int ch = std::max(1, gray.rows / cell);
  cv::Mat f, f2, m1, m2;
  gray.convertTo(f, CV_32F);
  cv::multiply(f, f, f2);
  cv::resize(f, m1, cv::Size(cw, ch), 0, 0, cv::INTER_AREA);
  cv::resize(f2, m2, cv::Size(cw, ch), 0, 0, cv::INTER_AREA);
  int uniform = 0;
  const double var_limit = uniform_stddev * uniform_stddev;
  for (int y = 0; y < ch; ++y) {
    const float* a = m1.ptr<float>(y);
    const float* b = m2.ptr<float>(y);
    for (int x = 0; x < cw; ++x) {
      if (b[x] - static_cast<double>(a[x]) * a[x] < var_limit) ++uniform;
    }
  }
  s.uniform_fraction = static_cast<double>(uniform) / (cw * ch);
  return s;
}

struct MotionDetector::Impl {
  MotionParams p;
  cv::Ptr<cv::BackgroundSubtractorMOG2> mog;
  cv::Mat open_k, close_k;
  int frames = 0;
  int warm_left = 0;
  // Long-term reference for "camera moved", at half the analysis scale.
  cv::Mat reference;  // CV_32F
  cv::Mat reference_grad;
  double reference_energy = 0;  // mean squared gradient per pixel
  double last_t = 0;
  std::vector<core::Box> held;  // source pixels

  void ResetModel() {
    mog = cv::createBackgroundSubtractorMOG2(p.history_frames, p.var_threshold, p.detect_shadows);
    mog->setShadowThreshold(p.shadow_threshold);
  }
};

MotionDetector::MotionDetector(const MotionParams& params) : impl_(std::make_unique<Impl>()) {
  impl_->p = params;
  impl_->ResetModel();
  impl_->warm_left = params.warmup_frames;
  if (params.open_kernel > 1) {
    impl_->open_k = cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                              cv::Size(params.open_kernel, params.open_kernel));
  }
  if (params.close_width > 1 || params.close_height > 1) {
    impl_->close_k = cv::getStructuringElement(
        cv::MORPH_RECT,
        cv::Size(std::max(1, params.close_width), std::max(1, params.close_height)));
  }
}

MotionDetector::~MotionDetector() = default;

void MotionDetector::Hold(const std::vector<core::Box>& boxes) { impl_->held = boxes; }

MotionResult MotionDetector::Process(const cv::Mat& frame, double t) {
  Impl& d = *impl_;
  const MotionParams& p = d.p;
  MotionResult r;
  r.t = t;
  if (frame.empty()) return r;

  // Downscale first, then convert: the colour conversion runs on few pixels.
  const int factor = std::max(
      1, static_cast<int>(std::lround(double(frame.cols) / std::max(16, p.analysis_width))));
  const int aw = frame.cols / factor;
  const int ah = std::max(1, frame.rows / factor);
  r.scale = static_cast<double>(frame.cols) / aw;
  cv::Mat small, gray;
  if (aw == frame.cols) {
    small = frame;
  } else {
    cv::resize(frame, small, cv::Size(aw, ah), 0, 0, cv::INTER_AREA);
  }
  if (small.channels() == 3) {
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  } else if (small.channels() == 4) {
    cv::cvtColor(small, gray, cv::COLOR_BGRA2GRAY);
  } else {
    gray = small;
  }

  const cv::Mat& model_input = p.color_model && small.channels() == 3 ? small : gray;
  cv::Mat raw;
  if (d.held.empty() || d.frames == 0) {
    d.mog->apply(model_input, raw);
  } else {
    // Segment without learning, then learn from a frame whose held boxes show
    // the background: held pixels neither fade in nor drift. A ghost (the
    // background revealed where something stood when the model was built) is
    // not held: its outline has edges in the model, not in the frame.
    d.mog->apply(model_input, raw, 0);
    cv::Mat background, update = model_input.clone();
    d.mog->getBackgroundImage(background);
    if (background.type() == update.type()) {
      const cv::Rect frame_rect(0, 0, update.cols, update.rows);
      for (const core::Box& b : d.held) {
        // A margin of a tenth of the box: limbs and edges stay foreground too.
        const double mx = 0.1 * b.w, my = 0.1 * b.h;
        const cv::Point tl(static_cast<int>((b.x - mx) / r.scale),
                           static_cast<int>((b.y - my) / r.scale));
        const cv::Point br(static_cast<int>(std::ceil((b.x + b.w + mx) / r.scale)),
                           static_cast<int>(std::ceil((b.y + b.h + my) / r.scale)));
        const cv::Rect box = cv::Rect(tl, br) & frame_rect;
        if (box.area() == 0 || IsGhost(raw(box), update(box), background(box))) continue;
        background(box).copyTo(update(box));
      }
    }
    cv::Mat ignored;
    d.mog->apply(update, ignored);
  }
  ++d.frames;

  const int total = gray.rows * gray.cols;
  const int changed = cv::countNonZero(raw);  // foreground and shadow
  r.changed_fraction = static_cast<double>(changed) / total;

  cv::Mat mask = raw == kMogForeground;
  if (!d.open_k.empty()) cv::morphologyEx(mask, mask, cv::MORPH_OPEN, d.open_k);
  if (!d.close_k.empty()) cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, d.close_k);

  // A global change (lights, camera moved) would keep the whole frame "moving"
  // for a whole history: rebuild the model from this frame instead.
  if (d.frames > 1 && r.changed_fraction > p.global_change_fraction) {
    d.ResetModel();
    cv::Mat ignored;
    d.mog->apply(model_input, ignored);
    d.warm_left = std::max(d.warm_left, kRelearnFrames);
  }
  r.warming_up = d.warm_left > 0;
  if (d.warm_left > 0) --d.warm_left;

  // Regions (skipped while the model is untrusted: the whole frame may be "moving").
  if (!r.warming_up) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
      if (stats.at<int>(i, cv::CC_STAT_AREA) < p.min_region_area) continue;
      r.regions.push_back({stats.at<int>(i, cv::CC_STAT_LEFT) * r.scale,
                           stats.at<int>(i, cv::CC_STAT_TOP) * r.scale,
                           stats.at<int>(i, cv::CC_STAT_WIDTH) * r.scale,
                           stats.at<int>(i, cv::CC_STAT_HEIGHT) * r.scale});
    }
    std::sort(r.regions.begin(), r.regions.end(),
              [](const core::Box& a, const core::Box& b) { return a.Area() > b.Area(); });
  }

  // Tamper signals.
  r.signals = ComputeFrameSignals(gray, p.uniform_cell, p.uniform_stddev);
  cv::Mat half;
  cv::resize(gray, half, cv::Size(std::max(1, gray.cols / 2), std::max(1, gray.rows / 2)), 0, 0,
             cv::INTER_AREA);
  const cv::Mat grad = Gradients(half);
  auto set_reference_grad = [&d](cv::Mat g) {
    d.reference_grad = std::move(g);
    d.reference_energy = d.reference_grad.dot(d.reference_grad) / d.reference_grad.total();
  };
  if (d.reference.empty()) {
    half.convertTo(d.reference, CV_32F);
    set_reference_grad(grad);
    d.last_t = t;
  } else {
    if (d.reference_energy >= core::kMinGradientEnergy) {
      r.signals.background_match = GradientCorrelation(grad, d.reference_grad);
      if (r.signals.background_match < core::kCellsJudgedBelowMatch) {
        r.signals.background_cells = core::MatchedCellShare(
            grad.ptr<float>(), d.reference_grad.ptr<float>(), grad.cols, grad.rows);
      }
    }
    const double dt = std::max(0.0, t - d.last_t);
    d.last_t = t;
    const double alpha = std::clamp(dt / std::max(1e-6, p.background_tau_s), 0.0, 1.0);
    if (alpha > 0) {
      cv::accumulateWeighted(half, d.reference, alpha);
      set_reference_grad(Gradients(d.reference));
    }
  }

  r.gray = ToGrayImage(gray);
  r.mask = ToGrayImage(mask);
  return r;
}

}  // namespace argus::motion
