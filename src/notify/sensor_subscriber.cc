#include "notify/sensor_subscriber.h"

#include <chrono>
#include <utility>

#include "core/log.h"
#include "notify/topics.h"

namespace argus::notify {
namespace {

constexpr int kSensorQos = 1;
// A flooding or misconfigured sensor must not flood the log: the first few
// errors are logged, then one in kParseErrorLogEvery.
constexpr uint64_t kParseErrorsLoggedInFull = 10;
constexpr uint64_t kParseErrorLogEvery = 1000;

}  // namespace

SensorSubscriber::SensorSubscriber(MqttOptions options, Callback callback, const core::Clock& clock)
    : conn_(std::move(options), this), callback_(std::move(callback)), clock_(clock) {}

SensorSubscriber::~SensorSubscriber() { Stop(); }

core::Status SensorSubscriber::Start() {
  std::string error;
  if (!conn_.Start(&error)) return core::InvalidArgument(error);
  return core::Status::Ok();
}

void SensorSubscriber::Stop() { conn_.Stop(); }

SensorSubscriberStats SensorSubscriber::stats() const {
  return {conn_.connected(), received_.load(), parse_errors_.load()};
}

void SensorSubscriber::OnConnected() {
  const int rc = conn_.Subscribe(kSensorTopicFilter, kSensorQos);
  if (rc != 0) spdlog::warn("mqtt: cannot subscribe to {} (error {})", kSensorTopicFilter, rc);
}

void SensorSubscriber::OnMessage(std::string_view topic, std::string_view payload) {
  ++received_;
  const double now = std::chrono::duration<double>(clock_.Now().time_since_epoch()).count();
  core::Result<SensorReading> r = ParseSensorMessage(topic, payload, now);
  if (!r.ok()) {
    const uint64_t n = ++parse_errors_;
    if (n <= kParseErrorsLoggedInFull || n % kParseErrorLogEvery == 0) {
      spdlog::warn("mqtt: bad sensor message on '{}' ({} so far): {}", topic, n,
                   r.status().message());
    }
    return;
  }
  if (callback_) callback_(*r);
}

}  // namespace argus::notify
