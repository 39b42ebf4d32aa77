#include "app/camera_fleet.h"

#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>

#include "app/learn_store.h"
#include "app/live_view.h"
#include "app/privacy.h"
#include "record/clip_recorder.h"

namespace argus::app {

struct CameraFleet::Camera {
  config::CameraConfig config;
  std::unique_ptr<CameraRunner> runner;
  std::unique_ptr<record::ClipRecorder> clips;
  std::unique_ptr<LiveView> live;  // analysis only
  // What viewers may not see, from the last analysed frame (the rate limit skips
  // detection on some). Analysis only.
  std::unique_ptr<PrivacyGuard> privacy;
  std::mutex mu;            // guards the fields below
  cv::Mat latest;           // for the evidence of other cameras' and sensors' alerts
  BlurPlan latest_privacy;  // what to blur in `latest` for viewers
  std::map<std::string, int> zone_counts;
};

CameraFleet::CameraFleet(core::Clock& clock, store::Store& db, api::FrameHub& frames,
                         EvidenceService& evidence, FollowService& follow, Post post)
    : clock_(clock),
      db_(db),
      frames_(frames),
      evidence_(evidence),
      follow_(follow),
      post_(std::move(post)) {}

CameraFleet::~CameraFleet() { Stop(); }

core::Status CameraFleet::Start(const config::Config& cfg) {
  pool_ = std::make_unique<AnalysisPool>(
      cfg.server.workers, [this](CameraRunner& r, QueuedFrame& f) { Analyse(r, f); });
  for (const config::CameraConfig& cam : cfg.cameras) {
    if (core::Status st = Add(cfg, cam); !st.ok()) return st;
  }
  return core::Status::Ok();
}

core::Status CameraFleet::Add(const config::Config& cfg, const config::CameraConfig& cc) {
  auto cam = std::make_unique<Camera>();
  cam->config = cc;
  record::ClipRecorderOptions clip_options;
  clip_options.pre_roll_s = cfg.evidence.pre_roll_s;
  // Clips are cut from the camera's own packets: the masks must be applied again there.
  clip_options.privacy_masks = cc.privacy_masks;
  clip_options.may_write = [this] { return evidence_.recording_allowed(); };
  cam->clips = std::make_unique<record::ClipRecorder>(clip_options);
  Camera* raw = cam.get();
  cam->clips->OnClipDone([this, name = cc.name](const record::ClipResult& r) {
    if (!r.status.ok())
      evidence_.CountError("camera " + name + ": clip " + r.path + ": " + r.status.message());
  });
  CameraRunner::Callbacks cb;
  cb.frame_ready = [this](CameraRunner& r) { pool_->Schedule(&r); };
  // On the reading thread (Poll's or Stop's for some states): the clip recorder's input
  // ends with the stream.
  cb.state_changed = [this, raw](CameraRunner& r, CameraState s) {
    if (s == CameraState::kOffline) raw->clips->EndOfStream();
    const CameraStats stats = r.stats();
    post_(CameraChange{r.name(), s, stats.fps, stats.error});
  };
  cb.packet = [raw](const AVPacket& p, const AVStream& s) { raw->clips->OnPacket(p, s); };
  config::Diagnostics diag;
  auto runner =
      CameraRunner::Create(cfg, cc, cfg.server.queue_frames, clock_, std::move(cb), &diag);
  if (!runner.ok()) {
    std::cerr << diag.ToString();
    return runner.status();
  }
  cam->runner = std::move(runner).value();
  AttachLearnedModel(db_, clock_, cam->runner->pipeline());
  cam->live = std::make_unique<LiveView>(cam->runner->camera(), frames_, clock_);
  cam->privacy = std::make_unique<PrivacyGuard>(cc.detect_fps);
  cam->runner->Start();
  std::unique_lock lock(mu_);
  cameras_[cc.name] = std::move(cam);
  return core::Status::Ok();
}

// Stops the camera and closes its open incidents (their end events go to the event loop
// like any other).
void CameraFleet::Remove(std::unique_ptr<Camera> cam) {
  cam->runner->Stop();
  if (pool_) pool_->Remove(cam->runner.get());
  FrameOutput out;
  cam->runner->pipeline().Finish(&out);
  follow_.CameraStopped(cam->config.name);
  if (!out.events.empty()) {
    post_(CameraEvents{std::move(out.events), {cam->config.name, {}, {}, clock_.Now()}});
  }
  cam->clips->EndOfStream();
  cam->clips->WaitIdle(kShutdownFlushS);
}

CameraFleet::ReloadResult CameraFleet::Reload(const config::Config& cfg) {
  std::map<std::string, const config::CameraConfig*> wanted;
  for (const config::CameraConfig& c : cfg.cameras) wanted[c.name] = &c;
  std::vector<std::unique_ptr<Camera>> gone;
  std::vector<const config::CameraConfig*> start;
  {
    std::unique_lock lock(mu_);
    for (auto it = cameras_.begin(); it != cameras_.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end() || w->second->fingerprint != it->second->config.fingerprint) {
        gone.push_back(std::move(it->second));
        it = cameras_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [name, c] : wanted) {
      if (!cameras_.count(name)) start.push_back(c);
    }
  }
  ReloadResult result;
  result.stopped = gone.size();
  result.started = start.size();
  for (auto& cam : gone) {
    spdlog::info("reload: stopping camera {}", cam->config.name);
    Remove(std::move(cam));
  }
  for (const config::CameraConfig* c : start) {
    spdlog::info("reload: starting camera {}", c->name);
    if (core::Status st = Add(cfg, *c); !st.ok() && result.status.ok()) result.status = st;
  }
  return result;
}

void CameraFleet::Stop() {
  // Every reading thread first, then the pool (no frame is analysed after this), then
  // each camera's last incidents and clips.
  {
    std::unique_lock lock(mu_);  // no Poll meanwhile
    for (auto& [name, cam] : cameras_) cam->runner->Stop();
  }
  {
    std::shared_lock lock(mu_);
    for (auto& [name, cam] : cameras_) {
      if (pool_) pool_->Remove(cam->runner.get());
    }
  }
  if (pool_) pool_->Stop();
  std::map<std::string, std::unique_ptr<Camera>> cams;
  {
    std::unique_lock lock(mu_);
    cams.swap(cameras_);
  }
  for (auto& [name, cam] : cams) Remove(std::move(cam));
}

void CameraFleet::Poll() {
  std::shared_lock lock(mu_);
  for (auto& [name, cam] : cameras_) cam->runner->Poll();
}

bool CameraFleet::WithCamera(const std::string& camera, const Use& use) {
  std::shared_lock lock(mu_);
  auto it = cameras_.find(camera);
  if (it == cameras_.end()) return false;
  Camera& cam = *it->second;
  cv::Mat latest;
  BlurPlan privacy;
  {
    std::lock_guard cam_lock(cam.mu);
    latest = cam.latest;
    privacy = cam.latest_privacy;
  }
  use(cam.config, latest, privacy, *cam.clips);
  return true;
}

std::vector<api::CameraStatus> CameraFleet::Statuses() const {
  std::vector<api::CameraStatus> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, cam] : cameras_) {
    const CameraStats s = cam->runner->stats();
    api::CameraStatus c;
    c.name = name;
    c.status = ToString(s.state);
    c.fps = s.fps;
    c.analysed_fps = s.analysed_fps;
    c.frames = s.frames;
    c.analysed = s.analysed;
    c.dropped = s.dropped;
    c.damaged = s.damaged;
    c.detector_ms = s.analysis_ms;
    c.queue_depth = s.queue_depth;
    c.reconnects = s.reconnects + s.restarts;
    c.last_frame_at = s.last_frame_at;
    c.error = s.error;
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json CameraFleet::ZoneCounts() const {
  nlohmann::json out = nlohmann::json::object();
  std::shared_lock lock(mu_);
  for (const auto& [name, cam] : cameras_) {
    std::lock_guard cam_lock(cam->mu);
    out[name] = cam->zone_counts;
  }
  return out;
}

void CameraFleet::Analyse(CameraRunner& runner, QueuedFrame& qf) {
  Camera* cam = nullptr;
  {
    std::shared_lock lock(mu_);
    auto it = cameras_.find(runner.name());
    if (it == cameras_.end() || it->second->runner.get() != &runner) return;
    cam = it->second.get();
  }
  const double t0 = clock_.Seconds();
  FrameOutput out;
  const cv::Mat& bgr = qf.frame.bgr;
  if (core::Status st = runner.pipeline().Process(qf.frame, clock_.Now(), &out); !st.ok()) {
    spdlog::warn("camera {}: {}", runner.name(), st.message());
    // Nobody knows where the people are: viewers get the whole picture blurred.
    cam->privacy->Failed();
    cam->live->Update(bgr, {}, cam->privacy->Plan(qf.frame.t), qf.frame.t);
    return;
  }
  runner.RecordAnalysis((clock_.Seconds() - t0) * 1000);
  UpdateZoneCounts(*cam, out.tracks, bgr.cols, bgr.rows);
  follow_.Observe(cam->config, qf.frame, out, &out.events);
  if (out.analysed) {
    const motion::MotionResult& m = *out.motion;
    cam->privacy->Analysed(qf.frame.t, m.gray, m.mask, m.scale, m.warming_up,
                           BoxesToBlur(out.tracks, *out.active, out.detections, m.regions));
  }
  BlurPlan privacy = cam->privacy->Plan(qf.frame.t);
  {
    std::lock_guard lock(cam->mu);
    cam->latest = bgr;  // decoded frames are not reused: sharing is safe
    cam->latest_privacy = privacy;
  }
  cam->live->Observe(out.events);
  cam->live->Update(bgr, out.tracks, privacy, qf.frame.t);
  if (!out.events.empty()) {
    post_(CameraEvents{std::move(out.events),
                       {runner.name(), bgr, std::move(privacy), qf.arrived, out.tracks}});
  }
}

void CameraFleet::UpdateZoneCounts(Camera& cam, const std::vector<track::Track>& tracks, int w,
                                   int h) {
  for (const config::Zone& z : cam.config.zones) {
    core::Polygon px;
    for (const core::Point& p : z.polygon) px.push_back({p.x * w, p.y * h});
    int n = 0;
    for (const track::Track& t : tracks) n += core::PointInPolygon(t.box.BottomCenter(), px);
    bool changed = false;
    {
      std::lock_guard lock(cam.mu);
      auto [it, inserted] = cam.zone_counts.try_emplace(z.name, n);
      changed = inserted || it->second != n;
      it->second = n;
    }
    if (changed) post_(ZoneCount{cam.config.name, z.name, n});
  }
}

}  // namespace argus::app
