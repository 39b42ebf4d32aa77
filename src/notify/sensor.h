// External intrusion sensors (door/window contacts, vibration, glass-break,
// tamper) reported over MQTT on argus/sensors/<anything>; payload in docs/mqtt.md.
// Pure functions; callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace argus::notify {

// A reading is a few dozen bytes; these bound what a broken or hostile sender costs.
inline constexpr size_t kMaxSensorPayloadBytes = 4096;
inline constexpr size_t kMaxSensorNameLength = 128;

enum class SensorType { kContact, kVibration, kGlassBreak, kTamper };
enum class SensorState { kOpen, kClosed, kTriggered, kOk };

const char* ToString(SensorType t);
const char* ToString(SensorState s);

struct SensorReading {
  std::string topic;   // where it arrived, e.g. "argus/sensors/wing-a/north-window-2"
  std::string sensor;  // sensor name, e.g. "north-window-2"
  SensorType type = SensorType::kContact;
  SensorState state = SensorState::kClosed;
  double t = 0;                // unix seconds: from the payload, else arrival time
  bool t_from_sensor = false;  // false when `t` is the arrival time
  // True for the states that mean "something happened": open, triggered.
  bool active() const { return state == SensorState::kOpen || state == SensorState::kTriggered; }
};

// Parses {"sensor":"...","type":"contact|vibration|glass_break|tamper",
// "state":"open|closed|triggered|ok","t":<unix seconds, optional>}.
// A contact reports open|closed, the other types triggered|ok; anything else is
// kInvalidArgument. `arrival_t` fills `t` when the payload has none.
core::Result<SensorReading> ParseSensorMessage(std::string_view topic, std::string_view payload,
                                               double arrival_t);

}  // namespace argus::notify
