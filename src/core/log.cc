#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace argus::core {

void InitLogging(const char* level) {
  auto logger = spdlog::stderr_color_mt("argus");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace argus::core
