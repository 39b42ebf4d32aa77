#include "app/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <shared_mutex>
#include <thread>
#include <variant>

#include "api/http_server.h"
#include "api/json_format.h"
#include "app/analysis_pool.h"
#include "app/annotator.h"
#include "app/camera_runner.h"
#include "app/command.h"
#include "app/journal.h"
#include "app/learn_store.h"
#include "app/privacy.h"
#include "app/restart_reconcile.h"
#include "app/systemd_notify.h"
#include "app/unsaved_alerts.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "events/alert.h"
#include "notify/home_assistant.h"
#include "notify/mqtt_publisher.h"
#include "notify/sensor_subscriber.h"
#include "notify/topics.h"
#include "notify/webhook.h"
#include "record/clip_recorder.h"
#include "record/evidence_store.h"
#include "record/snapshot.h"
#include "rules/rule_engine.h"
#include "site/coverage.h"
#include "site/report.h"
#include "site/site_config.h"
#include "store/open_store.h"

namespace argus::app {

namespace {

// The live view costs a JPEG encode per frame shown: a few per second is what
// a camera wall needs, and keeps the cost per camera small.
constexpr double kLiveViewFps = 2;
constexpr int kLiveViewJpegQuality = 70;
// The viewers' blurred live view costs a blur and a second encode: it is made only while
// someone asked for it this recently (an open MJPEG stream asks several times a second).
constexpr double kBlurredViewWantedS = 5;
constexpr double kHousekeepingPeriodS = 0.25;
constexpr double kZoneHistoryMinPeriodS = 2;
// The first retention run, after start: the daemon is up before it deletes anything.
constexpr double kFirstRetentionS = 60;  // escalation ticks, camera status polls
constexpr double kRetentionPeriodS = 3600;
// Batches waiting for the event loop beyond which their frames are dropped
// (the events are kept; only the snapshot of a new alert would be missing).
constexpr size_t kMaxQueuedFrames = 64;
constexpr double kShutdownFlushS = 5;
constexpr int kHttpThreadsBesideStreams = 8;

std::string Iso(core::WallTime t) { return api::FormatTime(t); }

double UnixSeconds(core::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// An event's "who/where" for an incident raised by an external sensor.
events::Event SensorEvent(const notify::SensorReading& r, const config::SensorConfig* cfg,
                          core::WallTime now, int64_t n) {
  events::Event e;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  // The counter keeps two trips within one millisecond apart.
  e.id = "sensor-" + r.sensor + "-" + std::to_string(ms) + "-" + std::to_string(n);
  const bool observed = cfg && !cfg->cameras.empty();
  e.type = observed ? "sensor_trip" : "unobserved_sensor_trip";
  e.phase = events::Phase::kStart;
  e.camera = observed ? cfg->cameras.front() : "";
  e.rule = "sensor:" + r.sensor;
  e.zone = r.sensor;
  // Nobody can look at an unobserved place: that is the more urgent case.
  e.severity = observed ? cfg->severity : events::Severity::kCritical;
  e.t = r.t;
  e.details = {{"sensor", r.sensor},
               {"sensor_type", notify::ToString(r.type)},
               {"state", notify::ToString(r.state)},
               {"configured", cfg != nullptr},
               {"cameras", cfg ? cfg->cameras : std::vector<std::string>{}}};
  return e;
}

}  // namespace

// --- the daemon's state ------------------------------------------------------

struct Daemon::Impl final : api::Backend {
  // One camera: its runner, evidence recorder, live view and zone counts.
  struct Camera {
    config::CameraConfig config;
    std::unique_ptr<CameraRunner> runner;
    std::unique_ptr<record::ClipRecorder> clips;
    std::unique_ptr<Annotator> annotator;  // analysis thread only
    double last_live_view_s = 0;           // analysis thread only
    // People of the last analysed frame, blurred for viewers in the frames after it too
    // (the rate limit skips detection on some). Analysis thread only.
    std::vector<core::Box> people;
    bool blurred_view_live = false;  // analysis thread only: the blurred view is published
    std::mutex mu;                   // guards the fields below
    cv::Mat last_frame;              // for sensor snapshots
    // The people to blur in `last_frame`.
    std::vector<core::Box> last_frame_people;
    std::map<std::string, int> zone_counts;
  };

  struct Batch {
    std::string camera;
    std::vector<events::Event> events;
    cv::Mat frame;  // the analysed frame (masked), for a new alert's snapshot
    core::WallTime arrived;
    std::vector<core::Box> people;  // in `frame`: blurred in the viewers' snapshot
  };
  struct SensorTrip {
    notify::SensorReading reading;
  };
  struct CameraChange {
    std::string camera;
    CameraState state;
  };
  struct ZoneCount {
    std::string camera, zone;
    int count;
  };
  using Message = std::variant<Batch, SensorTrip, CameraChange, ZoneCount>;

  ServeOptions options;
  core::Clock& clock;
  config::Config config;  // guarded by config_mu (sensors are read by the event loop)
  std::mutex config_mu;
  std::string evidence_root;

  std::unique_ptr<store::Store> db;
  std::mutex alerts_mu;
  std::unique_ptr<events::AlertManager> alerts;

  api::LiveHub live;
  api::FrameHub frames{clock};
  std::unique_ptr<api::HttpServer> http;
  std::unique_ptr<notify::MqttPublisher> mqtt;
  std::unique_ptr<notify::HaDiscovery> ha;  // mqtt.home_assistant
  AlertJournal journal;                     // structured entries under systemd
  std::unique_ptr<notify::SensorSubscriber> sensor_sub;
  std::unique_ptr<notify::WebhookSender> webhooks;
  std::unique_ptr<record::DiskGuard> disk;
  std::unique_ptr<AnalysisPool> pool;

