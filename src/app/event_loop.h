// The daemon's event loop: one thread that owns the order of everything that follows an
// event. Cameras and sensors post messages; the loop writes them to the store, shows them
// live, delivers them, feeds the alert service (which starts the evidence of a new alert)
// and the zone history, and does the periodic housekeeping (escalation, alerts the store
// refused, camera polls, retention, the watchdog heartbeat).
//
// Thread safety: Post and queued() from any thread; Start/Stop/SetSensors from the
// daemon's owning thread. mu_ guards the inbox and the sensor settings; everything else
// is the loop thread's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "app/camera_runner.h"
#include "app/evidence_service.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/histogram.h"
#include "events/event.h"
#include "notify/sensor.h"
#include "store/store.h"

namespace argus::app {

class AlertService;
class CameraFleet;
class Delivery;
class RetentionJob;
class ZoneHistory;

inline constexpr double kHousekeepingPeriodS = 0.25;
// Several nodes: how often acknowledgements made on other nodes are looked up.
inline constexpr double kAlertSyncPeriodS = 1;
// Frames waiting for the event loop beyond which new ones are dropped (the events are
// kept; only the snapshot of a new alert would be missing).
inline constexpr size_t kMaxQueuedFrames = 64;

// A camera's events of one analysed frame (or its last incidents closed at stop).
struct CameraEvents {
  std::vector<events::Event> events;
  AlertFrame frame;
};
struct SensorTrip {
  notify::SensorReading reading;
};
struct CameraChange {
  std::string camera;
  CameraState state;
  double fps = 0;
  std::string error;
};
struct ZoneCount {
  std::string camera, zone;
  int count;
};
// Everything posted before it has been handled (EventLoop::Drain).
struct Barrier {
  std::shared_ptr<std::promise<void>> done;
};
using LoopMessage = std::variant<CameraEvents, SensorTrip, CameraChange, ZoneCount, Barrier>;

class EventLoop {
 public:
  // The services the loop drives; they must outlive it.
  struct Parts {
    store::Store& db;
    AlertService& alerts;
    EvidenceService& evidence;
    Delivery& delivery;
    ZoneHistory& zones;
    RetentionJob& retention;
    CameraFleet& fleet;
    std::atomic<uint64_t>& store_errors;
    std::function<void()> heartbeat;  // each housekeeping turn (systemd watchdog); may be empty
    // Several nodes: the camera leases' fencing tokens (null on a single node). Events of a
    // camera this node no longer holds are dropped; the others' incident ids carry the
    // lease epoch ("<camera>/<rule>/<n>@<epoch>"), unique across nodes and restarts.
    std::shared_ptr<const store::FenceTokens> fence = nullptr;
  };

  EventLoop(Parts parts, core::Clock& clock, std::vector<config::SensorConfig> sensors);
  ~EventLoop() { Stop(); }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void Start();
  // Handles what was posted, then ends the thread and writes the last zone counts.
  void Stop();
  void Post(LoopMessage m);
  // Waits until what was posted before this call has been handled; false after
  // `timeout_s` (or when the loop is not running).
  bool Drain(double timeout_s);
  // The sensors an external trip is matched against (after a reload).
  void SetSensors(std::vector<config::SensorConfig> sensors);
  size_t queued() const;
  // How long each batch of events took to reach the store (fencing check included).
  const core::Histogram& store_writes() const { return store_writes_; }

 private:
  void Run();
  void Housekeeping(double now, double* next_retention);
  double next_sync_ = 0;  // loop thread only
  core::Histogram store_writes_;
  void Handle(CameraEvents& m);
  void Handle(SensorTrip& m);
  void Handle(CameraChange& m);
  void Handle(ZoneCount& m);
  void Handle(Barrier& m) { m.done->set_value(); }

  Parts p_;
  core::Clock& clock_;
  int64_t sensor_trips_ = 0;  // loop thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<LoopMessage> inbox_;
  size_t queued_frames_ = 0;
  std::vector<config::SensorConfig> sensors_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace argus::app
