// MQTT topic names of docs/mqtt.md. Pure functions; callable from any thread.
#pragma once

#include <string>
#include <string_view>

namespace argus::notify {

inline constexpr std::string_view kEventsTopic = "argus/events";
inline constexpr std::string_view kAlertsTopic = "argus/alerts";
inline constexpr std::string_view kSensorTopicFilter = "argus/sensors/#";
inline constexpr std::string_view kSensorTopicPrefix = "argus/sensors/";

// Makes a name safe as ONE topic level: '/', '+', '#' and control characters
// become '_' (they would split the level or act as wildcards); empty becomes "_".
std::string TopicLevel(std::string_view name);

std::string EventsTopic();
std::string AlertsTopic();
// argus/cameras/<camera>/status
std::string CameraStatusTopic(std::string_view camera);
// argus/zones/<camera>/<zone>/count
std::string ZoneCountTopic(std::string_view camera, std::string_view zone);

}  // namespace argus::notify
