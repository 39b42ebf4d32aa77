#include "notify/mqtt_connection.h"

#include <mosquitto.h>

#include <mutex>

#include "core/log.h"

namespace argus::notify {
namespace {

void InitLibraryOnce() {
  // Never cleaned up: other clients may live until exit.
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

MqttConnection::MqttConnection(MqttOptions options, Listener* listener)
    : options_(std::move(options)), listener_(listener) {}

MqttConnection::~MqttConnection() { Stop(); }

bool MqttConnection::Start(std::string* error) {
  if (started_) return true;
  if (options_.host.empty() || options_.port <= 0 || options_.port > 65535) {
    *error = "mqtt: host and a port in 1..65535 are required";
    return false;
  }
  if (options_.reconnect_min_s == 0 || options_.reconnect_max_s < options_.reconnect_min_s) {
    *error = "mqtt: reconnect delays must satisfy 1 <= min <= max";
    return false;
  }
  InitLibraryOnce();
  mosq_ = mosquitto_new(options_.client_id.empty() ? nullptr : options_.client_id.c_str(),
                        /*clean_session=*/true, this);
  if (mosq_ == nullptr) {
    *error = "mqtt: mosquitto_new failed";
    return false;
  }
  if (!options_.username.empty() &&
      mosquitto_username_pw_set(mosq_, options_.username.c_str(),
                                options_.password.empty() ? nullptr : options_.password.c_str()) !=
          MOSQ_ERR_SUCCESS) {
    *error = "mqtt: cannot set credentials";
    mosquitto_destroy(mosq_);
    mosq_ = nullptr;
    return false;
  }
  mosquitto_connect_callback_set(mosq_, &OnConnectCb);
  mosquitto_disconnect_callback_set(mosq_, &OnDisconnectCb);
  mosquitto_publish_callback_set(mosq_, &OnPublishCb);
  mosquitto_message_callback_set(mosq_, &OnMessageCb);
  mosquitto_reconnect_delay_set(mosq_, options_.reconnect_min_s, options_.reconnect_max_s,
                                /*reconnect_exponential_backoff=*/true);
  // Thread first, then connect: with the opposite order a refused first
  // attempt is never retried (eclipse-mosquitto/mosquitto#1903, #2576).
  int rc = mosquitto_loop_start(mosq_);
  if (rc != MOSQ_ERR_SUCCESS) {
    *error = std::string("mqtt: cannot start network thread: ") + mosquitto_strerror(rc);
    mosquitto_destroy(mosq_);
    mosq_ = nullptr;
    return false;
  }
  rc = mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port, options_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    spdlog::warn("mqtt: {}:{} not reachable yet ({}); retrying in the background", options_.host,
                 options_.port, mosquitto_strerror(rc));
    unreachable_logged_ = true;
  }
  started_ = true;
  return true;
}

void MqttConnection::Stop() {
  if (mosq_ == nullptr) return;
  if (started_) {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, /*force=*/false);
    started_ = false;
  }
  mosquitto_destroy(mosq_);
  mosq_ = nullptr;
  connected_ = false;
}

int MqttConnection::Publish(std::string_view topic, std::string_view payload, int qos, bool retain,
                            int* mid) {
  if (mosq_ == nullptr) return MOSQ_ERR_INVAL;
  const std::string t(topic);
  return mosquitto_publish(mosq_, mid, t.c_str(), static_cast<int>(payload.size()), payload.data(),
                           qos, retain);
}

int MqttConnection::Subscribe(std::string_view filter, int qos) {
  if (mosq_ == nullptr) return MOSQ_ERR_INVAL;
  const std::string f(filter);
  return mosquitto_subscribe(mosq_, nullptr, f.c_str(), qos);
}

void MqttConnection::OnConnectCb(mosquitto*, void* self, int rc) {
  auto* c = static_cast<MqttConnection*>(self);
  if (rc != 0) {
    spdlog::warn("mqtt: broker {}:{} refused the connection: {}", c->options_.host,
                 c->options_.port, mosquitto_connack_string(rc));
    return;
  }
  c->connects_++;
  c->connected_ = true;
  c->unreachable_logged_ = false;
  spdlog::info("mqtt: connected to {}:{}", c->options_.host, c->options_.port);
  c->listener_->OnConnected();
}

void MqttConnection::OnDisconnectCb(mosquitto*, void* self, int rc) {
  auto* c = static_cast<MqttConnection*>(self);
  const bool was = c->connected_.exchange(false);
  if (was && rc != 0) {
    spdlog::warn("mqtt: lost connection to {}:{}; reconnecting", c->options_.host,
                 c->options_.port);
  } else if (!was && rc != 0 && !c->unreachable_logged_.exchange(true)) {
    // A broker down at start fails here, in the background: say so once, not per retry.
    spdlog::warn("mqtt: cannot reach the broker at {}:{} ({}); messages are queued, retrying",
                 c->options_.host, c->options_.port, mosquitto_strerror(rc));
  }
  c->listener_->OnDisconnected();
}

void MqttConnection::OnPublishCb(mosquitto*, void* self, int mid) {
  static_cast<MqttConnection*>(self)->listener_->OnPublished(mid);
}

void MqttConnection::OnMessageCb(mosquitto*, void* self, const mosquitto_message* msg) {
  auto* c = static_cast<MqttConnection*>(self);
  c->listener_->OnMessage(
      msg->topic != nullptr ? std::string_view(msg->topic) : std::string_view(),
      std::string_view(static_cast<const char*>(msg->payload),
                       msg->payload != nullptr ? static_cast<size_t>(msg->payloadlen) : 0));
}

}  // namespace argus::notify