  mutable std::shared_mutex cameras_mu;
  std::map<std::string, std::unique_ptr<Camera>> cameras;

  std::mutex loop_mu;
  std::condition_variable loop_cv;
  std::deque<Message> inbox;
  size_t queued_frames = 0;
  bool loop_stop = false;
  std::thread loop;

  std::unique_ptr<auth::Authenticator> authn;
  std::optional<nlohmann::json> site_map;  // computed once at start (site::SiteMapJson)

  // Zone occupancy history: the latest count of each zone, written at most every
  // kZoneHistoryMinPeriodS (event loop only).
  struct ZoneSample {
    int count = 0;
    double written_s = -1e9;
    bool pending = false;
  };
  std::map<std::pair<std::string, std::string>, ZoneSample> zone_samples;

  struct RetentionRun {
    std::optional<core::WallTime> last_run;
    core::WallTime next_run;
    int64_t events_deleted = 0, alerts_deleted = 0, files_deleted = 0;  // last run
  };
  std::mutex retention_mu;
  RetentionRun retention;

  std::atomic<uint64_t> store_errors{0};
  UnsavedAlerts unsaved;  // alerts the store refused, written again at each housekeeping
  std::atomic<uint64_t> evidence_errors{0};
  std::atomic<uint64_t> alerts_opened{0};
  int64_t sensor_trips = 0;  // event loop only
  bool started = false;
  bool stopped = false;

  Impl(const ServeOptions& o, core::Clock& c) : options(o), clock(c) {}

  // --- api::Backend ----------------------------------------------------------

  std::vector<api::CameraStatus> Cameras() override {
    std::vector<api::CameraStatus> out;
    std::shared_lock lock(cameras_mu);
    for (const auto& [name, cam] : cameras) {
      const CameraStats s = cam->runner->stats();
      api::CameraStatus c;
      c.name = name;
      c.status = ToString(s.state);
      c.fps = s.fps;
      c.analysed_fps = s.analysed_fps;
      c.frames = s.frames;
      c.analysed = s.analysed;
      c.dropped = s.dropped;
      c.detector_ms = s.analysis_ms;
      c.queue_depth = s.queue_depth;
      c.reconnects = s.reconnects + s.restarts;
      c.last_frame_at = s.last_frame_at;
      c.error = s.error;
      out.push_back(std::move(c));
    }
    return out;
  }

  store::Store& store() override { return *db; }

  core::Result<events::Alert> Acknowledge(int64_t id, const std::string& who,
                                          const std::string& note,
                                          const std::string& from) override {
    std::lock_guard lock(alerts_mu);
    auto a = alerts->Acknowledge(id, who, note);
    if (!a.ok()) return StoredAlertOr(id, a.status());
    // Durable before we answer: the store writes the acknowledgement and its
    // audit entry in one transaction.
    if (core::Status st = db->Acknowledge(id, *a->ack, from); !st.ok()) return st;
    PublishAlert("acknowledged", *a, nullptr);
    return a;
  }

  core::Result<events::Alert> Resolve(int64_t id, const std::string& who, const std::string& note,
                                      const std::string& from) override {
    std::lock_guard lock(alerts_mu);
    auto a = alerts->Resolve(id, who, note);
    if (!a.ok()) return StoredAlertOr(id, a.status());
    if (core::Status st = db->Resolve(id, *a->resolution, from); !st.ok()) return st;
    PublishAlert("resolved", *a, nullptr);
    return a;
  }

  // The manager only holds open and acknowledged alerts: for an id it does not
  // know, the store says whether it exists (resolved: a state conflict).
  core::Status StoredAlertOr(int64_t id, const core::Status& manager_error) {
    auto stored = db->GetAlert(id);
    if (!stored.ok()) return stored.status();
    if (manager_error.code() == core::StatusCode::kNotFound) {
      return core::InvalidArgument("alert " + std::to_string(id) + " is " +
                                   events::ToString(stored->state));
    }
    return manager_error;
  }

  core::Result<std::string> EvidencePath(int64_t id, Evidence kind) override {
    auto a = db->GetAlert(id);
    if (!a.ok()) return a.status();
    namespace fs = std::filesystem;
    // The file name carries the severity at opening, which may have risen since.
    const record::EvidencePaths p =
        record::EvidencePathsFor(evidence_root, a->camera.empty() ? "site" : a->camera,
                                 std::to_string(id), events::Severity::kInfo, a->opened_at);
    const std::string prefix = std::to_string(id) + "-";
    // "<id>-<severity>.jpg" must not match the blurred twin "<id>-<severity>.blurred.jpg",
    // nor the other way round.
    auto matches = [kind](const std::string& name) {
      const bool blurred = name.ends_with(record::kBlurredSnapshotSuffix);
      switch (kind) {
        case Evidence::kSnapshot:
          return name.ends_with(".jpg") && !blurred;
        case Evidence::kSnapshotBlurred:
          return blurred;
        case Evidence::kClip:
          return name.ends_with(".mp4");
      }
      return false;
    };
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(p.dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) == 0 && matches(name)) return entry.path().string();
    }
    if (kind == Evidence::kClip)
      ARGUS_RETURN_IF_ERROR(record::CheckClipNotLost(p.dir, std::to_string(id)));
    const char* what = kind == Evidence::kClip              ? "clip"
                       : kind == Evidence::kSnapshotBlurred ? "blurred snapshot"
                                                            : "snapshot";
    return core::NotFound(std::string("no ") + what + " for alert " + std::to_string(id) +
                          " (yet)");
  }

