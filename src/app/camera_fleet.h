// The cameras of `argus serve`: one CameraRunner each (its reading thread), the shared
// AnalysisPool that analyses their frames, each camera's clip recorder, live view and zone
// counts. What the analysis finds (events, state changes, zone counts) is posted to the
// event loop; the fleet itself decides nothing about alerts.
//
// Thread safety: Start/Add/Reload/Stop from the daemon's owning thread; Poll from the
// event loop; WithCamera, Statuses and ZoneCounts from any thread; the analysis runs on
// the pool's workers. mu_ guards the camera map (shared for lookups, exclusive to add or
// take out a camera); each camera's own mutex guards what its analysis shares with other
// threads (the latest frame and zone counts).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

#include "api/backend.h"
#include "api/frame_hub.h"
#include "app/analysis_pool.h"
#include "app/event_loop.h"
#include "app/evidence_service.h"
#include "app/follow_service.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace argus::app {

inline constexpr double kShutdownFlushS = 5;

class CameraFleet final : public EvidenceSources {
 public:
  // Where the fleet's messages go (the event loop).
  using Post = std::function<void(LoopMessage)>;

  // `follow`: where analysed frames go for following people across cameras (it
  // outlives the fleet).
  CameraFleet(core::Clock& clock, store::Store& db, api::FrameHub& frames,
              EvidenceService& evidence, FollowService& follow, Post post);
  ~CameraFleet() override;
  CameraFleet(const CameraFleet&) = delete;
  CameraFleet& operator=(const CameraFleet&) = delete;

  // Starts the analysis pool (`workers` <= 0: one per core) and every camera of `cfg`.
  core::Status Start(const config::Config& cfg);
  // Cameras whose settings changed restart, new ones start, removed ones stop; the others
  // keep running untouched. Returns the first camera that failed to start.
  struct ReloadResult {
    core::Status status;
    size_t started = 0, stopped = 0;
  };
  ReloadResult Reload(const config::Config& cfg);
  // Stops every camera and the pool; the cameras' open incidents are closed (their end
  // events posted) and their clips finished. Idempotent.
  void Stop();
  // Notices reconnect attempts (CameraRunner::Poll).
  void Poll();

  bool WithCamera(const std::string& camera, const Use& use) override;
  std::vector<api::CameraStatus> Statuses() const;
  nlohmann::json ZoneCounts() const;  // {"camera":{"zone":count,...},...}
  int threads() const { return pool_ ? pool_->threads() : 0; }

 private:
  struct Camera;
  core::Status Add(const config::Config& cfg, const config::CameraConfig& cc);
  void Remove(std::unique_ptr<Camera> cam);
  void Analyse(CameraRunner& runner, QueuedFrame& qf);  // a pool worker
  void UpdateZoneCounts(Camera& cam, const std::vector<track::Track>& tracks, int w, int h);

  core::Clock& clock_;
  store::Store& db_;
  api::FrameHub& frames_;
  EvidenceService& evidence_;
  FollowService& follow_;
  const Post post_;
  std::unique_ptr<AnalysisPool> pool_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Camera>> cameras_;
};

}  // namespace argus::app
