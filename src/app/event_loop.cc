#include "app/event_loop.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/alert_service.h"
#include "app/camera_fleet.h"
#include "app/delivery.h"
#include "app/retention_job.h"
#include "app/zone_history.h"
#include "notify/sensor_subscriber.h"

namespace argus::app {

namespace {

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

EventLoop::EventLoop(Parts parts, core::Clock& clock, std::vector<config::SensorConfig> sensors)
    : p_(std::move(parts)), clock_(clock), sensors_(std::move(sensors)) {}

void EventLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventLoop::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  p_.zones.Flush(true);
}

void EventLoop::Post(LoopMessage m) {
  {
    std::lock_guard lock(mu_);
    if (auto* b = std::get_if<CameraEvents>(&m); b && !b->frame.frame.empty()) {
      if (queued_frames_ >= kMaxQueuedFrames) {
        b->frame.frame.release();
      } else {
        ++queued_frames_;
      }
    }
    inbox_.push_back(std::move(m));
  }
  cv_.notify_one();
}

bool EventLoop::Drain(double timeout_s) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> handled = done->get_future();
  Post(Barrier{std::move(done)});
  return handled.wait_for(std::chrono::duration<double>(timeout_s)) == std::future_status::ready;
}

void EventLoop::SetSensors(std::vector<config::SensorConfig> sensors) {
  std::lock_guard lock(mu_);
  sensors_ = std::move(sensors);
}

size_t EventLoop::queued() const {
  std::lock_guard lock(mu_);
  return inbox_.size();
}

void EventLoop::Run() {
  double next_housekeeping = 0, next_retention = clock_.Seconds() + kFirstRetentionS;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::duration<double>(kHousekeepingPeriodS),
                 [&] { return stop_ || !inbox_.empty(); });
    if (inbox_.empty() && stop_) return;
    std::deque<LoopMessage> batch;
    batch.swap(inbox_);
    for (const LoopMessage& m : batch) {
      if (auto* b = std::get_if<CameraEvents>(&m); b && !b->frame.frame.empty()) {
        --queued_frames_;
      }
    }
    lock.unlock();
    for (LoopMessage& m : batch) {
      std::visit([this](auto& msg) { Handle(msg); }, m);
    }
    const double now = clock_.Seconds();
    if (now >= next_housekeeping) {
      next_housekeeping = now + kHousekeepingPeriodS;
      Housekeeping(now, &next_retention);
    }
    lock.lock();
  }
}

void EventLoop::Housekeeping(double now, double* next_retention) {
  p_.alerts.Escalate();
  p_.alerts.RetryUnsaved();
  if (p_.fence && now >= next_sync_) {
    next_sync_ = now + kAlertSyncPeriodS;
    p_.alerts.SyncFromStore();
  }
  p_.zones.Flush(false);
  p_.fleet.Poll();
  if (p_.heartbeat) p_.heartbeat();
  if (now >= *next_retention) {
    *next_retention = now + kRetentionPeriodS;
    p_.retention.RunNow();
  }
}

void EventLoop::Handle(CameraEvents& m) {
  const core::WallTime now = clock_.Now();
  if (p_.fence) {
    for (events::Event& e : m.events) {
      const std::optional<int64_t> epoch = p_.fence->Epoch(e.camera);
      if (epoch && *epoch > 0) e.id += "@" + std::to_string(*epoch);
    }
  }
  const auto write_start = std::chrono::steady_clock::now();
  const core::Status st = p_.db.InsertEvents(m.events, now);
  store_writes_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count());
  if (store::IsFencedOut(st)) {
    // The camera moved to another node while these were on their way: they are not ours
    // to store, show or alert on (its new node analyses the camera from now on).
    spdlog::warn("{} events of camera {} dropped: {}", m.events.size(), m.frame.camera,
                 st.message());
    return;
  } else if (!st.ok()) {
    ++p_.store_errors;
    spdlog::error("store: {} events of camera {} not saved: {}", m.events.size(), m.frame.camera,
                  st.message());
  }
  for (const events::Event& e : m.events) {
    p_.delivery.PublishEvent(e);
    p_.alerts.OnEvent(e, m.frame.arrived, [&](const events::Alert& a, int incident) {
      p_.evidence.Record(a, e, m.frame, p_.fleet, incident);
    });
  }
}

void EventLoop::Handle(SensorTrip& s) {
  const notify::SensorReading& r = s.reading;
  store::SensorReading row;
  row.sensor = r.sensor;
  row.kind = notify::ToString(r.type);
  row.value = r.active() ? 1 : 0;
  row.unit = notify::ToString(r.state);
  row.at = std::chrono::time_point_cast<core::WallTime::duration>(
      core::WallTime() + std::chrono::duration<double>(r.t));
  if (core::Status st = p_.db.InsertSensorReading(row); !st.ok()) ++p_.store_errors;
  if (!r.active()) return;  // closed / ok: recorded, not an incident
  std::optional<config::SensorConfig> cfg;
  {
    std::lock_guard lock(mu_);
    for (const config::SensorConfig& c : sensors_) {
      if (c.name == r.sensor) {
        cfg = c;
        break;
      }
    }
  }
  events::Event start = SensorEvent(r, cfg ? &*cfg : nullptr, clock_.Now(), ++sensor_trips_);
  events::Event end = start;
  end.phase = events::Phase::kEnd;
  CameraEvents m{{start, end}, {start.camera, {}, {}, clock_.Now()}};
  Handle(m);
}

void EventLoop::Handle(CameraChange& c) {
  const core::WallTime now = clock_.Now();
  if (core::Status st = p_.db.UpsertCamera({c.camera, ToString(c.state), now}); !st.ok()) {
    ++p_.store_errors;
  }
  const nlohmann::json j = {{"camera", c.camera},
                            {"state", ToString(c.state)},
                            {"since", UnixSeconds(now)},
                            {"fps", c.fps},
                            {"error", c.error}};
  p_.delivery.PublishCameraStatus(c.camera, j);
  spdlog::info("camera {}: {}{}{}", c.camera, ToString(c.state), c.error.empty() ? "" : ": ",
               c.error);
}

void EventLoop::Handle(ZoneCount& z) {
  p_.delivery.PublishZoneCount(z.camera, z.zone, z.count);
  p_.zones.Record(z.camera, z.zone, z.count);
}

}  // namespace argus::app
