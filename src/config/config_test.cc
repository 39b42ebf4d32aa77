#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace argus::config {
namespace {

constexpr const char* kGood = R"(site:
  name: Test museum
  timezone: Europe/Paris
  open_hours:
    - days: [mon, tue, wed]
      open: "09:30"
      close: "18:00"
detector:
  kind: hog
tracker:
  max_age_s: 2
cameras:
  - name: hall
    source: /tmp/x.avi
    detect_fps: 5
    zones:
      - name: lawn
        polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]
    lines:
      - name: path
        a: [0.5, 0.0]
        b: [0.5, 1.0]
    rules:
      - name: lawn-intrusion
        kind: intrusion
        zone: lawn
        severity: critical
        when: closed
)";

// Parses `yaml` and returns the diagnostics as text (empty when valid).
std::string Problems(const std::string& yaml) {
  Diagnostics diag;
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  EXPECT_EQ(cfg.ok(), diag.ok());
  return diag.ToString();
}

TEST(Config, CameraMotionIsATrackerSwitch) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("  max_age_s: 2\n"), 15, "  max_age_s: 2\n  camera_motion: true\n");
  Diagnostics diag;
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_TRUE(cfg->tracker.camera_motion);
}

TEST(Config, RelinkIsATrackerSwitchUnsetByDefault) {
  std::string yaml = kGood;
  Diagnostics diag;
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_FALSE(cfg->tracker.relink.has_value());  // the pipeline's default
  yaml.replace(yaml.find("  max_age_s: 2\n"), 15, "  max_age_s: 2\n  relink: false\n");
  cfg = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->tracker.relink, false);
  yaml.replace(yaml.find("relink: false"), 13, "relink: maybe");
  EXPECT_FALSE(ParseConfig(yaml, "site.yaml", &diag).ok());
}

TEST(Config, NeuralSpeedSwitchesAreDetectorKeys) {
  std::string yaml = kGood;
  const std::string detector = "detector:\n  kind: hog\n";
  ASSERT_NE(yaml.find(detector), std::string::npos);
  yaml.replace(yaml.find(detector), detector.size(),
               detector + "  crops: false\n  coast_frames: 2\n");
  Diagnostics diag;
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->detector.crops, false);
  EXPECT_EQ(cfg->detector.coast_frames, 2);
  auto defaults = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->detector.crops.has_value());  // the backend decides
  EXPECT_FALSE(defaults->detector.coast_frames.has_value());
  yaml.replace(yaml.find("coast_frames: 2"), 15, "coast_frames: 11");
  EXPECT_NE(Problems(yaml).find("detector.coast_frames"), std::string::npos) << Problems(yaml);
}

TEST(Config, AKeyThatIsAListIsAProblemNotACrash) {
  // Found by fuzz_replay_config: a non-scalar key threw out of the parser.
  const std::string p = Problems(std::string(kGood) + "? [a, b]\n: 1\n");
  EXPECT_NE(p.find("a key must be a plain name"), std::string::npos) << p;
}

TEST(Config, ParsesAValidSite) {
  Diagnostics diag;
  auto cfg = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->site.timezone, "Europe/Paris");
  ASSERT_EQ(cfg->site.open_hours.size(), 1u);
  EXPECT_EQ(cfg->site.open_hours[0].open_minute, 9 * 60 + 30);
  EXPECT_TRUE(cfg->site.open_hours[0].days[2]);
  EXPECT_FALSE(cfg->site.open_hours[0].days[3]);
  EXPECT_EQ(cfg->detector.spec, "hog");
  EXPECT_EQ(cfg->tracker.max_age_s, 2.0);
  EXPECT_FALSE(cfg->tracker.min_hits.has_value());
  EXPECT_FALSE(cfg->tracker.camera_motion);  // off unless asked for
  ASSERT_EQ(cfg->cameras.size(), 1u);
  const CameraConfig& cam = cfg->cameras[0];
  EXPECT_DOUBLE_EQ(cam.detect_fps, 5);
  ASSERT_NE(cam.FindZone("lawn"), nullptr);
  EXPECT_EQ(cam.FindZone("lawn")->polygon.size(), 4u);
  ASSERT_NE(cam.FindLine("path"), nullptr);
  ASSERT_EQ(cam.rules.size(), 1u);
  EXPECT_EQ(cam.rules[0].kind, "intrusion");
  EXPECT_EQ(cam.rules[0].severity, events::Severity::kCritical);
  EXPECT_EQ(cam.rules[0].when, "closed");
  EXPECT_EQ(cam.rules[0].where.line, 24);
  EXPECT_EQ(cam.rules[0].node["zone"].as<std::string>(), "lawn");
}

