// libFuzzer target: the site model (site.yaml) loader.
#include <cstddef>
#include <cstdint>
#include <string>

#include "site/site_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  // A directory that does not exist: a floor-plan image named by the input is
  // looked up there and never found, so no input reads a real file.
  (void)argus::site::LoadSiteYaml(yaml, "/nonexistent-argus-fuzz/site.yaml");
  return 0;
}
