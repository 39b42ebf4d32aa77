#include "config/config_identity.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace argus::config {
namespace {

constexpr const char* kSite = R"(# the site
server:
  listen: 0.0.0.0:8080
  data_dir: /var/lib/argus
  postgres: "host=db dbname=argus"
cluster:
  node_id: server-1
  address: http://10.0.0.7:8080
  lease_s: 10
cameras:
  - name: hall
    source: rtsp://10.0.2.11/stream1
    detect_fps: 5
  - name: vault
    source: rtsp://10.0.2.12/stream1
)";

ConfigIdentity Of(const std::string& yaml) {
  Diagnostics diag;
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  EXPECT_TRUE(cfg.ok()) << diag.ToString();
  return cfg.ok() ? cfg->identity : ConfigIdentity{};
}

TEST(ConfigIdentity, CommentsWhitespaceQuotingAndKeyOrderDoNotChangeIt) {
  const ConfigIdentity a = Of(kSite);
  ASSERT_EQ(a.hash.size(), 16u);
  const ConfigIdentity b = Of(R"(cameras:
  - source: "rtsp://10.0.2.11/stream1"   # quoted now
    name: hall
    detect_fps: 5

  - {name: vault, source: rtsp://10.0.2.12/stream1}
cluster: {lease_s: 10, node_id: server-1, address: "http://10.0.0.7:8080"}
server:
    postgres: host=db dbname=argus
    data_dir: /var/lib/argus
    listen: 0.0.0.0:8080
)");
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.sections, b.sections);
}

TEST(ConfigIdentity, PerNodeKeysAreLeftOut) {
  std::string other = kSite;
  for (auto [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"server-1", "server-2"},
                                                        {"10.0.0.7", "10.0.0.8"},
                                                        {"0.0.0.0:8080", "0.0.0.0:8081"},
                                                        {"/var/lib/argus", "/srv/argus"},
                                                        {"host=db", "host=10.0.3.4"}}) {
    other.replace(other.find(from), from.size(), to);
  }
  EXPECT_EQ(Of(kSite).hash, Of(other).hash);
}

TEST(ConfigIdentity, SiteWideChangesChangeItAndNameTheirSection) {
  const ConfigIdentity a = Of(kSite);
  std::string fps = kSite;
  fps.replace(fps.find("detect_fps: 5"), 13, "detect_fps: 4");
  const ConfigIdentity b = Of(fps);
  EXPECT_NE(a.hash, b.hash);
  EXPECT_EQ(ChangedSections(a, b), std::vector<std::string>{"cameras"});
  std::string lease = kSite;
  lease.replace(lease.find("lease_s: 10"), 11, "lease_s: 12");
  EXPECT_NE(a.hash, Of(lease).hash);  // the cluster's timing is the site's
  EXPECT_EQ(ChangedSections(a, Of(lease)), std::vector<std::string>{"cluster"});
  // A camera's order is the order of the list: a different config.
  std::string swapped = R"(server:
  postgres: "host=db dbname=argus"
cluster:
  lease_s: 10
cameras:
  - name: vault
    source: rtsp://10.0.2.12/stream1
  - name: hall
    source: rtsp://10.0.2.11/stream1
    detect_fps: 5
)";
  EXPECT_NE(a.hash, Of(swapped).hash);
  // A section added is a change of that section.
  const ConfigIdentity c = Of(std::string(kSite) + "alerts:\n  cooldown_s: 30\n");
  EXPECT_EQ(ChangedSections(a, c), std::vector<std::string>{"alerts"});
}

TEST(ConfigIdentity, VersionIsTheConfigsOwnOrTheHashPrefix) {
  const ConfigIdentity a = Of(kSite);
  EXPECT_EQ(a.version, a.hash.substr(0, kVersionHashChars));
  std::string named = kSite;
  named.replace(named.find("  lease_s: 10"), 13, "  lease_s: 10\n  config_version: east-wing-3");
  const ConfigIdentity b = Of(named);
  EXPECT_EQ(b.version, "east-wing-3");
  EXPECT_NE(a.hash, b.hash);  // naming a config is declaring a new one
}

TEST(ConfigIdentity, CanonicalTextKeepsScalarsApart) {
  // Length prefixes: "a: 'b,c'" is not "a: b" followed by a key "c".
  EXPECT_NE(CanonicalConfigText(YAML::Load("{a: 'b,c'}")),
            CanonicalConfigText(YAML::Load("{a: b, c: ~}")));
  EXPECT_NE(CanonicalConfigText(YAML::Load("{a: ''}")), CanonicalConfigText(YAML::Load("{a: ~}")));
  EXPECT_NE(CanonicalConfigText(YAML::Load("{a: [1, 2]}")),
            CanonicalConfigText(YAML::Load("{a: ['1,2']}")));
}

}  // namespace
}  // namespace argus::config
