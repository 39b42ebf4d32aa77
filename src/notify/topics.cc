#include "notify/topics.h"

namespace argus::notify {

std::string TopicLevel(std::string_view name) {
  if (name.empty()) return "_";
  std::string out(name);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '+' || c == '#' || u < 0x20 || u == 0x7f) c = '_';
  }
  return out;
}

std::string EventsTopic() { return std::string(kEventsTopic); }
std::string AlertsTopic() { return std::string(kAlertsTopic); }

std::string CameraStatusTopic(std::string_view camera) {
  return "argus/cameras/" + TopicLevel(camera) + "/status";
}

std::string ZoneCountTopic(std::string_view camera, std::string_view zone) {
  return "argus/zones/" + TopicLevel(camera) + "/" + TopicLevel(zone) + "/count";
}

}  // namespace argus::notify
