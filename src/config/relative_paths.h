// Relative paths in a config file mean "beside the config file", whatever the
// working directory: a packaged daemon runs from / with /etc/argus/argus.yaml.
// Pure path arithmetic, nothing is checked on disk. Callable from any thread.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.h"

namespace argus::config {

// `path` joined to `base` when relative; empty, absolute and URL values
// ("rtsp://...") unchanged.
std::string ResolveAgainst(const std::filesystem::path& base, const std::string& path);

// Resolves server.data_dir, server.static_dir, server.site_model, the model path
// of every `onnx:PATH` detector and every file camera source against `base`.
void ResolveRelativePaths(const std::filesystem::path& base, Config* cfg);

}  // namespace argus::config
