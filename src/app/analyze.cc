#include "app/analyze.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "app/annotator.h"
#include "app/camera_pipeline.h"
#include "app/command.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "core/progress.h"
#include "events/jsonl_writer.h"
#include "record/video_writer.h"

namespace argus::app {

namespace {

constexpr size_t kDecodeQueueFrames = 8;  // decode runs ahead of analysis by this much
constexpr double kFallbackFps = 25;

std::atomic<ingest::VideoSource*> g_source{nullptr};

void OnSignal(int) {
  // Stop reading; the loop then finishes and commits what it has.
  if (ingest::VideoSource* s = g_source.load()) s->Stop();
}

// Decodes on its own thread so decoding overlaps analysis on another core.
class FrameQueue {
 public:
  FrameQueue(ingest::VideoSource& source, int64_t max_frames)
      : source_(source), max_frames_(max_frames), thread_([this] { Run(); }) {}
  ~FrameQueue() {
    source_.Stop();
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // False at the end of the stream.
  bool Pop(ingest::Frame* out) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !frames_.empty() || done_; });
    if (frames_.empty()) return false;
    *out = std::move(frames_.front());
    frames_.pop_front();
    cv_.notify_all();
    return true;
  }

 private:
  void Run() {
    int64_t n = 0;
    while (max_frames_ <= 0 || n < max_frames_) {
      ingest::Frame f;
      if (source_.Read(&f) != ingest::ReadStatus::kFrame) break;
      ++n;
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return frames_.size() < kDecodeQueueFrames || closed_; });
      if (closed_) break;
      frames_.push_back(std::move(f));
      cv_.notify_all();
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  ingest::VideoSource& source_;
  const int64_t max_frames_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ingest::Frame> frames_;
  bool done_ = false;
  bool closed_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// The config to run: the file's camera (with SOURCE as its source), or a
// camera with no rules when there is no config.
core::Result<std::pair<config::Config, size_t>> LoadCamera(const AnalyzeOptions& o) {
  config::Config cfg;
  if (o.config_path.empty()) {
    config::CameraConfig cam;
    cam.name = std::filesystem::path(o.source).stem().string();
    if (cam.name.empty()) cam.name = "camera";
    cfg.cameras.push_back(cam);
  } else {
    config::Diagnostics diag;
    auto loaded = config::LoadConfig(o.config_path, &diag);
    if (!loaded.ok()) {
      std::cerr << diag.ToString();
      return loaded.status();
    }
    cfg = std::move(loaded).value();
  }
  size_t index = 0;
  if (!o.camera.empty()) {
    const config::CameraConfig* cam = cfg.FindCamera(o.camera);
    if (!cam) return core::InvalidArgument("--camera: no camera named '" + o.camera + "'");
    index = static_cast<size_t>(cam - cfg.cameras.data());
  }
  cfg.cameras[index].source = o.source;
  return std::make_pair(std::move(cfg), index);
}

int Fail(const core::Status& s) { return FailWith("argus analyze", s); }

// Refuses two outputs naming one file (both would write "<path>.part" and one would
// overwrite the other) and proves each output directory writable before the analysis, so
// a mistake costs a moment, not the whole video.
core::Status CheckOutputs(const AnalyzeOptions& o) {
  const std::pair<const char*, std::string> outputs[] = {
      {"--tracks", o.tracks_path}, {"--events", o.events_path}, {"--annotate", o.annotate_path}};
  for (size_t i = 0; i < std::size(outputs); ++i) {
    if (outputs[i].second.empty()) continue;
    const auto path_i = std::filesystem::absolute(outputs[i].second).lexically_normal();
    for (size_t j = i + 1; j < std::size(outputs); ++j) {
      if (outputs[j].second.empty()) continue;
      if (path_i == std::filesystem::absolute(outputs[j].second).lexically_normal()) {
        return core::InvalidArgument(std::string(outputs[i].first) + " and " + outputs[j].first +
                                     " both name " + outputs[i].second +
                                     "; give each output its own file");
      }
    }
    // Created and removed again: the real file is written under this name later.
    const std::string probe = outputs[i].second + record::kPartialSuffix;
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return core::IoError(std::string(outputs[i].first) + ": cannot write " + probe + ": " +
                           std::strerror(errno));
    }
    ::close(fd);
    ::unlink(probe.c_str());
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<core::WallTime> ParseStartTime(const std::string& s) {
  if (s.empty()) return core::SystemClock::Instance().Now();
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail() || (in.peek() != 'Z' && in.peek() != EOF)) {
    return core::InvalidArgument("--start-time: expected YYYY-MM-DDTHH:MM:SSZ (UTC), found '" + s +
                                 "'");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

int RunAnalyze(const AnalyzeOptions& o) {
  auto start = ParseStartTime(o.start_time);
  if (!start.ok()) return Fail(start.status());
  auto loaded = LoadCamera(o);
  if (!loaded.ok()) return Fail(loaded.status());
  const config::Config& cfg = loaded->first;
  const config::CameraConfig& cam = cfg.cameras[loaded->second];
  if (core::Status s = CheckOutputs(o); !s.ok()) return Fail(s);

  config::Diagnostics diag;
  auto pipeline = CameraPipeline::Create(cfg, cam, o.detector, &diag);
  if (!pipeline.ok()) {
    std::cerr << diag.ToString();
    return Fail(pipeline.status());
  }

  ingest::SourceOptions so;
  so.url = o.source;
  so.rtsp_transport = cam.rtsp_transport;
  auto source = ingest::VideoSource::Open(so, core::SystemClock::Instance());
  if (!source.ok()) return Fail(source.status());

  // Outputs are written under .part names and renamed only at a clean end.
  std::unique_ptr<core::AtomicFile> tracks_file;
  std::unique_ptr<events::JsonlWriter> events_file;
  std::unique_ptr<record::Mp4Writer> video;
  if (!o.tracks_path.empty()) {
    auto f = core::AtomicFile::Open(o.tracks_path);
    if (!f.ok()) return Fail(f.status());
    tracks_file = std::move(f).value();
  }
  if (!o.events_path.empty()) {
    auto f = events::JsonlWriter::Open(o.events_path);
    if (!f.ok()) return Fail(f.status());
    events_file = std::move(f).value();
  }

  Annotator annotator((*pipeline)->camera());
  std::set<int> track_ids;
  std::map<std::string, int> incidents_by_type;
  int64_t frames = 0, analysed = 0;
  const double fps = (*source)->nominal_fps() > 0 ? (*source)->nominal_fps() : kFallbackFps;
  int64_t total = (*source)->frame_count_hint();
  if (o.max_frames > 0 && (total <= 0 || o.max_frames < total)) total = o.max_frames;
  core::ProgressBar progress("analyze", total);
  const double t0 = core::SystemClock::Instance().Seconds();

  auto write_events = [&](const std::vector<events::Event>& evs) -> core::Status {
    for (const events::Event& e : evs) {
      if (e.phase == events::Phase::kStart) ++incidents_by_type[e.type];
      if (events_file) ARGUS_RETURN_IF_ERROR(events_file->Write(e));
    }
    annotator.Observe(evs);
    return core::Status::Ok();
  };

  g_source = source->get();
  auto old_int = std::signal(SIGINT, OnSignal);
  auto old_term = std::signal(SIGTERM, OnSignal);
  core::Status status;
  {
    FrameQueue queue(**source, o.max_frames);
    ingest::Frame frame;
    FrameOutput out;
    std::vector<track::Track> shown;
    while (status.ok() && queue.Pop(&frame)) {
      ++frames;
      const core::WallTime wall = *start + std::chrono::duration_cast<core::WallTime::duration>(
                                               std::chrono::duration<double>(frame.t));
      status = (*pipeline)->Process(frame, wall, &out);
      if (!status.ok()) break;
      if (out.analysed) ++analysed;
      for (const track::Track& tr : out.tracks) track_ids.insert(tr.id);
      status = write_events(out.events);
      if (status.ok() && tracks_file && out.analysed) {
        std::string lines;
        char buf[160];
        for (const track::Track& tr : out.tracks) {
          std::snprintf(buf, sizeof buf, "%lld,%d,%.2f,%.2f,%.2f,%.2f,%.3f,-1,-1,-1\n",
                        static_cast<long long>(frame.number), tr.id, tr.box.x, tr.box.y, tr.box.w,
                        tr.box.h, tr.score);
          lines += buf;
        }
        status = tracks_file->Append(lines);
      }
      if (status.ok() && !o.annotate_path.empty()) {
        if (!video) {
          auto v = record::Mp4Writer::Open(o.annotate_path, frame.bgr.cols, frame.bgr.rows, fps);
          if (!v.ok()) {
            status = v.status();
            break;
          }
          video = std::move(v).value();
        }
        // Frames skipped by the detection rate keep the last tracks on screen.
        if (out.analysed) shown = out.tracks;
        annotator.Draw(frame.bgr, shown, frame.t);
        status = video->Write(frame.bgr);
      }
      progress.Update(frames);
    }
    if (status.ok()) {
      (*pipeline)->Finish(&out);
      status = write_events(out.events);
    }
  }
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  g_source = nullptr;
  progress.Finish();
  const double seconds = core::SystemClock::Instance().Seconds() - t0;
  if (!status.ok()) return Fail(status);

  if (tracks_file) status = tracks_file->Commit();
  if (status.ok() && events_file) status = events_file->Commit();
  if (status.ok() && video) status = video->Close();
  if (!status.ok()) return Fail(status);

  int64_t incidents = 0;
  for (const auto& [type, n] : incidents_by_type) incidents += n;
  std::printf("source     %s (%dx%d, %.2f fps)\n", o.source.c_str(), (*source)->width(),
              (*source)->height(), fps);
  std::printf("detector   %s\n", (*pipeline)->detector_name().c_str());
  std::printf("frames     %lld decoded, %lld analysed in %.2f s (%.1f frames/s)\n",
              static_cast<long long>(frames), static_cast<long long>(analysed), seconds,
              seconds > 0 ? frames / seconds : 0.0);
  std::printf("tracks     %zu\n", track_ids.size());
  std::printf("incidents  %lld", static_cast<long long>(incidents));
  for (const auto& [type, n] : incidents_by_type) std::printf("  %s=%d", type.c_str(), n);
  std::printf("\nmemory     %.0f MiB peak resident\n", PeakRssMiB());
  for (const auto& [path, what] : {std::pair{o.tracks_path, "tracks"},
                                   {o.events_path, "events"},
                                   {o.annotate_path, "video"}}) {
    if (path.empty()) continue;
    // The video is created at the first frame: with none there is no file to speak of.
    const bool written = path != o.annotate_path || video;
    std::printf("%s %s (%s)\n", written ? "wrote     " : "not written", path.c_str(),
                written ? what : "video: no frame was decoded");
  }
  return kExitOk;
}

}  // namespace argus::app