  nlohmann::json ZoneCounts() override {
    nlohmann::json out = nlohmann::json::object();
    std::shared_lock lock(cameras_mu);
    for (const auto& [name, cam] : cameras) {
      std::lock_guard cam_lock(cam->mu);
      out[name] = cam->zone_counts;
    }
    return out;
  }

  core::Status OnSensor(const notify::SensorReading& r) override {
    Post(SensorTrip{r});
    return core::Status::Ok();
  }

  std::optional<nlohmann::json> SiteMap() override { return site_map; }

  nlohmann::json System() override {
    nlohmann::json days = nlohmann::json::object();
    bool recording_enabled;
    {
      std::lock_guard lock(config_mu);  // SIGHUP replaces the config
      for (const auto& [sev, d] : config.evidence.retention_days) days[events::ToString(sev)] = d;
      recording_enabled = config.evidence.enabled;
    }
    RetentionRun r;
    {
      std::lock_guard lock(retention_mu);
      r = retention;
    }
    const record::DiskStatus disk_status = disk->Check();
    return {{"retention",
             {{"days", days},
              {"last_run",
               r.last_run ? nlohmann::json(api::FormatTime(*r.last_run)) : nlohmann::json()},
              {"next_run", api::FormatTime(r.next_run)},
              {"events_deleted", r.events_deleted},
              {"alerts_deleted", r.alerts_deleted},
              {"files_deleted", r.files_deleted}}},
            {"recording",
             {{"enabled", recording_enabled}, {"paused_low_disk", !disk_status.recording}}}};
  }

  std::vector<std::string> Problems() override {
    return HealthProblems(unsaved, *disk, evidence_enabled());
  }

  bool evidence_enabled() {
    std::lock_guard lock(config_mu);
    return config.evidence.enabled;
  }

  std::string ExtraMetrics() override {
    std::string m;
    auto counter = [&](const char* name, const char* help, double v, const char* type) {
      m += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + fmt::format("{}", v) + "\n";
    };
    counter("argus_store_errors_total", "Store writes that failed.", store_errors.load(),
            "counter");
    counter("argus_evidence_errors_total", "Snapshots or clips that could not be written.",
            evidence_errors.load(), "counter");
    counter("argus_alerts_unsaved", "Alerts the store refused, kept in memory and retried.",
            static_cast<double>(unsaved.size()), "gauge");
    counter("argus_degraded", "1 when the store or evidence cannot write (see /healthz).",
            Problems().empty() ? 0 : 1, "gauge");
    counter("argus_alerts_opened_total", "Alerts opened since start.", alerts_opened.load(),
            "counter");
    if (disk) {
      const record::DiskStatus d = disk->Check();
      counter("argus_evidence_recording", "1 when evidence is recorded, 0 when the disk is full.",
              d.recording ? 1 : 0, "gauge");
    }
    if (mqtt) {
      const notify::MqttPublisherStats s = mqtt->stats();
      counter("argus_mqtt_connected", "1 when the broker is connected.", s.connected, "gauge");
      counter("argus_mqtt_queued_messages", "Messages waiting for the broker.", s.queued, "gauge");
      counter("argus_mqtt_dropped_total", "Messages dropped because the queue was full.", s.dropped,
              "counter");
    }
    {
      std::lock_guard lock(loop_mu);
      counter("argus_event_loop_queued_messages", "Messages waiting for the event loop.",
              inbox.size(), "gauge");
    }
    return m;
  }

  // --- cameras -----------------------------------------------------------------

  core::Status AddCamera(const config::Config& cfg, const config::CameraConfig& cc) {
    auto cam = std::make_unique<Camera>();
    cam->config = cc;
    record::ClipRecorderOptions clip_options;
    clip_options.pre_roll_s = cfg.evidence.pre_roll_s;
    // Clips are cut from the camera's own packets: the masks must be applied again there.
    clip_options.privacy_masks = cc.privacy_masks;
    clip_options.may_write = [this] { return disk->recording_allowed(); };
    cam->clips = std::make_unique<record::ClipRecorder>(clip_options);
    Camera* raw = cam.get();
    cam->clips->OnClipDone([this, name = cc.name](const record::ClipResult& r) {
      if (!r.status.ok()) {
        ++evidence_errors;
        spdlog::warn("camera {}: clip {}: {}", name, r.path, r.status.message());
      }
    });
    CameraRunner::Callbacks cb;
    cb.frame_ready = [this](CameraRunner& r) { pool->Schedule(&r); };
    cb.state_changed = [this](CameraRunner& r, CameraState s) { Post(CameraChange{r.name(), s}); };
    cb.packet = [raw](const AVPacket& p, const AVStream& s) { raw->clips->OnPacket(p, s); };
    config::Diagnostics diag;
    auto runner =
        CameraRunner::Create(cfg, cc, cfg.server.queue_frames, clock, std::move(cb), &diag);
    if (!runner.ok()) {
      std::cerr << diag.ToString();
      return runner.status();
    }
    cam->runner = std::move(runner).value();
    AttachLearnedModel(*db, clock, cam->runner->pipeline());
    cam->annotator = std::make_unique<Annotator>(cam->runner->camera());
    cam->runner->Start();
    std::unique_lock lock(cameras_mu);
    cameras[cc.name] = std::move(cam);
    return core::Status::Ok();
  }

