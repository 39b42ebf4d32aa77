// Where the daemon's news goes: the live feed (SSE), MQTT (events, alerts, camera
// status, zone counts, Home Assistant), webhooks and the systemd journal. It only sends;
// what to send and when is decided by the event loop and the alert service.
//
// Thread safety: Start/Stop/SyncCameras from the daemon's owning thread; the Publish
// methods from any thread. PublishAlert is called under the AlertService's lock only,
// which keeps alert changes in order and Home Assistant's counts consistent (and by the
// NodeWatch for site alerts, which have no camera and leave those counts alone). No mutex:
// the senders are thread-safe and the webhook threshold is atomic.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/live_hub.h"
#include "app/journal.h"
#include "app/site_fanout.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "events/escalation.h"
#include "notify/home_assistant.h"
#include "notify/mqtt_publisher.h"
#include "notify/webhook.h"

namespace argus::app {

class Delivery {
 public:
  explicit Delivery(core::Clock& clock) : clock_(clock) {}

  // Connects MQTT (with Home Assistant discovery of `active` alerts) and webhooks as
  // `cfg` asks.
  core::Status Start(const config::Config& cfg, const std::vector<events::Alert>& active);
  // Sends what is queued (up to `flush_s` each) and disconnects.
  void Stop(double flush_s);
  // After a reload: the webhook threshold, and Home Assistant's cameras.
  void Reconfigure(const config::Config& cfg);

  api::LiveHub& live() { return live_; }
  notify::MqttPublisher* mqtt() { return mqtt_.get(); }

  // Several nodes: this node's events and alert changes reach the others' live feeds
  // through `fanout` (set before Start; it outlives this).
  void SetFanout(SiteFanout* fanout) { fanout_ = fanout; }

  void PublishEvent(const events::Event& e);
  // On alerts/ (QoS 1, protected from queue drops), the live feed, Home Assistant, the
  // journal and (opened or escalated, at the threshold) webhooks. `frame_at`: when the
  // frame behind the change arrived (alert latency).
  void PublishAlert(const std::string& change, const events::Alert& a,
                    std::optional<core::WallTime> frame_at);
  // An escalation tier became due for `a`: the tier's own routes (alerts.escalation[].webhooks
  // and mqtt_topics) get {"change":"escalated","tier","target","after_s","alert"}.
  void PublishEscalation(const events::Alert& a, const events::EscalationNotification& n);
  void PublishCameraStatus(const std::string& camera, const nlohmann::json& status);
  void PublishZoneCount(const std::string& camera, const std::string& zone, int count);
  // The viewers' (blurred) snapshot as the camera's Home Assistant image.
  void PublishSnapshot(const std::string& camera, const std::string& jpeg_path);

  // Prometheus lines of the MQTT queue (empty without MQTT).
  std::string Metrics() const;

 private:
  core::Clock& clock_;
  api::LiveHub live_;
  std::unique_ptr<notify::MqttPublisher> mqtt_;
  std::unique_ptr<notify::HaDiscovery> ha_;  // mqtt.home_assistant
  std::unique_ptr<notify::WebhookSender> webhooks_;
  // Per escalation tier (by index): its webhooks (null: none) and MQTT topics.
  struct TierRoutes {
    std::unique_ptr<notify::WebhookSender> webhooks;
    std::vector<std::string> mqtt_topics;
  };
  std::vector<TierRoutes> tiers_;
  SiteFanout* fanout_ = nullptr;
  AlertJournal journal_;  // structured entries under systemd
  std::atomic<events::Severity> webhook_min_{events::Severity::kInfo};
};

// The broker connection of `mqtt` (the publisher's; the sensor subscriber's too).
notify::MqttOptions MqttOptionsOf(const config::MqttSettings& mqtt);

// One Prometheus sample with its HELP and TYPE lines.
std::string MetricLines(const char* name, const char* help, double value, const char* type);

}  // namespace argus::app
