// Home Assistant MQTT discovery (mqtt.home_assistant: true): one HA device per
// camera with retained config messages under <prefix>/<component>/argus_<camera>/
// <object>/config, pointing at the state topics Argus already publishes:
//   binary_sensor online     argus/cameras/<camera>/status (connectivity)
//   binary_sensor alert      argus/cameras/<camera>/alerts  {"open": n} (problem)
//   sensor zone_<z>_people   argus/zones/<camera>/<z>/count, one per zone
//   image snapshot           argus/cameras/<camera>/snapshot (the latest alert's
//                            JPEG, people blurred as for a viewer)
// A camera (or zone) that leaves the config has its config topics cleared (empty
// retained payload), which makes HA delete the entities; what was announced is
// kept in a small state file so that this also holds across restarts.
// Topics and payloads: docs/home_assistant.md.
// Thread safety: any thread (the owning thread syncs, the event loop and HTTP
// threads report alerts); calls are serialised by a mutex.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "events/alert.h"
#include "notify/mqtt_publisher.h"

namespace argus::notify {

// In the data directory: the config topics announced last.
inline constexpr const char* kHaStateFile = "home_assistant.json";

struct HaCamera {
  std::string name;
  std::vector<std::string> zones;
};

// The cameras of a config and their zones.
std::vector<HaCamera> HaCameras(const config::Config& cfg);

struct RetainedMessage {
  std::string topic;
  std::string payload;  // empty: clears the retained message (HA removes the entity)
};

// argus/cameras/<camera>/alerts and argus/cameras/<camera>/snapshot.
std::string CameraAlertsTopic(std::string_view camera);
std::string CameraSnapshotTopic(std::string_view camera);
// Letters, digits, '_' and '-' only, as HA wants node and object ids.
std::string HaId(std::string_view name);
// The discovery config messages of one camera, in a fixed order.
std::vector<RetainedMessage> HaDiscoveryMessages(const HaCamera& camera, std::string_view prefix);

class HaDiscovery {
 public:
  // `state_path`: where the announced topics are remembered ("" : memory only).
  HaDiscovery(MqttPublisher& mqtt, std::string prefix, std::string state_path);

  // Announces every camera of `cameras` and clears what was announced before
  // (this run or an earlier one) and is no longer wanted.
  void Sync(const std::vector<HaCamera>& cameras);
  // Keeps the per-camera count of alerts not yet resolved and publishes it
  // (retained) when it changes.
  void OnAlert(const events::Alert& alert);
  // The JPEG file at `jpeg_path` as the camera's image entity (retained).
  void PublishSnapshot(std::string_view camera, const std::string& jpeg_path);

 private:
  std::set<std::string> LoadAnnounced() const;
  void SaveAnnounced() const;
  void PublishOpenCount(const std::string& camera);

  MqttPublisher& mqtt_;
  const std::string prefix_;
  const std::string state_path_;
  std::mutex mu_;
  bool loaded_ = false;
  std::set<std::string> announced_;                       // config topics
  std::map<std::string, std::set<int64_t>> open_alerts_;  // camera -> alert ids
};

}  // namespace argus::notify
