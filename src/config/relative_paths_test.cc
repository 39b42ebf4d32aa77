#include "config/relative_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace argus::config {
namespace {

TEST(ResolveAgainst, JoinsOnlyRelativeFilePaths) {
  EXPECT_EQ(ResolveAgainst("/etc/argus", "data"), "/etc/argus/data");
  EXPECT_EQ(ResolveAgainst("/etc/argus", "../share/web"), "/etc/share/web");
  EXPECT_EQ(ResolveAgainst("/etc/argus", "/var/lib/argus"), "/var/lib/argus");
  EXPECT_EQ(ResolveAgainst("/etc/argus", "rtsp://10.0.0.1/s"), "rtsp://10.0.0.1/s");
  EXPECT_EQ(ResolveAgainst("/etc/argus", ""), "");
  EXPECT_EQ(ResolveAgainst("", "data"), "data");  // config in the working directory
}

// A config loaded from another directory than the working one finds its
// relative files beside itself.
TEST(LoadConfig, ResolvesRelativePathsAgainstTheConfigFolder) {
  char tmpl[] = "/tmp/argus-relpaths-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir(tmpl);
  const std::filesystem::path file = dir / "site.yaml";
  std::ofstream(file) << R"(detector: {kind: onnx:models/yolox.onnx}
server:
  data_dir: state
  static_dir: ../web
  site_model: /srv/site.yaml
cameras:
  - {name: a, source: clips/a.mp4, detector: onnx:m.onnx}
  - {name: b, source: rtsp://10.0.0.2/stream, detector: hog}
)";
  Diagnostics diag;
  auto cfg = LoadConfig(file.string(), &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->server.data_dir, (dir / "state").string());
  EXPECT_EQ(cfg->server.static_dir, (dir.parent_path() / "web").string());
  EXPECT_EQ(cfg->server.site_model, "/srv/site.yaml");
  EXPECT_EQ(cfg->detector.spec, "onnx:" + (dir / "models/yolox.onnx").string());
  ASSERT_EQ(cfg->cameras.size(), 2u);
  EXPECT_EQ(cfg->cameras[0].source, (dir / "clips/a.mp4").string());
  EXPECT_EQ(cfg->cameras[0].detector, "onnx:" + (dir / "m.onnx").string());
  EXPECT_EQ(cfg->cameras[1].source, "rtsp://10.0.0.2/stream");
  EXPECT_EQ(cfg->cameras[1].detector, "hog");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace argus::config
