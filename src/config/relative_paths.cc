#include "config/relative_paths.h"

#include <string_view>

namespace argus::config {

namespace {

constexpr std::string_view kOnnxPrefix = "onnx:";

std::string ResolveDetector(const std::filesystem::path& base, const std::string& spec) {
  if (spec.rfind(kOnnxPrefix, 0) != 0) return spec;  // builtin, hog: no file
  return std::string(kOnnxPrefix) + ResolveAgainst(base, spec.substr(kOnnxPrefix.size()));
}

}  // namespace

std::string ResolveAgainst(const std::filesystem::path& base, const std::string& path) {
  if (path.empty() || path.find("://") != std::string::npos) return path;
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (base / p).lexically_normal().string();
}

void ResolveRelativePaths(const std::filesystem::path& base, Config* cfg) {
  ServerSettings& s = cfg->server;
  s.data_dir = ResolveAgainst(base, s.data_dir);
  s.static_dir = ResolveAgainst(base, s.static_dir);
  s.site_model = ResolveAgainst(base, s.site_model);
  s.tls_cert = ResolveAgainst(base, s.tls_cert);
  s.tls_key = ResolveAgainst(base, s.tls_key);
  cfg->detector.spec = ResolveDetector(base, cfg->detector.spec);
  for (CameraConfig& cam : cfg->cameras) {
    cam.source = ResolveAgainst(base, cam.source);
    if (cam.detector) cam.detector = ResolveDetector(base, *cam.detector);
  }
}

}  // namespace argus::config