TEST(Config, ClusterSectionAndACamerasPreferredNode) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("    detect_fps: 5"), 17, "    detect_fps: 5\n    node: server-2");
  Diagnostics diag;
  auto cfg = ParseConfig(yaml + "cluster: {node_id: server-1, lease_s: 6, renew_s: 2}\n",
                         "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->cameras[0].node, "server-2");
  EXPECT_EQ(cfg->cluster.node_id, "server-1");
  EXPECT_EQ(cfg->cluster.lease_s, 6);
  EXPECT_EQ(cfg->cluster.renew_s, 2);
  auto defaults = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->cluster.lease_s, kDefaultLeaseS);
  EXPECT_TRUE(defaults->cameras[0].node.empty());
  // A lease renewed less than twice before it runs out is refused, by name.
  const std::string p = Problems(std::string(kGood) + "cluster: {lease_s: 4, renew_s: 3}\n");
  EXPECT_NE(p.find("cluster.renew_s: must be at most half of lease_s"), std::string::npos) << p;
}

TEST(Config, MalformedYamlNamesTheLine) {
  EXPECT_EQ(Problems("cameras:\n  - name: a\n    source: [unclosed\n"),
            "site.yaml:4: malformed YAML: end of sequence flow not found\n");
}

TEST(Config, UnknownKeyIsAnErrorWithItsLine) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("    detect_fps: 5"), 17, "    detect_fsp: 5");
  EXPECT_EQ(
      Problems(yaml),
      "site.yaml:15: cameras[0].detect_fsp: unknown key (expected one of: calibration, "
      "detect_fps, detector, learn, lines, name, node, privacy_masks, rtsp_transport, rules, "
      "source, zone_inertia_frames, zones)\n");
}

TEST(Config, LearnSectionIsOptionalAndValidated) {
  Diagnostics diag;
  auto plain = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->cameras[0].learn.enabled) << "no learn: section, no learning";

  std::string yaml = kGood;
  yaml.replace(yaml.find("    detect_fps: 5"), 17,
               "    detect_fps: 5\n    learn: {half_life_days: 3, threshold: 0.8, "
               "max_alerts_per_hour: 2, grid: [8, 6]}");
  auto cfg = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  const LearnConfig& l = cfg->cameras[0].learn;
  EXPECT_TRUE(l.enabled);
  EXPECT_DOUBLE_EQ(l.half_life_days, 3);
  EXPECT_DOUBLE_EQ(l.threshold, 0.8);
  EXPECT_EQ(l.max_alerts_per_hour, 2);
  EXPECT_EQ(l.grid_cols, 8);
  EXPECT_EQ(l.grid_rows, 6);
  EXPECT_DOUBLE_EQ(l.min_cell_tracks, kDefaultLearnMinCellTracks);

  std::string off = kGood;
  off.replace(off.find("    detect_fps: 5"), 17, "    detect_fps: 5\n    learn: {enabled: false}");
  auto cfg_off = ParseConfig(off, "site.yaml", &diag);
  ASSERT_TRUE(cfg_off.ok());
  EXPECT_FALSE(cfg_off->cameras[0].learn.enabled);

  std::string bad = kGood;
  bad.replace(bad.find("    detect_fps: 5"), 17,
              "    detect_fps: 5\n    learn:\n      threshold: 2\n      grid: [0, 6]\n"
              "      half_lives: 3");
  EXPECT_EQ(Problems(bad),
            "site.yaml:17: cameras[0].learn.threshold: must be between 0 and 1, found 2\n"
            "site.yaml:18: cameras[0].learn.grid: columns and rows must be whole numbers in "
            "1..256\n"
            "site.yaml:19: cameras[0].learn.half_lives: unknown key (expected one of: enabled, "
            "grid, half_life_days, max_alerts_per_hour, min_camera_tracks, min_cell_tracks, "
            "threshold)\n");
}

