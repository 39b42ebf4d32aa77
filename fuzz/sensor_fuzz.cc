// libFuzzer target: intrusion-sensor payloads (MQTT argus/sensors/# and POST /api/sensors).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "notify/sensor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  (void)argus::notify::ParseSensorMessage("argus/sensors/fuzz", payload, 1767225600.0);
  return 0;
}
