#include "detect/detector.h"

#include <filesystem>

#include "detect/coco.h"

namespace argus::detect {

core::Result<DetectorConfig> ParseDetectorSpec(const std::string& spec) {
  DetectorConfig c;
  if (spec == "builtin" || spec == "hog") {
    c.kind = spec;
    return c;
  }
  constexpr std::string_view kOnnx = "onnx:";
  if (spec.rfind(kOnnx, 0) == 0) {
    c.kind = "onnx";
    c.model_path = spec.substr(kOnnx.size());
    if (c.model_path.empty()) {
      return core::InvalidArgument(
          "detector 'onnx:' needs a model path, e.g. onnx:/path/model.onnx");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(c.model_path, ec)) {
      return core::NotFound("detector model file not found: " + c.model_path);
    }
    return c;
  }
  return core::InvalidArgument("unknown detector '" + spec +
                               "' (expected builtin, hog or onnx:/path/model.onnx)");
}

core::Result<std::vector<int>> ClassIds(const std::vector<std::string>& names) {
  std::vector<int> ids;
  for (const auto& n : names) {
    const int id = CocoClassId(n);
    if (id < 0) return core::InvalidArgument("unknown COCO class '" + n + "'");
    ids.push_back(id);
  }
  return ids;
}

core::Result<std::unique_ptr<Detector>> MakeDetector(const DetectorConfig& config) {
  if (config.kind == "builtin") return MakeBuiltinDetector(config);
  if (config.kind == "hog") return MakeHogDetector(config);
  if (config.kind == "onnx") return MakeOnnxDetector(config);
  return core::InvalidArgument("unknown detector kind '" + config.kind + "'");
}

}  // namespace argus::detect
