// One libmosquitto client with its own network thread (mosquitto_loop_start):
// connects asynchronously, reconnects with exponential back-off forever, and
// reports connection changes, publish acks and messages to a Listener.
// Thread safety: Start/Stop from the owning thread; Publish/Subscribe and
// connected() from any thread. Listener callbacks run on the network thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

struct mosquitto;
struct mosquitto_message;

namespace argus::notify {

inline constexpr int kDefaultMqttPort = 1883;
inline constexpr int kDefaultKeepaliveS = 30;
inline constexpr unsigned kDefaultReconnectMinS = 1;  // libmosquitto counts whole seconds
inline constexpr unsigned kDefaultReconnectMaxS = 30;

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = kDefaultMqttPort;
  std::string client_id;  // empty: the broker assigns one (needs clean session)
  std::string username;   // empty: anonymous
  std::string password;
  int keepalive_s = kDefaultKeepaliveS;
  unsigned reconnect_min_s = kDefaultReconnectMinS;
  unsigned reconnect_max_s = kDefaultReconnectMaxS;
};

class MqttConnection {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnConnected() {}
    virtual void OnDisconnected() {}
    virtual void OnPublished(int /*mid*/) {}
    virtual void OnMessage(std::string_view /*topic*/, std::string_view /*payload*/) {}
  };

  // `listener` must outlive Stop().
  MqttConnection(MqttOptions options, Listener* listener);
  ~MqttConnection();
  MqttConnection(const MqttConnection&) = delete;
  MqttConnection& operator=(const MqttConnection&) = delete;

  // Starts connecting in the background; an unreachable broker is not an error
  // (it is retried), bad options are.
  bool Start(std::string* error);
  // Disconnects and joins the network thread. Idempotent.
  void Stop();

  bool connected() const { return connected_.load(); }
  uint64_t reconnects() const { return connects_.load() > 0 ? connects_.load() - 1 : 0; }
  const MqttOptions& options() const { return options_; }

  // Hands a message to libmosquitto (non-blocking). Returns the libmosquitto
  // error code (0 = MOSQ_ERR_SUCCESS) and sets *mid.
  int Publish(std::string_view topic, std::string_view payload, int qos, bool retain, int* mid);
  int Subscribe(std::string_view filter, int qos);

 private:
  static void OnConnectCb(mosquitto*, void* self, int rc);
  static void OnDisconnectCb(mosquitto*, void* self, int rc);
  static void OnPublishCb(mosquitto*, void* self, int mid);
  static void OnMessageCb(mosquitto*, void* self, const mosquitto_message* msg);

  MqttOptions options_;
  Listener* listener_;
  mosquitto* mosq_ = nullptr;
  bool started_ = false;
  std::atomic<bool> connected_{false};
  std::atomic<bool> unreachable_logged_{false};  // since the last successful connect
  std::atomic<uint64_t> connects_{0};
};

}  // namespace argus::notify