TEST(Config, PolygonWithTwoPoints) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("[[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]"), 48,
               "[[0.1, 0.5], [0.9, 0.5]]");
  EXPECT_EQ(Problems(yaml),
            "site.yaml:18: cameras[0].zones[0].polygon: a polygon needs at least 3 points, "
            "found 2\n");
}

TEST(Config, NegativeFpsAndOutOfFrameCoordinates) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("detect_fps: 5"), 13, "detect_fps: -5");
  yaml.replace(yaml.find("a: [0.5, 0.0]"), 13, "a: [1.5, 0.0]");
  EXPECT_EQ(Problems(yaml),
            "site.yaml:15: cameras[0].detect_fps: must be between 0 and 240, found -5\n"
            "site.yaml:21: cameras[0].lines[0].a: coordinates are relative to the frame and "
            "must be within 0..1, found [1.5, 0]\n");
}

TEST(Config, EveryProblemIsReportedNotJustTheFirst) {
  const std::string p = Problems(R"(site:
  timezone: Mars/Olympus
  open_hours:
    - days: [mon, funday]
      open: "25:00"
cameras:
  - name: a
    source: x
    rules:
      - kind: intrusion
        severity: loud
  - name: a
)");
  EXPECT_NE(p.find("site.yaml:2: site.timezone: unknown time zone 'Mars/Olympus'"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("site.yaml:4: site.open_hours[0].days: unknown day 'funday'"),
            std::string::npos);
  EXPECT_NE(p.find("site.yaml:5: site.open_hours[0].open: must be a time HH:MM, found '25:00'"),
            std::string::npos);
  EXPECT_NE(p.find("site.open_hours[0].close: is required"), std::string::npos);
  EXPECT_NE(p.find("cameras[0].rules[0].name: is required"), std::string::npos);
  EXPECT_NE(p.find("site.yaml:11: cameras[0].rules[0].severity: must be one of info, warning, "
                   "alert, critical, found 'loud'"),
            std::string::npos);
  EXPECT_NE(p.find("site.yaml:12: cameras[1].name: duplicate camera name 'a'"), std::string::npos);
  EXPECT_NE(p.find("cameras[1].source: is required"), std::string::npos);
}

TEST(Config, MissingCamerasAndMissingFile) {
  EXPECT_EQ(Problems("site: {name: x}\n"),
            "site.yaml:1: cameras: at least one camera is required\n");
  Diagnostics diag;
  auto cfg = LoadConfig("/nonexistent/argus.yaml", &diag);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(diag.ToString(),
            "/nonexistent/argus.yaml: cannot open config file (missing or unreadable)\n");
}

TEST(Config, EmptyOrBlankNamesAreRefused) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("  - name: hall"), 14, "  - name: \"\"");
  EXPECT_EQ(Problems(yaml), "site.yaml:13: cameras[0].name: must not be empty\n");
  yaml = kGood;
  yaml.replace(yaml.find("      - name: lawn\n"), 18, "      - name: \"  \"");
  EXPECT_NE(Problems(yaml).find("site.yaml:17: cameras[0].zones[0].name: must not be empty"),
            std::string::npos)
      << Problems(yaml);
  yaml = kGood;
  yaml.replace(yaml.find("  - name: hall"), 14, "  - name: " + std::string(200, 'h'));
  EXPECT_EQ(Problems(yaml),
            "site.yaml:13: cameras[0].name: is too long (200 characters, at most 128)\n");
}

TEST(Config, CrossingPolygonEdgesAreRefusedAsSuch) {
  std::string yaml = kGood;
  // A bowtie: its two halves cancel to zero signed area, but its points are not on a line.
  yaml.replace(yaml.find("[[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]"), 48,
               "[[0.1, 0.5], [0.9, 1.0], [0.9, 0.5], [0.1, 1.0]]");
  EXPECT_EQ(Problems(yaml),
            "site.yaml:18: cameras[0].zones[0].polygon: polygon edges cross each other (point "
            "0->1 and point 2->3); list the points in order around the area\n");
  // Self-intersecting with non-zero area (a pentagram-like shape) is refused as well.
  yaml = kGood;
  yaml.replace(yaml.find("[[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]"), 48,
               "[[0.1, 0.5], [0.9, 0.5], [0.2, 1.0], [0.5, 0.2], [0.8, 1.0]]");
  EXPECT_NE(Problems(yaml).find("polygon edges cross each other"), std::string::npos);
  yaml = kGood;
  yaml.replace(yaml.find("[[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]"), 48,
               "[[0.1, 0.5], [0.5, 0.5], [0.9, 0.5]]");
  EXPECT_EQ(Problems(yaml),
            "site.yaml:18: cameras[0].zones[0].polygon: polygon has zero area (all points on "
            "one line)\n");
}

TEST(Config, AnEndlessFileIsRefusedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  Diagnostics diag;
  auto cfg = LoadConfig("/dev/zero", &diag);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(diag.ToString(), "/dev/zero: file is larger than 1024 KiB; refused\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Config, DeepNestingAndAliasBombsAreRefused) {
  std::string deep = "cameras:\n  - name: a\n    source: x\n    extra: ";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  EXPECT_EQ(Problems(deep + "\n"), "site.yaml:4: nested deeper than 32 levels; refused\n");
  // Each level doubles the values reachable through aliases: 2^20 at the end.
  std::string bomb = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 20; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Problems(bomb),
            "site.yaml: more than 200000 values (an alias counts each time it is used); "
            "refused\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Config, ChangesASighupCannotApplyAreNamed) {
  Diagnostics diag;
  auto a = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(a.ok()) << diag.ToString();
  std::string yaml =
      std::string(kGood) + "server: {listen: \"0.0.0.0:9000\"}\nmqtt: {port: 1884}\n";
  auto b = ParseConfig(yaml, "site.yaml", &diag);
  ASSERT_TRUE(b.ok()) << diag.ToString();
  EXPECT_EQ(ChangesNeedingRestart(*a, *b), (std::vector<std::string>{"server.listen", "mqtt"}));
  EXPECT_TRUE(ChangesNeedingRestart(*a, *a).empty());
}

TEST(Config, LoadsTheShippedExampleConfigs) {
  for (const char* name : {"demo.yaml", "../packaging/argus.yaml"}) {
    const std::string path = std::string(ARGUS_SOURCE_DIR) + "/config/" + name;
    Diagnostics diag;
    auto cfg = LoadConfig(path, &diag);
    EXPECT_TRUE(cfg.ok()) << diag.ToString();
  }
}

constexpr const char* kServe = R"(cameras:
  - name: hall
    source: rtsp://cam1/stream
  - name: facade
    source: rtsp://cam2/stream
server:
  listen: 0.0.0.0:9090
  data_dir: /var/lib/argus
  workers: 4
mqtt:
  host: broker.local
  port: 1884
webhooks:
  urls: [https://ops.example/hook]
  min_severity: critical
alerts:
  cooldown_s: 30
  escalation:
    - {target: operator, after_s: 0}
    - target: supervisor
      after_s: 45
      webhooks: [https://pager.example/supervisor]
      mqtt_topics: [museum/pager/supervisor, museum/radio/2]
evidence:
  pre_roll_s: 3
  retention_days: {info: 7, critical: 365}
sensors:
  - name: north-window-2
    type: contact
    cameras: [facade]
  - name: roof-hatch
    type: vibration
)";

TEST(Config, ParsesTheServeSections) {
  Diagnostics diag;
  auto cfg = ParseConfig(kServe, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->server.host, "0.0.0.0");
  EXPECT_EQ(cfg->server.port, 9090);
  EXPECT_EQ(cfg->server.data_dir, "/var/lib/argus");
  EXPECT_EQ(cfg->server.workers, 4);
  EXPECT_TRUE(cfg->mqtt.enabled);
  EXPECT_EQ(cfg->mqtt.host, "broker.local");
  EXPECT_EQ(cfg->mqtt.port, 1884);
  ASSERT_EQ(cfg->webhooks.urls.size(), 1u);
  EXPECT_EQ(cfg->webhooks.min_severity, events::Severity::kCritical);
  EXPECT_EQ(cfg->alerts.cooldown_s, 30);
  ASSERT_EQ(cfg->alerts.escalation.size(), 2u);
  EXPECT_EQ(cfg->alerts.escalation[1].target, "supervisor");
  EXPECT_EQ(cfg->alerts.escalation[1].after_s, 45);
  EXPECT_EQ(cfg->alerts.escalation[1].webhooks,
            std::vector<std::string>{"https://pager.example/supervisor"});
  EXPECT_EQ(cfg->alerts.escalation[1].mqtt_topics,
            (std::vector<std::string>{"museum/pager/supervisor", "museum/radio/2"}));
  EXPECT_TRUE(cfg->alerts.escalation[0].webhooks.empty());
  EXPECT_EQ(cfg->evidence.pre_roll_s, 3);
  EXPECT_EQ(cfg->evidence.post_roll_s, kDefaultPostRollS);
  EXPECT_EQ(cfg->evidence.retention_days.at(events::Severity::kCritical), 365);
  EXPECT_EQ(cfg->evidence.retention_days.count(events::Severity::kAlert), 0u);
  ASSERT_EQ(cfg->sensors.size(), 2u);
  ASSERT_NE(cfg->FindSensor("north-window-2"), nullptr);
  EXPECT_EQ(cfg->FindSensor("north-window-2")->cameras, std::vector<std::string>{"facade"});
  EXPECT_TRUE(cfg->FindSensor("roof-hatch")->cameras.empty());
}

TEST(Config, ServeDefaultsWhenSectionsAreAbsent) {
  Diagnostics diag;
  auto cfg = ParseConfig(kGood, "site.yaml", &diag);
  ASSERT_TRUE(cfg.ok()) << diag.ToString();
  EXPECT_EQ(cfg->server.port, kDefaultListenPort);
  EXPECT_EQ(cfg->server.data_dir, kDefaultDataDir);
  EXPECT_FALSE(cfg->mqtt.enabled);
  EXPECT_TRUE(cfg->alerts.escalation.empty());
  EXPECT_TRUE(cfg->sensors.empty());
}

TEST(Config, ServeSectionProblemsNameLineAndField) {
  const std::string base = "cameras:\n  - name: hall\n    source: x.avi\n";
  EXPECT_NE(Problems(base + "server:\n  listen: nowhere\n").find("site.yaml:5: server.listen:"),
            std::string::npos);
  EXPECT_NE(Problems(base + "alerts:\n  escalation:\n    - {target: a, after_s: 60}\n"
                            "    - {target: b, after_s: 10}\n")
                .find("alerts.escalation[1].after_s: tiers must be in ascending order"),
            std::string::npos);
  EXPECT_NE(Problems(base + "sensors:\n  - name: door\n    type: contact\n    cameras: [attic]\n")
                .find("site.yaml:5: sensors[0].cameras: unknown camera 'attic'"),
            std::string::npos);
  EXPECT_NE(Problems(base + "sensors:\n  - name: door\n    type: laser\n").find("sensors[0].type"),
            std::string::npos);
  EXPECT_NE(Problems(base + "evidence:\n  retention_days: {urgent: 3}\n")
                .find("evidence.retention_days.urgent"),
            std::string::npos);
  EXPECT_NE(Problems(base + "webhooks:\n  urls: [ftp://x]\n").find("webhooks.urls"),
            std::string::npos);
  EXPECT_NE(Problems(base + "alerts:\n  escalation:\n    - {target: a, after_s: 0,\n"
                            "       webhooks: [pager.example]}\n")
                .find("alerts.escalation[0].webhooks: 'pager.example' is not an http"),
            std::string::npos);
  EXPECT_NE(Problems(base + "alerts:\n  escalation:\n    - {target: a, after_s: 0,\n"
                            "       mqtt_topics: [museum/pager]}\n")
                .find("alerts.escalation[0].mqtt_topics: needs the mqtt section"),
            std::string::npos);
  EXPECT_NE(Problems(base + "mqtt: {host: b}\nalerts:\n  escalation:\n"
                            "    - {target: a, after_s: 0, mqtt_topics: ['museum/#']}\n")
                .find("'museum/#' is not a topic to publish on"),
            std::string::npos);
  EXPECT_NE(
      Problems(base + "server:\n  tls_cert: cert.pem\n").find("server.tls_key: HTTPS needs both"),
      std::string::npos);
}

}  // namespace
}  // namespace argus::config
