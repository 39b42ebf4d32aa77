#include "notify/sensor.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/json_bounds.h"

namespace argus::notify {
namespace {

bool ParseType(const std::string& s, SensorType* out) {
  if (s == "contact")
    *out = SensorType::kContact;
  else if (s == "vibration")
    *out = SensorType::kVibration;
  else if (s == "glass_break")
    *out = SensorType::kGlassBreak;
  else if (s == "tamper")
    *out = SensorType::kTamper;
  else
    return false;
  return true;
}

bool ParseState(const std::string& s, SensorState* out) {
  if (s == "open")
    *out = SensorState::kOpen;
  else if (s == "closed")
    *out = SensorState::kClosed;
  else if (s == "triggered")
    *out = SensorState::kTriggered;
  else if (s == "ok")
    *out = SensorState::kOk;
  else
    return false;
  return true;
}

bool StateFitsType(SensorType t, SensorState s) {
  const bool contact_state = s == SensorState::kOpen || s == SensorState::kClosed;
  return (t == SensorType::kContact) == contact_state;
}

}  // namespace

const char* ToString(SensorType t) {
  switch (t) {
    case SensorType::kContact:
      return "contact";
    case SensorType::kVibration:
      return "vibration";
    case SensorType::kGlassBreak:
      return "glass_break";
    case SensorType::kTamper:
      return "tamper";
  }
  return "?";
}

const char* ToString(SensorState s) {
  switch (s) {
    case SensorState::kOpen:
      return "open";
    case SensorState::kClosed:
      return "closed";
    case SensorState::kTriggered:
      return "triggered";
    case SensorState::kOk:
      return "ok";
  }
  return "?";
}

core::Result<SensorReading> ParseSensorMessage(std::string_view topic, std::string_view payload,
                                               double arrival_t) {
  using core::InvalidArgument;
  if (payload.size() > kMaxSensorPayloadBytes) {
    return InvalidArgument("sensor payload is larger than " +
                           std::to_string(kMaxSensorPayloadBytes) + " bytes");
  }
  if (core::JsonNestingDepth(payload) > core::kMaxJsonDepth) {
    return InvalidArgument("sensor payload is nested deeper than " +
                           std::to_string(core::kMaxJsonDepth) + " levels");
  }
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("sensor payload is not valid JSON");
  if (!j.is_object()) return InvalidArgument("sensor payload is not a JSON object");
  SensorReading r;
  r.topic = std::string(topic);
  auto sensor = j.find("sensor");
  if (sensor == j.end() || !sensor->is_string() || sensor->get<std::string>().empty() ||
      sensor->get<std::string>().size() > kMaxSensorNameLength) {
    return InvalidArgument("sensor payload needs a string \"sensor\" of 1.." +
                           std::to_string(kMaxSensorNameLength) + " bytes");
  }
  r.sensor = sensor->get<std::string>();
  auto type = j.find("type");
  if (type == j.end() || !type->is_string() || !ParseType(type->get<std::string>(), &r.type)) {
    return InvalidArgument("sensor \"" + r.sensor +
                           "\": \"type\" must be contact|vibration|glass_break|tamper");
  }
  auto state = j.find("state");
  if (state == j.end() || !state->is_string() || !ParseState(state->get<std::string>(), &r.state)) {
    return InvalidArgument("sensor \"" + r.sensor +
                           "\": \"state\" must be open|closed|triggered|ok");
  }
  if (!StateFitsType(r.type, r.state)) {
    return InvalidArgument("sensor \"" + r.sensor + "\": state \"" + ToString(r.state) +
                           "\" does not apply to type \"" + ToString(r.type) + "\"");
  }
  r.t = arrival_t;
  auto t = j.find("t");
  if (t != j.end() && !t->is_null()) {
    if (!t->is_number() || !std::isfinite(t->get<double>()) || t->get<double>() < 0) {
      return InvalidArgument("sensor \"" + r.sensor + "\": \"t\" must be unix seconds");
    }
    r.t = t->get<double>();
    r.t_from_sensor = true;
  }
  return r;
}

}  // namespace argus::notify