  // Stops the camera and closes its open incidents (their end events go to the
  // event loop like any other).
  void RemoveCamera(std::unique_ptr<Camera> cam) {
    cam->runner->Stop();
    pool->Remove(cam->runner.get());
    FrameOutput out;
    cam->runner->pipeline().Finish(&out);
    if (!out.events.empty()) Post(Batch{cam->config.name, std::move(out.events), {}, clock.Now()});
    cam->clips->EndOfStream();
    cam->clips->WaitIdle(kShutdownFlushS);
  }

  // Runs on an analysis worker: one frame of one camera.
  void Analyse(CameraRunner& runner, QueuedFrame& qf) {
    Camera* cam = nullptr;
    {
      std::shared_lock lock(cameras_mu);
      auto it = cameras.find(runner.name());
      if (it == cameras.end() || it->second->runner.get() != &runner) return;
      cam = it->second.get();
    }
    const double t0 = clock.Seconds();
    FrameOutput out;
    if (core::Status st = runner.pipeline().Process(qf.frame, clock.Now(), &out); !st.ok()) {
      spdlog::warn("camera {}: {}", runner.name(), st.message());
      return;
    }
    runner.RecordAnalysis((clock.Seconds() - t0) * 1000);
    const cv::Mat& bgr = qf.frame.bgr;
    UpdateZoneCounts(*cam, out.tracks, bgr.cols, bgr.rows);
    if (out.analysed) cam->people = BoxesToBlur(out.tracks, out.detections);
    {
      std::lock_guard lock(cam->mu);
      cam->last_frame = bgr;  // decoded frames are not reused: sharing is safe
      cam->last_frame_people = cam->people;
    }
    cam->annotator->Observe(out.events);
    if (!out.events.empty()) {
      Post(Batch{runner.name(), std::move(out.events), bgr, qf.arrived, cam->people});
    }
    const double now = clock.Seconds();
    if (now - cam->last_live_view_s >= 1.0 / kLiveViewFps) {
      cam->last_live_view_s = now;
      PublishLiveView(*cam, bgr, out.tracks, qf.frame.t);
    }
  }

  // The annotated view for operators, and for viewers the same with people blurred under
  // the overlays, only while someone watches it.
  void PublishLiveView(Camera& cam, const cv::Mat& bgr, const std::vector<track::Track>& tracks,
                       double t) {
    const std::string& name = cam.config.name;
    auto encode = [](const cv::Mat& view) -> std::shared_ptr<const std::string> {
      std::vector<uchar> jpeg;
      if (!cv::imencode(".jpg", view, jpeg, {cv::IMWRITE_JPEG_QUALITY, kLiveViewJpegQuality})) {
        return nullptr;
      }
      return std::make_shared<const std::string>(jpeg.begin(), jpeg.end());
    };
    cv::Mat view = bgr.clone();
    cam.annotator->Draw(view, tracks, t);
    if (auto jpeg = encode(view)) frames.Set(name, std::move(jpeg));
    const bool wanted = frames.Wanted(name, api::FrameVariant::kBlurred, kBlurredViewWantedS);
    if (wanted) {
      cv::Mat blurred = bgr.clone();
      BlurBoxes(blurred, cam.people);
      cam.annotator->Draw(blurred, tracks, t);
      if (auto jpeg = encode(blurred)) {
        frames.Set(name, std::move(jpeg), api::FrameVariant::kBlurred);
      }
    } else if (cam.blurred_view_live) {
      frames.Clear(name, api::FrameVariant::kBlurred);  // a later viewer gets a fresh one
    }
    cam.blurred_view_live = wanted;
  }

