// `argus detect VIDEO --detector builtin|hog|onnx:PATH --out det.txt`: runs motion
// analysis and a detector over a video file and writes MOTChallenge detections
// (frame,-1,x,y,w,h,score,-1,-1,-1). With --gt it also prints frame-level
// precision / recall / MODA. Frames come from cv::VideoCapture (a tool, not the
// pipeline, which reads through ingest).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>

#include "app/command.h"
#include "core/progress.h"
#include "detect/detector.h"
#include "detect/frame_eval.h"
#include "motion/motion.h"

namespace argus::app {
namespace {

struct DetectArgs {
  std::string video;
  std::string detector = "builtin";
  std::string out;
  std::string gt;
  std::string classes = "person";
  std::string format = "auto";
  int max_frames = 0;
  int threads = 0;  // 0: OpenCV's default
  int analysis_width = motion::kDefaultAnalysisWidth;
  float score = -1;  // <0: the detector's default
  int input_size = detect::kDefaultInputSize;
  double full_frame_every_s = detect::kDefaultFullFrameEveryS;
  bool no_gating = false;
  double static_suppress_s = detect::kDefaultStaticAfterS;
  bool hog_verify = false;
  bool motion_color = false;
  double shadow_threshold = motion::kDefaultShadowThreshold;
  double var_threshold = motion::kDefaultVarThreshold;
  std::string dump_dir;  // annotated frames for inspection
  int dump_every = 50;
};

// Frame with ground truth (green), detections (red) and the motion mask (blue tint).
void DumpFrame(const std::string& dir, int frame, const cv::Mat& img, const motion::MotionResult& m,
               const std::vector<core::Box>& gt, const std::vector<track::Detection>& dets) {
  cv::Mat vis = img.clone();
  if (!m.mask.empty()) {
    const cv::Mat mask(m.mask.height, m.mask.width, CV_8U,
                       const_cast<uint8_t*>(m.mask.pixels.data()));
    cv::Mat big;
    cv::resize(mask, big, img.size(), 0, 0, cv::INTER_NEAREST);
    vis.setTo(cv::Scalar(255, 128, 0), big);
    cv::addWeighted(vis, 0.4, img, 0.6, 0, vis);
  }
  auto rect = [](const core::Box& b) { return cv::Rect(int(b.x), int(b.y), int(b.w), int(b.h)); };
  for (const auto& b : gt) cv::rectangle(vis, rect(b), cv::Scalar(0, 255, 0), 1);
  for (const auto& d : dets) {
    cv::rectangle(vis, rect(d.box), cv::Scalar(0, 0, 255), 2);
    cv::putText(vis, cv::format("%.2f", d.score), cv::Point(int(d.box.x), int(d.box.y) - 2),
                cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 255));
  }
  cv::imwrite(cv::format("%s/frame_%04d.png", dir.c_str(), frame), vis);
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int Run(const DetectArgs& a) {
  auto cfg = detect::ParseDetectorSpec(a.detector);
  if (!cfg.ok()) {
    std::cerr << "argus detect: " << cfg.status().message() << "\n";
    return kExitBadInput;
  }
  cfg->classes = SplitComma(a.classes);
  if (a.score >= 0) cfg->score_threshold = a.score;
  cfg->input_size = a.input_size;
  cfg->full_frame_every_s = a.full_frame_every_s;
  cfg->builtin_hog_verify = a.hog_verify;
  cfg->static_suppress_s = a.static_suppress_s;
  auto fmt = detect::ParseYoloFormat(a.format);
  if (!fmt.ok()) {
    std::cerr << "argus detect: " << fmt.status().message() << "\n";
    return kExitBadInput;
  }
  cfg->format = *fmt;
  detect::MotGroundTruth gt;
  if (!a.gt.empty()) {
    auto g = detect::ReadMotGroundTruth(a.gt);
    if (!g.ok()) {
      std::cerr << "argus detect: " << g.status().message() << "\n";
      return kExitBadInput;
    }
    gt = std::move(*g);
  }
  if (a.threads > 0) cv::setNumThreads(a.threads);

  cv::VideoCapture cap(a.video);
  if (!cap.isOpened()) {
    std::cerr << "argus detect: cannot open video " << a.video << "\n";
    return kExitBadInput;
  }
  auto det = detect::MakeDetector(*cfg);
  if (!det.ok()) {
    std::cerr << "argus detect: " << det.status().message() << "\n";
    return det.status().code() == core::StatusCode::kInternal ? kExitRuntime : kExitBadInput;
  }
  // Write to a temporary file, renamed at the end: nothing half-written.
  const std::string tmp = a.out + ".tmp";
  std::ofstream out(tmp);
  if (!out) {
    std::cerr << "argus detect: cannot write " << a.out << "\n";
    return kExitBadInput;
  }
  double fps = cap.get(cv::CAP_PROP_FPS);
  if (!(fps > 0 && fps < 1000)) fps = detect::kDefaultAssumedFps;
  int total = static_cast<int>(cap.get(cv::CAP_PROP_FRAME_COUNT));
  if (a.max_frames > 0 && (total <= 0 || a.max_frames < total)) total = a.max_frames;

  motion::MotionParams mp;
  mp.analysis_width = a.analysis_width;
  mp.color_model = a.motion_color;
  mp.shadow_threshold = a.shadow_threshold;
  mp.var_threshold = a.var_threshold;
  motion::MotionDetector md(mp);
  core::ProgressBar progress("detect", total > 0 ? total : 0);
  detect::FrameEvalStats stats;
  using Clock = std::chrono::steady_clock;
  double motion_s = 0, detect_s = 0;
  // Process CPU time (all threads) next to wall time: on a shared machine the
  // wall clock also counts other processes.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
  };
  double motion_cpu = 0, detect_cpu = 0;
  int frame = 0, detections = 0;
  cv::Mat img;
  while ((a.max_frames <= 0 || frame < a.max_frames) && cap.read(img)) {
    ++frame;
    const double t = (frame - 1) / fps;
    const auto t0 = Clock::now();
    const double c0 = cpu_now();
    const motion::MotionResult m = md.Process(img, t);
    const auto t1 = Clock::now();
    const double c1 = cpu_now();
    auto dets = (*det)->Detect(img, a.no_gating ? nullptr : &m);
    const auto t2 = Clock::now();
    motion_cpu += c1 - c0;
    detect_cpu += cpu_now() - c1;
    motion_s += std::chrono::duration<double>(t1 - t0).count();
    detect_s += std::chrono::duration<double>(t2 - t1).count();
    if (!dets.ok()) {
      std::cerr << "argus detect: frame " << frame << ": " << dets.status().message() << "\n";
      std::remove(tmp.c_str());
      return kExitRuntime;
    }
    std::vector<core::Box> boxes;
    for (const track::Detection& d : *dets) {
      char line[160];
      std::snprintf(line, sizeof line, "%d,-1,%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1\n", frame, d.box.x,
                    d.box.y, d.box.w, d.box.h, d.score);
      out << line;
      boxes.push_back(d.box);
      ++detections;
    }
    if (!a.gt.empty()) {
      detect::AccumulateFrame(gt.evaluated[frame], gt.ignored[frame], boxes, 0.5, &stats);
    }
    if (!a.dump_dir.empty() && frame % std::max(1, a.dump_every) == 0) {
      DumpFrame(a.dump_dir, frame, img, m, gt.evaluated[frame], *dets);
    }
    progress.Update(frame);
  }
  progress.Finish();
  out.close();
  if (!out || std::rename(tmp.c_str(), a.out.c_str()) != 0) {
    std::cerr << "argus detect: cannot write " << a.out << "\n";
    std::remove(tmp.c_str());
    return kExitRuntime;
  }
  const int n = std::max(1, frame);
  std::fprintf(stderr,
               "detector %s: %d frames, %d detections; per frame: motion %.2f ms wall / %.2f ms "
               "CPU, detector %.2f ms wall / %.2f ms CPU (OpenCV threads %d)\n",
               (*det)->name().c_str(), frame, detections, 1e3 * motion_s / n, 1e3 * motion_cpu / n,
               1e3 * detect_s / n, 1e3 * detect_cpu / n, cv::getNumThreads());
  if (!a.gt.empty()) {
    std::fprintf(stderr,
                 "frame-level vs gt (IoU 0.5): GT %d TP %d FP %d FN %d  precision %.3f recall "
                 "%.3f MODA %.3f mean IoU %.3f\n",
                 stats.gt, stats.tp, stats.fp, stats.fn, stats.Precision(), stats.Recall(),
                 stats.Moda(), stats.MeanIoU());
  }
  return kExitOk;
}

const CommandRegistrar kDetect("detect", [](CLI::App& parent) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd =
      parent.add_subcommand("detect", "Run a detector over a video, write MOT detections");
  cmd->add_option("video", args->video, "Video file")->required();
  cmd->add_option("--detector", args->detector, "builtin | hog | onnx:PATH");
  cmd->add_option("--out", args->out, "MOTChallenge detections to write")->required();
  cmd->add_option("--max-frames", args->max_frames, "Stop after N frames");
  cmd->add_option("--classes", args->classes, "COCO classes to keep, comma-separated ('' = all)");
  cmd->add_option("--score", args->score, "Score threshold (default: the detector's)");
  cmd->add_option("--format", args->format, "onnx output format: auto|yolox|yolov5|yolov8");
  cmd->add_option("--input-size", args->input_size, "onnx input size (square)");
  cmd->add_option("--full-frame-every", args->full_frame_every_s,
                  "onnx: full-frame pass period without motion (stream seconds)");
  cmd->add_option("--static-suppress", args->static_suppress_s,
                  "onnx/hog: drop 'persons' motionless this long (s; 0 = off)");
  cmd->add_flag("--no-gating", args->no_gating, "Run the detector on every frame");
  cmd->add_flag("--hog-verify", args->hog_verify, "builtin: split crowds with HOG");
  cmd->add_option("--analysis-width", args->analysis_width, "Motion analysis width (pixels)");
  cmd->add_flag("--motion-color", args->motion_color, "Background model on colour");
  cmd->add_option("--shadow-threshold", args->shadow_threshold, "MOG2 shadow ratio (0..1)");
  cmd->add_option("--var-threshold", args->var_threshold, "MOG2 variance threshold");
  cmd->add_option("--threads", args->threads, "OpenCV threads (0 = default)");
  cmd->add_option("--gt", args->gt, "MOT ground truth: print frame-level precision/recall/MODA");
  cmd->add_option("--dump-dir", args->dump_dir, "Write annotated frames (PNG) here");
  cmd->add_option("--dump-every", args->dump_every, "With --dump-dir: every N frames");
  return [args] { return Run(*args); };
});

}  // namespace
}  // namespace argus::app
