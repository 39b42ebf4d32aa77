// Bounds on the YAML files Argus reads (the daemon's config, the site model): a file
// larger than kMaxYamlBytes is refused before parsing (/dev/zero or a runaway generator
// must fail in a moment, not exhaust memory), and a document nested deeper than
// kMaxYamlDepth or with more than kMaxYamlNodes nodes (counting every use of an alias, so
// "billion laughs" documents are refused) is refused after parsing.
//
// Thread safety: reentrant.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

namespace argus::config {

// A 100-camera config is ~200 KB; yaml-cpp needs ~130 bytes of memory per byte of input.
inline constexpr size_t kMaxYamlBytes = size_t{1} << 20;  // 1 MiB
inline constexpr int kMaxYamlDepth = 32;
inline constexpr size_t kMaxYamlNodes = 200000;

struct YamlProblem {
  int line = 0;  // 1-based; 0 when the problem has no place in the file
  std::string message;
};

// Reads at most kMaxYamlBytes of `path`; a longer file is a problem naming the limit.
bool ReadYamlFile(const std::string& path, std::string* text, YamlProblem* problem);

// Parses `yaml` and checks its size, depth and node count.
bool LoadYamlBounded(const std::string& yaml, YAML::Node* root, YamlProblem* problem);

}  // namespace argus::config
