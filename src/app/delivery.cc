#include "app/delivery.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/json_format.h"
#include "notify/topics.h"

namespace argus::app {

std::string MetricLines(const char* name, const char* help, double value, const char* type) {
  return std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + fmt::format("{}", value) + "\n";
}

notify::MqttOptions MqttOptionsOf(const config::MqttSettings& m) {
  notify::MqttOptions o;
  o.host = m.host;
  o.port = m.port;
  o.client_id = m.client_id;
  o.username = m.username;
  o.password = m.password;
  return o;
}

core::Status Delivery::Start(const config::Config& c, const std::vector<events::Alert>& active) {
  webhook_min_ = c.webhooks.min_severity;
  if (c.mqtt.enabled) {
    notify::MqttPublisherOptions mo;
    mo.mqtt = MqttOptionsOf(c.mqtt);
    mqtt_ = std::make_unique<notify::MqttPublisher>(mo);
    if (core::Status st = mqtt_->Start(); !st.ok()) return st;
    if (c.mqtt.home_assistant) {
      ha_ = std::make_unique<notify::HaDiscovery>(
          *mqtt_, c.mqtt.discovery_prefix,
          (std::filesystem::path(c.server.data_dir) / notify::kHaStateFile).string());
      for (const events::Alert& a : active) ha_->OnAlert(a);
      ha_->Sync(notify::HaCameras(c));
    }
  }
  // Signed with the same secret as the general webhooks.
  auto webhooks = [&c](const std::vector<std::string>& urls) {
    notify::WebhookOptions wo;
    wo.urls = urls;
    wo.secret = c.webhooks.secret;
    return std::make_unique<notify::WebhookSender>(wo, core::SystemClock::Instance());
  };
  if (!c.webhooks.urls.empty()) {
    webhooks_ = webhooks(c.webhooks.urls);
    if (core::Status st = webhooks_->Start(); !st.ok()) return st;
  }
  tiers_.clear();
  for (size_t i = 0; i < c.alerts.escalation.size(); ++i) {
    const config::EscalationTierConfig& t = c.alerts.escalation[i];
    TierRoutes& r = tiers_.emplace_back();
    r.mqtt_topics = t.mqtt_topics;
    if (t.webhooks.empty()) continue;
    r.webhooks = webhooks(t.webhooks);
    if (core::Status st = r.webhooks->Start(); !st.ok()) {
      return core::InvalidArgument("alerts.escalation[" + std::to_string(i) +
                                   "].webhooks: " + st.message());
    }
  }
  return core::Status::Ok();
}

void Delivery::Stop(double flush_s) {
  if (mqtt_) {
    mqtt_->Flush(flush_s);
    mqtt_->Stop();
  }
  if (webhooks_) {
    webhooks_->Flush(flush_s);
    webhooks_->Stop();
  }
  for (TierRoutes& t : tiers_) {
    if (!t.webhooks) continue;
    t.webhooks->Flush(flush_s);
    t.webhooks->Stop();
  }
}

void Delivery::Reconfigure(const config::Config& cfg) {
  webhook_min_ = cfg.webhooks.min_severity;
  if (ha_) ha_->Sync(notify::HaCameras(cfg));  // removed cameras leave HA
}

void Delivery::PublishEvent(const events::Event& e) {
  const std::string line = events::ToJsonLine(e);
  live_.Publish("event", line);
  if (mqtt_) mqtt_->Publish(notify::EventsTopic(), line, notify::kEventQos);
  if (fanout_) fanout_->Event(e);
}

void Delivery::PublishAlert(const std::string& change, const events::Alert& a,
                            std::optional<core::WallTime> frame_at) {
  nlohmann::json j = {{"change", change}, {"alert", api::ToJson(a)}};
  if (frame_at) j["frame_at"] = api::FormatTime(*frame_at);
  const std::string text = api::Dump(j);
  // (An acknowledgement another node made and the fan-out showed already: not twice.)
  if (!fanout_ || fanout_->Alert(change, a.id)) live_.Publish("alert", text);
  if (mqtt_) mqtt_->Publish(notify::AlertsTopic(), text, notify::kAlertQos, false, true);
  if (ha_ && !a.camera.empty()) ha_->OnAlert(a);  // a site alert (node lost) has no camera
  journal_.Log(change, a);
  if (webhooks_ && (change == "opened" || change == "escalated") && a.severity >= webhook_min_) {
    webhooks_->Send(text);
  }
}

void Delivery::PublishEscalation(const events::Alert& a, const events::EscalationNotification& n) {
  if (n.tier < 0 || static_cast<size_t>(n.tier) >= tiers_.size()) return;
  const TierRoutes& t = tiers_[n.tier];
  if (!t.webhooks && t.mqtt_topics.empty()) return;
  const std::string text = api::Dump({{"change", "escalated"},
                                      {"tier", n.tier},
                                      {"target", n.target},
                                      {"after_s", n.after_s},
                                      {"alert", api::ToJson(a)}});
  if (t.webhooks) t.webhooks->Send(text);
  if (!mqtt_) return;  // the config requires the mqtt section for topics
  for (const std::string& topic : t.mqtt_topics) {
    // QoS 1 and protected from queue drops, like argus/alerts.
    mqtt_->Publish(topic, text, notify::kAlertQos, false, true);
  }
}

void Delivery::PublishCameraStatus(const std::string& camera, const nlohmann::json& status) {
  live_.Publish("camera", status.dump());
  if (mqtt_) mqtt_->PublishCameraStatus(camera, status);
}

void Delivery::PublishZoneCount(const std::string& camera, const std::string& zone, int count) {
  if (!mqtt_) return;
  const double t = std::chrono::duration<double>(clock_.Now().time_since_epoch()).count();
  mqtt_->PublishZoneCount(camera, zone, {{"count", count}, {"t", t}});
}

void Delivery::PublishSnapshot(const std::string& camera, const std::string& jpeg_path) {
  if (ha_) ha_->PublishSnapshot(camera, jpeg_path);
}

std::string Delivery::Metrics() const {
  if (!mqtt_) return "";
  const notify::MqttPublisherStats s = mqtt_->stats();
  return MetricLines("argus_mqtt_connected", "1 when the broker is connected.", s.connected,
                     "gauge") +
         MetricLines("argus_mqtt_queued_messages", "Messages waiting for the broker.", s.queued,
                     "gauge") +
         MetricLines("argus_mqtt_dropped_total", "Messages dropped because the queue was full.",
                     s.dropped, "counter");
}

}  // namespace argus::app
