// libFuzzer target: the daemon's config as `argus config check` reads it (YAML
// bounds, every section's validation, then the rules' kind-specific fields).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "rules/rule_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  argus::config::Diagnostics diag;
  auto cfg = argus::config::ParseConfig(yaml, "fuzz.yaml", &diag);
  if (cfg.ok()) (void)argus::rules::ValidateRules(*cfg, &diag);
  (void)diag.ToString();
  return 0;
}