  void UpdateZoneCounts(Camera& cam, const std::vector<track::Track>& tracks, int w, int h) {
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
      if (changed) Post(ZoneCount{cam.config.name, z.name, n});
    }
  }

  // --- the event loop ------------------------------------------------------------

  void Post(Message m) {
    {
      std::lock_guard lock(loop_mu);
      if (auto* b = std::get_if<Batch>(&m); b && !b->frame.empty()) {
        if (queued_frames >= kMaxQueuedFrames) {
          b->frame.release();
        } else {
          ++queued_frames;
        }
      }
      inbox.push_back(std::move(m));
    }
    loop_cv.notify_one();
  }

  void Loop() {
    double next_housekeeping = 0, next_retention = clock.Seconds() + kFirstRetentionS;
    std::unique_lock lock(loop_mu);
    while (true) {
      loop_cv.wait_for(lock, std::chrono::duration<double>(kHousekeepingPeriodS),
                       [&] { return loop_stop || !inbox.empty(); });
      if (inbox.empty() && loop_stop) return;
      std::deque<Message> batch;
      batch.swap(inbox);
      for (const Message& m : batch) {
        if (auto* b = std::get_if<Batch>(&m); b && !b->frame.empty()) --queued_frames;
      }
      lock.unlock();
      for (Message& m : batch) {
        std::visit([this](auto& msg) { Handle(msg); }, m);
      }
      const double now = clock.Seconds();
      if (now >= next_housekeeping) {
        next_housekeeping = now + kHousekeepingPeriodS;
        Escalate();
        if (unsaved.size() > 0) unsaved.Retry(*db);
        FlushZoneSamples(false);
        std::shared_lock cams(cameras_mu);
        for (auto& [name, cam] : cameras) cam->runner->Poll();
        if (options.loop_heartbeat) options.loop_heartbeat();
      }
      if (now >= next_retention) {
        next_retention = now + kRetentionPeriodS;
        ApplyRetention();
      }
      lock.lock();
    }
  }

  void Handle(Batch& b) {
    const core::WallTime now = clock.Now();
    if (core::Status st = db->InsertEvents(b.events, now); !st.ok()) {
      ++store_errors;
      spdlog::error("store: {} events of camera {} not saved: {}", b.events.size(), b.camera,
                    st.message());
    }
    for (const events::Event& e : b.events) {
      const std::string line = events::ToJsonLine(e);
      live.Publish("event", line);
      if (mqtt) mqtt->Publish(notify::EventsTopic(), line, notify::kEventQos);
      OnAlertEvent(e, &b);
    }
  }

  void Handle(SensorTrip& s) {
    const notify::SensorReading& r = s.reading;
    store::SensorReading row;
    row.sensor = r.sensor;
    row.kind = notify::ToString(r.type);
    row.value = r.active() ? 1 : 0;
    row.unit = notify::ToString(r.state);
    row.at = std::chrono::time_point_cast<core::WallTime::duration>(
        core::WallTime() + std::chrono::duration<double>(r.t));
    if (core::Status st = db->InsertSensorReading(row); !st.ok()) ++store_errors;
    if (!r.active()) return;  // closed / ok: recorded, not an incident
    std::optional<config::SensorConfig> cfg;
    {
      std::lock_guard lock(config_mu);
      if (const config::SensorConfig* c = config.FindSensor(r.sensor)) cfg = *c;
    }
    events::Event start = SensorEvent(r, cfg ? &*cfg : nullptr, clock.Now(), ++sensor_trips);
    events::Event end = start;
    end.phase = events::Phase::kEnd;
    Batch b{start.camera, {start, end}, {}, clock.Now()};
    Handle(b);
  }

  void Handle(CameraChange& c) {
    CameraStats stats;
    {
      std::shared_lock lock(cameras_mu);
      auto it = cameras.find(c.camera);
      if (it != cameras.end()) {
        stats = it->second->runner->stats();
        if (c.state == CameraState::kOffline) it->second->clips->EndOfStream();
      }
    }
    const core::WallTime now = clock.Now();
    if (core::Status st = db->UpsertCamera({c.camera, ToString(c.state), now}); !st.ok()) {
      ++store_errors;
    }
    nlohmann::json j = {{"camera", c.camera},
                        {"state", ToString(c.state)},
                        {"since", UnixSeconds(now)},
                        {"fps", stats.fps},
                        {"error", stats.error}};
    live.Publish("camera", j.dump());
    if (mqtt) mqtt->PublishCameraStatus(c.camera, j);
    spdlog::info("camera {}: {}{}{}", c.camera, ToString(c.state), stats.error.empty() ? "" : ": ",
                 stats.error);
  }

  void Handle(ZoneCount& z) {
    if (mqtt) {
      mqtt->PublishZoneCount(z.camera, z.zone,
                             {{"count", z.count}, {"t", UnixSeconds(clock.Now())}});
    }
    ZoneSample& s = zone_samples[{z.camera, z.zone}];
    s.count = z.count;
    s.pending = true;
    FlushZoneSamples(false);
  }

  // Writes each zone's latest count when it changed, at most every
  // kZoneHistoryMinPeriodS (counts flicker as tracks cross a border); `all` at exit.
  void FlushZoneSamples(bool all) {
    const double now = clock.Seconds();
    for (auto& [key, s] : zone_samples) {
      if (!s.pending || (!all && now - s.written_s < kZoneHistoryMinPeriodS)) continue;
      store::SensorReading r;
      r.sensor = api::ZoneSensorName(key.first, key.second);
      r.kind = "zone_count";
      r.value = s.count;
      r.unit = "objects";
      r.at = clock.Now();
      if (!db->InsertSensorReading(r).ok()) ++store_errors;
      s.written_s = now;
      s.pending = false;
    }
  }

  void OnAlertEvent(const events::Event& e, const Batch* batch) {
    std::lock_guard lock(alerts_mu);
    events::AlertChange change = alerts->OnEvent(e);
    if (change.kind == events::AlertChange::Kind::kIgnored) return;
    if (core::Status st = unsaved.Save(*db, change.alert); !st.ok()) {
      ++store_errors;
      spdlog::error("store: alert {} not saved yet (kept, retried): {}", change.alert.id,
                    st.message());
    }
    if (change.kind == events::AlertChange::Kind::kOpened) {
      ++alerts_opened;
      RecordEvidence(change.alert, e, *batch);
    }
    PublishAlert(events::ToString(change.kind), change.alert, batch);
  }

  // On alerts/ (QoS 1, protected from queue drops), the live feed and webhooks.
  // "frame_at" is when the frame behind the change arrived: alert latency.
  void PublishAlert(const std::string& change, const events::Alert& a, const Batch* batch) {
    nlohmann::json j = {{"change", change}, {"alert", api::ToJson(a)}};
    if (batch) j["frame_at"] = Iso(batch->arrived);
    const std::string text = api::Dump(j);
    live.Publish("alert", text);
    if (mqtt) mqtt->Publish(notify::AlertsTopic(), text, notify::kAlertQos, false, true);
    if (ha) ha->OnAlert(a);
    journal.Log(change, a);
    events::Severity webhook_min;
    {
      std::lock_guard cfg_lock(config_mu);  // Reload() replaces config
      webhook_min = config.webhooks.min_severity;
    }
    if (webhooks && (change == "opened" || change == "escalated") && a.severity >= webhook_min) {
      webhooks->Send(text);
    }
  }

  void Escalate() {
    std::lock_guard lock(alerts_mu);
    for (const events::EscalationNotification& n : alerts->Tick()) {
      auto a = alerts->Get(n.alert_id);
      if (!a.ok()) continue;
      if (core::Status st = unsaved.Save(*db, *a); !st.ok()) ++store_errors;
      spdlog::warn("alert {} unacknowledged after {:.0f} s: escalated to {}", n.alert_id, n.after_s,
                   n.target);
      PublishAlert("escalated", *a, nullptr);
    }
  }

  // Snapshot of the frame that opened the alert, and a clip with pre-roll from
  // every camera the incident concerns.
  void RecordEvidence(const events::Alert& a, const events::Event& e, const Batch& b) {
    if (!disk->recording_allowed()) return;  // DiskGuard logs why, once
    double post_roll_s;
    {
      std::lock_guard cfg_lock(config_mu);
      post_roll_s = config.evidence.post_roll_s;
    }
    std::vector<std::string> cams;
    if (!e.camera.empty()) cams.push_back(e.camera);
    if (e.details.contains("cameras")) {
      for (const auto& c : e.details["cameras"]) {
        if (c.is_string() && c.get<std::string>() != e.camera) cams.push_back(c.get<std::string>());
      }
    }
    for (const std::string& name : cams) {
      const record::EvidencePaths p = record::EvidencePathsFor(
          evidence_root, name, std::to_string(a.id), a.severity, a.opened_at);
      if (core::Status st = record::CreateEvidenceDir(p); !st.ok()) {
        ++evidence_errors;
        spdlog::warn("evidence: {}", st.message());
        continue;
      }
      std::shared_lock lock(cameras_mu);
      auto it = cameras.find(name);
      if (it == cameras.end()) continue;
      Camera& cam = *it->second;
      // The batch's frame is of the batch's camera; the others give their latest.
      cv::Mat frame = name == b.camera ? b.frame : cv::Mat();
      std::vector<core::Box> people = b.people;
      if (frame.empty()) {
        std::lock_guard cam_lock(cam.mu);
        frame = cam.last_frame;
        people = cam.last_frame_people;
      }
      if (!frame.empty()) {
        const core::Box box = name == e.camera && e.bbox.w > 0 ? e.bbox : core::Box{0, 0, 0, 0};
        const std::string label = e.label.empty() ? e.type : e.label + " " + e.type;
        if (core::Status st = record::WriteSnapshot(p.snapshot, frame, box, label); !st.ok()) {
          ++evidence_errors;
          spdlog::warn("evidence: {}", st.message());
        }
        // The viewers' twin: everyone in the frame blurred, the alert's box drawn on top.
        if (box.w > 0) people.push_back(box);
        cv::Mat blurred = frame.clone();
        BlurBoxes(blurred, people);
        if (core::Status st = record::WriteSnapshot(p.snapshot_blurred, blurred, box, label);
            !st.ok()) {
          ++evidence_errors;
          spdlog::warn("evidence: {}", st.message());
        } else if (ha) {
          ha->PublishSnapshot(name, p.snapshot_blurred);  // blurred: HA users are viewers
        }
      }
      // Clips run on the packets' own clock: go back from the newest packet by
      // the age of the frame that raised the alert.
      const double age = std::chrono::duration<double>(clock.Now() - b.arrived).count();
      const double at = std::max(0.0, cam.clips->latest_t() - age);
      if (core::Status st = cam.clips->StartClip(p.clip, at, post_roll_s); !st.ok()) {
        ++evidence_errors;
        spdlog::warn("evidence: {}", st.message());
      }
    }
  }

  void ApplyRetention() {
    std::map<events::Severity, int> days;
    {
      std::lock_guard lock(config_mu);
      days = config.evidence.retention_days;
    }
    store::RetentionPolicy policy{days};
    RetentionRun run;
    run.last_run = clock.Now();
    run.next_run = clock.Now() + std::chrono::seconds(static_cast<int64_t>(kRetentionPeriodS));
    if (auto r = db->ApplyRetention(policy, clock.Now()); r.ok()) {
      run.events_deleted = r->events_deleted;
      run.alerts_deleted = r->alerts_deleted;
    } else {
      ++store_errors;
    }
    const record::RetentionStats s =
        record::ApplyEvidenceRetention(evidence_root, days, clock.Now());
    run.files_deleted = s.files_deleted;
    {
      std::lock_guard lock(retention_mu);
      retention = run;
    }
    if (s.files_deleted > 0) {
      spdlog::info("retention: {} evidence files deleted ({} MiB)", s.files_deleted,
                   s.bytes_freed >> 20);
    }
  }
};

