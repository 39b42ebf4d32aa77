// Logging goes through spdlog; this header fixes the format once.
#pragma once

#include <spdlog/spdlog.h>

namespace argus::core {

// Sets level ("debug", "info", "warn", "error") and a stderr format. Call once from main.
void InitLogging(const char* level);

}  // namespace argus::core
