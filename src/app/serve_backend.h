// The daemon as the HTTP API sees it (api::Backend): each call translated into a call on
// the service that owns the answer. Holds no state of its own.
//
// Thread safety: every method from HTTP worker threads, concurrently (the services lock).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "api/backend.h"
#include "app/alert_service.h"
#include "app/camera_fleet.h"
#include "app/config_sync.h"
#include "app/delivery.h"
#include "app/event_loop.h"
#include "app/evidence_service.h"
#include "app/first_admin.h"
#include "app/follow_service.h"
#include "app/learn_store.h"
#include "app/retention_job.h"
#include "app/site_view.h"

namespace argus::app {

class ServeBackend final : public api::Backend {
 public:
  struct Parts {
    store::Store& db;
    CameraFleet& fleet;
    AlertService& alerts;
    EvidenceService& evidence;
    RetentionJob& retention;
    Delivery& delivery;
    EventLoop& loop;
    const std::atomic<uint64_t>& store_errors;
    std::optional<nlohmann::json> site_map;  // site::SiteMapJson, computed at start
    FirstAdmin& first_admin;
    FollowService& follow;
    SiteView* site = nullptr;      // several nodes: the cameras and nodes of the whole site
    ConfigSync* config = nullptr;  // reloads (and the site's config on several nodes)
  };
  explicit ServeBackend(Parts parts) : p_(std::move(parts)) {}

  std::vector<api::CameraStatus> Cameras() override { return p_.fleet.Statuses(); }
  std::vector<api::CameraStatus> SiteCameras() override {
    return p_.site ? p_.site->Cameras(Cameras()) : Cameras();
  }
  core::Result<nlohmann::json> Nodes() override {
    return p_.site ? p_.site->Nodes() : api::Backend::Nodes();
  }
  std::optional<api::CameraHome> RemoteHome(const std::string& camera) override {
    return p_.site ? p_.site->RemoteHome(camera) : std::nullopt;
  }
  std::optional<api::CameraHome> EvidenceHome(int64_t alert_id, int incident) override {
    return p_.site ? p_.site->EvidenceHome(alert_id, incident) : std::nullopt;
  }
  store::Store& store() override { return p_.db; }
  core::Result<events::Alert> Acknowledge(int64_t id, const std::string& who,
                                          const std::string& note,
                                          const std::string& from) override {
    return p_.alerts.Acknowledge(id, who, note, from);
  }
  core::Result<events::Alert> Resolve(int64_t id, const std::string& who, const std::string& note,
                                      const std::string& from) override {
    return p_.alerts.Resolve(id, who, note, from);
  }
  core::Result<std::string> EvidencePath(int64_t id, Evidence kind, int incident) override;
  nlohmann::json ZoneCounts() override { return p_.fleet.ZoneCounts(); }
  core::Status OnSensor(const notify::SensorReading& r) override {
    p_.loop.Post(SensorTrip{r});
    return core::Status::Ok();
  }
  std::optional<nlohmann::json> SiteMap() override { return p_.site_map; }
  bool MustChangePassword(const std::string& user) override {
    return p_.first_admin.MustChange(user);
  }
  core::Result<nlohmann::json> ReloadConfig(const std::string& who,
                                            const std::string& from) override;
  core::Result<nlohmann::json> CameraTracks(const std::string& camera) override {
    return p_.follow.Tracks(camera);
  }
  core::Result<nlohmann::json> Follows() override { return p_.follow.Follows(); }
  core::Result<nlohmann::json> StartFollow(const std::string& camera, int track,
                                           const std::string& who,
                                           const std::string& reason) override {
    return p_.follow.Start(camera, track, who, reason);
  }
  core::Result<nlohmann::json> StopFollow(int64_t id, const std::string& who) override {
    return p_.follow.Stop(id, who);
  }
  core::Result<std::string> LearnedPicture(const std::string& camera) override {
    return app::LearnedPicture(p_.db, camera);
  }
  nlohmann::json System() override;
  std::vector<std::string> Problems() override;
  std::string ExtraMetrics() override;

 private:
  Parts p_;
};

}  // namespace argus::app