// --- Daemon -------------------------------------------------------------------

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() { Stop(); }

namespace {

core::Result<config::Config> LoadServeConfig(const ServeOptions& o) {
  config::Diagnostics diag;
  auto cfg = config::LoadConfig(o.config_path, &diag);
  if (cfg.ok()) {
    // Rule settings are checked now, not when the first camera starts.
    (void)rules::ValidateRules(*cfg, &diag);  // every problem is in diag
    if (!diag.ok()) cfg = core::InvalidArgument(diag.items().front().ToString());
  }
  if (!cfg.ok()) {
    std::cerr << diag.ToString();
    return cfg.status();
  }
  if (o.port >= 0) cfg->server.port = o.port;
  if (!o.data_dir.empty()) cfg->server.data_dir = o.data_dir;
  return cfg;
}

}  // namespace

core::Result<std::unique_ptr<Daemon>> Daemon::Create(const ServeOptions& options,
                                                     core::Clock& clock) {
  auto cfg = LoadServeConfig(options);
  if (!cfg.ok()) return cfg.status();
  auto impl = std::make_unique<Impl>(options, clock);
  impl->config = std::move(cfg).value();
  const config::Config& c = impl->config;
  namespace fs = std::filesystem;
  impl->evidence_root = (fs::path(c.server.data_dir) / "evidence").string();

  auto db = store::OpenStore(c.server.data_dir, c.server.postgres);
  if (!db.ok()) return db.status();
  impl->db = std::move(db).value();

  auth::AuthOptions ao;
  ao.session_idle_s = c.server.session_idle_s;
  ao.session_max_s = c.server.session_max_s;
  impl->authn = std::make_unique<auth::Authenticator>(*impl->db, clock, ao);
  if (auto users = impl->db->ListUsers(); users.ok() && users->empty()) {
    spdlog::warn(
        "no users yet: nobody can log in to the dashboard; add one with "
        "`argus user add NAME --role admin --config {}`",
        options.config_path);
  }
  if (!c.server.site_model.empty()) {
    auto site = site::LoadSiteFile(c.server.site_model);
    if (!site.ok()) return site.status();
    auto report = site::AnalyzeCoverage(*site, site->analysis);
    if (!report.ok()) return report.status();
    impl->site_map = site::SiteMapJson(*report);  // before `site` goes: the report points into it
  }
  {
    std::lock_guard lock(impl->retention_mu);
    impl->retention.next_run =
        clock.Now() + std::chrono::seconds(static_cast<int64_t>(kFirstRetentionS));
  }

  events::AlertPolicy policy;
  policy.cooldown_s = c.alerts.cooldown_s;
  if (!c.alerts.escalation.empty()) {
    policy.escalation.tiers.clear();
    for (const auto& t : c.alerts.escalation)
      policy.escalation.tiers.push_back({t.target, t.after_s});
  }
  if (core::Status st = policy.Validate(); !st.ok()) return st;
  impl->alerts = std::make_unique<events::AlertManager>(policy, &clock);
  // Open and acknowledged alerts survive a restart (or a crash).
  std::vector<events::Alert> active;
  for (events::AlertState s : {events::AlertState::kOpen, events::AlertState::kAcknowledged}) {
    int64_t before = 0;
    while (true) {
      store::AlertQuery q;
      q.state = s;
      q.before_id = before;
      q.limit = store::kMaxPageSize;
      auto page = impl->db->ListAlerts(q);
      if (!page.ok()) return page.status();
      active.insert(active.end(), page->begin(), page->end());
      if (static_cast<int>(page->size()) < q.limit) break;
      before = page->back().id;
    }
  }
  auto max_id = impl->db->MaxAlertId();
  if (!max_id.ok()) return max_id.status();
  if (auto r = ReconcileAfterRestart(*impl->db, &active, impl->evidence_root, clock.Now());
      !r.ok()) {
    return r.status();
  }
  impl->alerts->Restore(active, *max_id);
  impl->disk = std::make_unique<record::DiskGuard>(
      impl->evidence_root, clock,
      static_cast<uint64_t>(c.evidence.min_free_mb * 1024 * 1024) + record::kStoreReserveBytes);
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

core::Status Daemon::Start() {
  Impl& d = *impl_;
  const config::Config& c = d.config;
  d.loop = std::thread([&d] { d.Loop(); });
  d.pool = std::make_unique<AnalysisPool>(
      c.server.workers, [&d](CameraRunner& r, QueuedFrame& f) { d.Analyse(r, f); });
  if (c.mqtt.enabled) {
    notify::MqttPublisherOptions mo;
    mo.mqtt.host = c.mqtt.host;
    mo.mqtt.port = c.mqtt.port;
    mo.mqtt.client_id = c.mqtt.client_id;
    mo.mqtt.username = c.mqtt.username;
    mo.mqtt.password = c.mqtt.password;
    d.mqtt = std::make_unique<notify::MqttPublisher>(mo);
    if (core::Status st = d.mqtt->Start(); !st.ok()) return st;
    if (c.mqtt.home_assistant) {
      d.ha = std::make_unique<notify::HaDiscovery>(
          *d.mqtt, c.mqtt.discovery_prefix,
          (std::filesystem::path(c.server.data_dir) / notify::kHaStateFile).string());
      std::lock_guard lock(d.alerts_mu);
      for (const events::Alert& a : d.alerts->Active()) d.ha->OnAlert(a);
      d.ha->Sync(notify::HaCameras(c));
    }
    if (c.mqtt.sensors) {
      notify::MqttOptions so = mo.mqtt;
      if (!so.client_id.empty()) so.client_id += "-sensors";
      d.sensor_sub = std::make_unique<notify::SensorSubscriber>(
          so, [&d](const notify::SensorReading& r) { d.Post(Impl::SensorTrip{r}); }, d.clock);
      if (core::Status st = d.sensor_sub->Start(); !st.ok()) return st;
    }
  }
  if (!c.webhooks.urls.empty()) {
    notify::WebhookOptions wo;
    wo.urls = c.webhooks.urls;
    wo.secret = c.webhooks.secret;
    d.webhooks = std::make_unique<notify::WebhookSender>(wo, core::SystemClock::Instance());
    if (core::Status st = d.webhooks->Start(); !st.ok()) return st;
  }
  for (const config::CameraConfig& cam : c.cameras) {
    if (core::Status st = d.AddCamera(c, cam); !st.ok()) return st;
  }
  api::ServerOptions ho;
  ho.host = c.server.host;
  ho.port = c.server.port;
  ho.static_dir = c.server.static_dir;
  // Each open SSE or MJPEG stream holds an HTTP thread: room for a camera wall
  // showing every camera, and the API beside it.
  ho.threads = std::max(api::kDefaultHttpThreads,
                        static_cast<int>(c.cameras.size()) + kHttpThreadsBesideStreams);
  ho.secure_cookies = c.server.secure_cookies;
  d.http = std::make_unique<api::HttpServer>(ho, d, *d.authn, d.live, d.frames, d.clock);
  if (core::Status st = d.http->Start(); !st.ok()) return st;
  d.started = true;
  spdlog::info("argus serve: {} cameras, {} analysis threads, http://{}:{}", c.cameras.size(),
               d.pool->threads(), c.server.host, d.http->port());
  return core::Status::Ok();
}

void Daemon::Stop() {
  Impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  // Cameras first (their last incidents close), then the event loop drains,
  // then delivery flushes; HTTP goes last so status stays visible meanwhile.
  std::map<std::string, std::unique_ptr<Impl::Camera>> cams;
  {
    std::unique_lock lock(d.cameras_mu);
    for (auto& [name, cam] : d.cameras) cam->runner->Stop();
  }
  {
    std::shared_lock lock(d.cameras_mu);
    for (auto& [name, cam] : d.cameras) {
      if (d.pool) d.pool->Remove(cam->runner.get());
    }
  }
  if (d.pool) d.pool->Stop();
  {
    std::unique_lock lock(d.cameras_mu);
    cams.swap(d.cameras);
  }
  for (auto& [name, cam] : cams) d.RemoveCamera(std::move(cam));
  if (d.loop.joinable()) {
    {
      std::lock_guard lock(d.loop_mu);
      d.loop_stop = true;
    }
    d.loop_cv.notify_all();
    d.loop.join();
    d.FlushZoneSamples(true);
  }
  if (d.sensor_sub) d.sensor_sub->Stop();
  if (d.mqtt) {
    d.mqtt->Flush(kShutdownFlushS);
    d.mqtt->Stop();
  }
  if (d.webhooks) {
    d.webhooks->Flush(kShutdownFlushS);
    d.webhooks->Stop();
  }
  if (d.http) d.http->Stop();
}

core::Status Daemon::Reload() {
  Impl& d = *impl_;
  auto cfg = LoadServeConfig(d.options);
  if (!cfg.ok()) {
    spdlog::error("reload refused, still running the previous config: {}", cfg.status().message());
    return cfg.status();
  }
  std::map<std::string, const config::CameraConfig*> wanted;
  for (const config::CameraConfig& c : cfg->cameras) wanted[c.name] = &c;
  std::vector<std::unique_ptr<Impl::Camera>> gone;
  std::vector<const config::CameraConfig*> start;
  {
    std::unique_lock lock(d.cameras_mu);
    for (auto it = d.cameras.begin(); it != d.cameras.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end() || w->second->fingerprint != it->second->config.fingerprint) {
        gone.push_back(std::move(it->second));
        it = d.cameras.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [name, c] : wanted) {
      if (!d.cameras.count(name)) start.push_back(c);
    }
  }
  for (auto& cam : gone) {
    spdlog::info("reload: stopping camera {}", cam->config.name);
    d.RemoveCamera(std::move(cam));
  }
  core::Status result;
  for (const config::CameraConfig* c : start) {
    spdlog::info("reload: starting camera {}", c->name);
    if (core::Status st = d.AddCamera(*cfg, *c); !st.ok() && result.ok()) result = st;
  }
  {
    std::lock_guard lock(d.config_mu);
    for (const std::string& key : config::ChangesNeedingRestart(d.config, *cfg)) {
      spdlog::warn("reload: {} changed; it takes effect only after a restart", key);
    }
    const config::ServerSettings server = d.config.server;
    const config::MqttSettings mqtt = d.config.mqtt;
    d.config = std::move(cfg).value();
    d.config.server = server;  // the listener and store stay as started
    d.config.mqtt = mqtt;      // and so does the broker connection
  }
  if (d.ha) d.ha->Sync(notify::HaCameras(d.config));  // removed cameras leave HA
  spdlog::info("reload: {} cameras restarted or started, {} stopped or restarted", start.size(),
               gone.size());
  return result;
}

int Daemon::http_port() const { return impl_->http ? impl_->http->port() : 0; }
api::Backend& Daemon::backend() { return *impl_; }

// --- the command -----------------------------------------------------------------

int RunServe(const ServeOptions& cli_options) {
  SystemdNotifier systemd(core::SystemClock::Instance());
  ServeOptions options = cli_options;
  options.loop_heartbeat = [&systemd] { systemd.WatchdogTick(); };
  // Signals are taken synchronously by this thread, so handlers never run
  // inside library code; every other thread inherits the block.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto daemon = Daemon::Create(options, core::SystemClock::Instance());
  if (!daemon.ok()) {
    std::cerr << "argus serve: " << daemon.status().message() << "\n";
    return daemon.status().code() == core::StatusCode::kInvalidArgument ||
                   daemon.status().code() == core::StatusCode::kNotFound
               ? kExitBadInput
               : kExitRuntime;
  }
  if (core::Status st = (*daemon)->Start(); !st.ok()) {
    std::cerr << "argus serve: " << st.message() << "\n";
    (*daemon)->Stop();
    return st.code() == core::StatusCode::kInvalidArgument ? kExitBadInput : kExitRuntime;
  }
  // Tests and scripts read the port from here (useful with --port 0).
  std::cout << "listening on port " << (*daemon)->http_port() << std::endl;
  systemd.Ready("serving on port " + std::to_string((*daemon)->http_port()));
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", options.config_path);
      systemd.Reloading();
      (void)(*daemon)->Reload();
      systemd.Ready("serving on port " + std::to_string((*daemon)->http_port()));
      continue;
    }
    spdlog::info("{}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  systemd.Stopping();
  (*daemon)->Stop();
  std::cout << "stopped" << std::endl;
  return kExitOk;
}

}  // namespace argus::app
