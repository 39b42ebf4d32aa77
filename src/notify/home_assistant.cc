#include "notify/home_assistant.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.h"
#include "notify/topics.h"

namespace argus::notify {

namespace {

constexpr std::string_view kManufacturer = "Argus";

nlohmann::json Device(const HaCamera& cam) {
  return {{"identifiers", {"argus_" + HaId(cam.name)}},
          {"name", cam.name},
          {"manufacturer", kManufacturer},
          {"model", "camera"}};
}

RetainedMessage Config(std::string_view prefix, const char* component, const HaCamera& cam,
                       const std::string& object, nlohmann::json payload) {
  const std::string node = "argus_" + HaId(cam.name);
  payload["unique_id"] = node + "_" + object;
  payload["object_id"] = node + "_" + object;
  payload["device"] = Device(cam);
  return {std::string(prefix) + "/" + component + "/" + node + "/" + object + "/config",
          payload.dump()};
}

}  // namespace

std::vector<HaCamera> HaCameras(const config::Config& cfg) {
  std::vector<HaCamera> out;
  for (const config::CameraConfig& c : cfg.cameras) {
    HaCamera& cam = out.emplace_back();
    cam.name = c.name;
    for (const config::Zone& z : c.zones) cam.zones.push_back(z.name);
  }
  return out;
}

std::string CameraAlertsTopic(std::string_view camera) {
  return "argus/cameras/" + TopicLevel(camera) + "/alerts";
}

std::string CameraSnapshotTopic(std::string_view camera) {
  return "argus/cameras/" + TopicLevel(camera) + "/snapshot";
}

std::string HaId(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

std::vector<RetainedMessage> HaDiscoveryMessages(const HaCamera& cam, std::string_view prefix) {
  std::vector<RetainedMessage> out;
  out.push_back(Config(prefix, "binary_sensor", cam, "online",
                       {{"name", "Online"},
                        {"device_class", "connectivity"},
                        {"state_topic", CameraStatusTopic(cam.name)},
                        {"value_template", "{{ 'ON' if value_json.state == 'online' else 'OFF' }}"},
                        {"json_attributes_topic", CameraStatusTopic(cam.name)}}));
  out.push_back(Config(prefix, "binary_sensor", cam, "alert",
                       {{"name", "Open alerts"},
                        {"device_class", "problem"},
                        {"state_topic", CameraAlertsTopic(cam.name)},
                        {"value_template", "{{ 'ON' if value_json.open > 0 else 'OFF' }}"},
                        {"json_attributes_topic", CameraAlertsTopic(cam.name)}}));
  for (const std::string& zone : cam.zones) {
    out.push_back(Config(prefix, "sensor", cam, "zone_" + HaId(zone) + "_people",
                         {{"name", "People in " + zone},
                          {"state_topic", ZoneCountTopic(cam.name, zone)},
                          {"value_template", "{{ value_json.count }}"},
                          {"unit_of_measurement", "people"},
                          {"state_class", "measurement"},
                          {"icon", "mdi:account-group"}}));
  }
  out.push_back(Config(prefix, "image", cam, "snapshot",
                       {{"name", "Latest alert snapshot"},
                        {"image_topic", CameraSnapshotTopic(cam.name)},
                        {"content_type", "image/jpeg"}}));
  return out;
}

HaDiscovery::HaDiscovery(MqttPublisher& mqtt, std::string prefix, std::string state_path)
    : mqtt_(mqtt), prefix_(std::move(prefix)), state_path_(std::move(state_path)) {}

void HaDiscovery::Sync(const std::vector<HaCamera>& cameras) {
  std::lock_guard lock(mu_);
  if (!loaded_) {
    announced_ = LoadAnnounced();
    loaded_ = true;
  }
  std::set<std::string> wanted;
  for (const HaCamera& cam : cameras) {
    for (RetainedMessage& m : HaDiscoveryMessages(cam, prefix_)) {
      wanted.insert(m.topic);
      mqtt_.Publish(std::move(m.topic), std::move(m.payload), kStateQos, true);
    }
    PublishOpenCount(cam.name);  // HA shows "off", not "unknown", until an alert
  }
  for (const std::string& topic : announced_) {
    if (!wanted.count(topic)) mqtt_.Publish(topic, "", kStateQos, true);
  }
  announced_ = std::move(wanted);
  SaveAnnounced();
}

void HaDiscovery::OnAlert(const events::Alert& a) {
  std::lock_guard lock(mu_);
  std::set<int64_t>& open = open_alerts_[a.camera];
  const size_t before = open.size();
  if (a.state == events::AlertState::kResolved) {
    open.erase(a.id);
  } else {
    open.insert(a.id);
  }
  if (open.size() != before) PublishOpenCount(a.camera);
}

void HaDiscovery::PublishOpenCount(const std::string& camera) {
  const nlohmann::json j = {{"open", open_alerts_[camera].size()}};
  mqtt_.Publish(CameraAlertsTopic(camera), j.dump(), kStateQos, true);
}

void HaDiscovery::PublishSnapshot(std::string_view camera, const std::string& jpeg_path) {
  std::ifstream in(jpeg_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in || ss.str().empty()) {
    spdlog::warn("home assistant: cannot read snapshot {}", jpeg_path);
    return;
  }
  mqtt_.Publish(CameraSnapshotTopic(camera), ss.str(), kStateQos, true);
}

std::set<std::string> HaDiscovery::LoadAnnounced() const {
  std::set<std::string> out;
  if (state_path_.empty()) return out;
  std::ifstream in(state_path_);
  if (!in) return out;  // first run
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_array()) {
    spdlog::warn("home assistant: {} is not a JSON list; stale entities may remain", state_path_);
    return out;
  }
  for (const auto& t : j) {
    if (t.is_string()) out.insert(t.get<std::string>());
  }
  return out;
}

void HaDiscovery::SaveAnnounced() const {
  if (state_path_.empty()) return;
  auto file = core::AtomicFile::Open(state_path_);
  core::Status st = file.ok() ? (*file)->Append(nlohmann::json(announced_).dump()) : file.status();
  if (st.ok()) st = (*file)->Commit();
  if (!st.ok()) spdlog::warn("home assistant: {}: {}", state_path_, st.message());
}

}  // namespace argus::notify
