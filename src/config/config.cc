#include "config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/relative_paths.h"
#include "config/yaml_limits.h"
#include "config/yaml_reader.h"

namespace argus::config {

namespace {

constexpr double kMaxDetectFps = 240;
constexpr double kMaxSeconds = 7 * 24 * 3600;
constexpr double kMinLearnHalfLifeDays = 0.01;
constexpr double kMaxLearnHalfLifeDays = 3650;
constexpr int kMaxLearnAlertsPerHour = 3600;
constexpr int kMaxLearnGridSide = 256;  // as learn::ActivityModel accepts
const std::vector<std::string> kWhen = {"always", "open", "closed"};
const std::vector<std::string> kSeverities = {"info", "warning", "alert", "critical"};
const char* const kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// "HH:MM" -> minutes after midnight; "24:00" allowed as a closing time.
bool ParseClock(const std::string& s, int* minutes) {
  int h = 0, m = 0;
  char colon = 0;
  std::istringstream in(s);
  if (!(in >> h >> colon >> m) || colon != ':' || !in.eof()) return false;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return false;
  *minutes = h * 60 + m;
  return true;
}

void ParseOpenHours(const YAML::Node& list, const std::string& path, const std::string& file,
                    Diagnostics* diag, std::vector<OpenHours>* out) {
  if (!list.IsSequence()) {
    diag->Add(file, LineOf(list), path, "must be a list of {days, open, close}");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader r(list[i], Index(path, i), file, diag);
    if (!r.valid()) continue;
    OpenHours oh;
    std::vector<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    r.GetStringList("days", &days);
    for (const std::string& d : days) {
      bool found = false;
      for (int k = 0; k < 7; ++k) {
        if (d == kDayNames[k]) oh.days[k] = found = true;
      }
      if (!found)
        r.Error("days", "unknown day '" + d + "' (use mon, tue, wed, thu, fri, sat, sun)");
    }
    std::string open, close;
    if (r.GetString("open", &open, true) && !ParseClock(open, &oh.open_minute)) {
      r.Error("open", "must be a time HH:MM, found '" + open + "'");
    }
    if (r.GetString("close", &close, true) && !ParseClock(close, &oh.close_minute)) {
      r.Error("close", "must be a time HH:MM, found '" + close + "'");
    }
    out->push_back(oh);
  }
}

void ParseSite(const YAML::Node& node, const std::string& file, Diagnostics* diag,
               SiteConfig* site) {
  MapReader r(node, "site", file, diag);
  if (!r.valid()) return;
  r.GetString("name", &site->name);
  if (r.GetString("timezone", &site->timezone)) {
    // tzdata names are file names under /usr/share/zoneinfo.
    std::ifstream tz("/usr/share/zoneinfo/" + site->timezone);
    if (site->timezone.find("..") != std::string::npos || !tz) {
      r.Error("timezone", "unknown time zone '" + site->timezone + "' (e.g. Europe/Paris)");
    }
  }
  YAML::Node hours = r.Child("open_hours");
  if (hours.IsDefined() && !hours.IsNull()) {
    ParseOpenHours(hours, r.FieldPath("open_hours"), file, diag, &site->open_hours);
  }
}

void ParseDetector(MapReader& r, DetectorSettings* d) {
  r.GetString("kind", &d->spec);
  r.GetDouble("score_threshold", &d->score_threshold, 0, 1);
  r.GetStringList("classes", &d->classes);
  bool crops = true;
  if (r.GetBool("crops", &crops)) d->crops = crops;
  int coast = 0;
  if (r.GetInt("coast_frames", &coast, 0, kMaxCoastFrames)) d->coast_frames = coast;
}

void ParseTracker(MapReader& r, TrackerSettings* t) {
  double max_age = 0;
  if (r.GetDouble("max_age_s", &max_age, 0.01, 600)) t->max_age_s = max_age;
  int min_hits = 0;
  if (r.GetInt("min_hits", &min_hits, 1, 100)) t->min_hits = min_hits;
  r.GetBool("camera_motion", &t->camera_motion);
  bool relink = false;
  if (r.GetBool("relink", &relink)) t->relink = relink;
}

void ParseServer(MapReader& r, ServerSettings* s) {
  std::string listen;
  if (r.GetString("listen", &listen)) {
    // host:port; the host may be empty (all interfaces) or an IPv6 [addr].
    const size_t colon = listen.rfind(':');
    int port = -1;
    try {
      if (colon != std::string::npos) port = std::stoi(listen.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (port < 0 || port > 65535) {
      r.Error("listen", "must be host:port with a port 0..65535, found '" + listen + "'");
    } else {
      s->host = listen.substr(0, colon);
      if (s->host.empty()) s->host = "0.0.0.0";
      if (s->host.size() > 2 && s->host.front() == '[' && s->host.back() == ']') {
        s->host = s->host.substr(1, s->host.size() - 2);
      }
      s->port = port;
    }
  }
  r.GetString("data_dir", &s->data_dir);
  r.GetString("postgres", &s->postgres);
  r.GetInt("workers", &s->workers, 0, 1024);
  r.GetInt("queue_frames", &s->queue_frames, 1, 100);
  r.GetString("static_dir", &s->static_dir);
  r.GetString("site_model", &s->site_model);
  r.GetBool("secure_cookies", &s->secure_cookies);
  r.GetString("tls_cert", &s->tls_cert);
  r.GetString("tls_key", &s->tls_key);
  if (s->tls_cert.empty() != s->tls_key.empty()) {
    r.Error(s->tls_cert.empty() ? "tls_cert" : "tls_key",  // the missing one
            "HTTPS needs both tls_cert and tls_key (PEM files)");
  }
  r.GetDouble("session_idle_s", &s->session_idle_s, 60, 7 * 24 * 3600.0);
  r.GetDouble("session_max_s", &s->session_max_s, 60, 30 * 24 * 3600.0);
}

void ParseCluster(MapReader& r, ClusterSettings* c) {
  r.GetString("node_id", &c->node_id);
  r.GetString("address", &c->address);
  r.GetDouble("lease_s", &c->lease_s, 1, 3600);
  r.GetDouble("renew_s", &c->renew_s, 0.1, 1800);
  r.GetString("config_version", &c->config_version);
  if (c->renew_s > c->lease_s / 2) {
    r.Error("renew_s", "must be at most half of lease_s (" + std::to_string(c->lease_s) +
                           "), so that a lease is renewed twice before it runs out");
  }
}

void ParseMqtt(MapReader& r, MqttSettings* m) {
  m->enabled = true;
  r.GetBool("enabled", &m->enabled);
  r.GetString("host", &m->host);
  r.GetInt("port", &m->port, 1, 65535);
  r.GetString("client_id", &m->client_id);
  r.GetString("username", &m->username);
  r.GetString("password", &m->password);
  r.GetBool("sensors", &m->sensors);
  r.GetBool("home_assistant", &m->home_assistant);
  if (r.GetString("discovery_prefix", &m->discovery_prefix) && m->discovery_prefix.empty()) {
    r.Error("discovery_prefix", "must not be empty");
  }
}

void ParseWebhooks(MapReader& r, WebhookSettings* w) {
  r.GetStringList("urls", &w->urls);
  for (const std::string& u : w->urls) {
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) {
      r.Error("urls", "'" + u + "' must start with http:// or https://");
    }
  }
  r.GetString("secret", &w->secret);
  std::string sev;
  if (r.GetEnum("min_severity", &sev, kSeverities)) events::ParseSeverity(sev, &w->min_severity);
}

void ParseAlerts(MapReader& r, const std::string& file, Diagnostics* diag, bool mqtt_enabled,
                 AlertSettings* a) {
  r.GetDouble("cooldown_s", &a->cooldown_s, 0, kMaxSeconds);
  YAML::Node tiers = r.Child("escalation");
  const std::string path = r.FieldPath("escalation");
  if (!tiers.IsDefined() || tiers.IsNull()) return;
  if (!tiers.IsSequence()) {
    diag->Add(file, LineOf(tiers), path, "must be a list of {target, after_s}");
    return;
  }
  double previous = 0;
  for (size_t i = 0; i < tiers.size(); ++i) {
    MapReader t(tiers[i], Index(path, i), file, diag);
    if (!t.valid()) continue;
    EscalationTierConfig tier;
    t.GetString("target", &tier.target, true);
    if (t.GetDouble("after_s", &tier.after_s, 0, kMaxSeconds, true) && tier.after_s < previous) {
      t.Error("after_s", "tiers must be in ascending order of after_s");
    }
    previous = std::max(previous, tier.after_s);
    t.GetStringList("webhooks", &tier.webhooks);
    for (const std::string& url : tier.webhooks) {
      if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        t.Error("webhooks", "'" + url + "' is not an http:// or https:// URL");
    }
    if (t.GetStringList("mqtt_topics", &tier.mqtt_topics) && !mqtt_enabled)
      t.Error("mqtt_topics", "needs the mqtt section (the broker to publish on)");
    for (const std::string& topic : tier.mqtt_topics) {
      if (topic.empty() || topic.find_first_of("+#") != std::string::npos)
        t.Error("mqtt_topics", "'" + topic + "' is not a topic to publish on (empty, + or #)");
    }
    a->escalation.push_back(tier);
  }
}

void ParseEvidence(MapReader& r, EvidenceSettings* e) {
  r.GetBool("enabled", &e->enabled);
  r.GetDouble("pre_roll_s", &e->pre_roll_s, 0, 60);
  r.GetDouble("post_roll_s", &e->post_roll_s, 0, 600);
  r.GetDouble("min_free_mb", &e->min_free_mb, 0, 1e9);
  YAML::Node days = r.Child("retention_days");
  if (!days.IsDefined() || days.IsNull()) return;
  MapReader d(days, r.FieldPath("retention_days"), r.file(), r.diagnostics());
  if (!d.valid()) return;
  for (const std::string& name : kSeverities) {
    int n = 0;
    events::Severity sev;
    if (d.GetInt(name.c_str(), &n, 1, 36500) && events::ParseSeverity(name, &sev)) {
      e->retention_days[sev] = n;
    }
  }
}

void ParseSensor(const YAML::Node& node, const std::string& path, const std::string& file,
                 Diagnostics* diag, SensorConfig* s) {
  MapReader r(node, path, file, diag);
  if (!r.valid()) return;
  s->path = path;
  s->where = {file, LineOf(node)};
  r.GetName("name", &s->name);
  r.GetEnum("type", &s->type, {"contact", "vibration", "glass_break", "tamper"}, true);
  r.GetStringList("cameras", &s->cameras);
  std::string sev;
  if (r.GetEnum("severity", &sev, kSeverities)) events::ParseSeverity(sev, &s->severity);
}

void ParseRule(const YAML::Node& node, const std::string& path, const std::string& file,
               Diagnostics* diag, RuleConfig* rule) {
  MapReader r(node, path, file, diag);
  if (!r.valid()) return;
  rule->node = node;
  rule->path = path;
  rule->where = {file, LineOf(node)};
  r.GetName("name", &rule->name);
  r.GetString("kind", &rule->kind, true);
  r.GetEnum("when", &rule->when, kWhen);
  std::string severity;
  if (r.GetEnum("severity", &severity, kSeverities)) {
    events::ParseSeverity(severity, &rule->severity);
  }
  r.GetDouble("cooldown_s", &rule->cooldown_s, 0, kMaxSeconds);
  r.GetStringList("labels", &rule->labels);
  // Kind-specific keys are checked by the rules module.
  r.SkipUnknownCheck();
}

template <typename T, typename F>
void ParseList(const YAML::Node& list, const std::string& path, const std::string& file,
               Diagnostics* diag, std::vector<T>* out, F parse_one) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    diag->Add(file, LineOf(list), path, "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    T item;
    parse_one(list[i], Index(path, i), &item);
    out->push_back(std::move(item));
  }
}

// Names must be unique within a list; they are how rules and events refer to things.
template <typename T>
void CheckUniqueNames(const std::vector<T>& items, const std::string& what, Diagnostics* diag) {
  std::set<std::string> seen;
  for (const T& it : items) {
    if (!it.name.empty() && !seen.insert(it.name).second) {
      diag->Add(it.where.file, it.where.line, it.path.empty() ? what : it.path + ".name",
                "duplicate " + what + " name '" + it.name + "'");
    }
  }
}

void ParseCamera(const YAML::Node& node, const std::string& path, const std::string& file,
                 Diagnostics* diag, CameraConfig* cam) {
  MapReader r(node, path, file, diag);
  if (!r.valid()) return;
  cam->path = path;
  cam->where = {file, LineOf(node)};
  r.GetName("name", &cam->name);
  r.GetString("source", &cam->source, true);
  r.GetEnum("rtsp_transport", &cam->rtsp_transport, {"tcp", "udp"});
  r.GetString("node", &cam->node);
  r.GetDouble("detect_fps", &cam->detect_fps, 0, kMaxDetectFps);
  std::string det;
  if (r.GetString("detector", &det)) cam->detector = det;
  r.GetInt("zone_inertia_frames", &cam->zone_inertia_frames, 1, 1000);

  ParseList(r.Child("privacy_masks"), r.FieldPath("privacy_masks"), file, diag, &cam->privacy_masks,
            [&](const YAML::Node& n, const std::string& p, core::Polygon* m) {
              ParsePolygon(n, p, file, true, diag, m);
            });

  YAML::Node calib = r.Child("calibration");
  if (calib.IsDefined() && !calib.IsNull()) {
    MapReader c(calib, r.FieldPath("calibration"), file, diag);
    Calibration cal;
    bool ok = c.valid();
    for (const char* key : {"image", "ground"}) {
      YAML::Node pts = c.Child(key);
      const bool relative = std::string(key) == "image";
      if (!pts.IsSequence() || pts.size() != 4) {
        c.Error(key, "must be a list of exactly 4 points");
        ok = false;
        continue;
      }
      for (size_t i = 0; i < 4; ++i) {
        auto& dst = relative ? cal.image[i] : cal.ground[i];
        ok = ParsePoint(pts[i], Index(c.FieldPath(key), i), file, relative, diag, &dst) && ok;
      }
    }
    if (ok) cam->calibration = cal;
  }

  ParseList(r.Child("zones"), r.FieldPath("zones"), file, diag, &cam->zones,
            [&](const YAML::Node& n, const std::string& p, Zone* z) {
              MapReader zr(n, p, file, diag);
              if (!zr.valid()) return;
              z->path = p;
              z->where = {file, LineOf(n)};
              zr.GetName("name", &z->name);
              zr.GetPolygon("polygon", &z->polygon, true, true);
            });
  ParseList(r.Child("lines"), r.FieldPath("lines"), file, diag, &cam->lines,
            [&](const YAML::Node& n, const std::string& p, Line* l) {
              MapReader lr(n, p, file, diag);
              if (!lr.valid()) return;
              l->path = p;
              l->where = {file, LineOf(n)};
              lr.GetName("name", &l->name);
              const bool ok =
                  lr.GetPoint("a", &l->a, true, true) & lr.GetPoint("b", &l->b, true, true);
              if (ok && core::Distance(l->a, l->b) == 0) lr.Error("b", "line end points coincide");
            });
  YAML::Node learn = r.Child("learn");
  if (learn.IsDefined() && !learn.IsNull()) {
    MapReader l(learn, r.FieldPath("learn"), file, diag);
    if (l.valid()) {
      LearnConfig& c = cam->learn;
      c.enabled = true;
      l.GetBool("enabled", &c.enabled);
      l.GetDouble("half_life_days", &c.half_life_days, kMinLearnHalfLifeDays,
                  kMaxLearnHalfLifeDays);
      l.GetDouble("threshold", &c.threshold, 0, 1);
      l.GetInt("max_alerts_per_hour", &c.max_alerts_per_hour, 0, kMaxLearnAlertsPerHour);
      YAML::Node grid = l.Child("grid");
      if (grid.IsDefined()) {
        if (!grid.IsSequence() || grid.size() != 2) {
          l.Error("grid", "must be [columns, rows]");
        } else {
          try {
            c.grid_cols = grid[0].as<int>();
            c.grid_rows = grid[1].as<int>();
          } catch (const YAML::Exception&) {
            c.grid_cols = c.grid_rows = 0;
          }
          if (c.grid_cols < 1 || c.grid_rows < 1 || c.grid_cols > kMaxLearnGridSide ||
              c.grid_rows > kMaxLearnGridSide) {
            l.Error("grid", "columns and rows must be whole numbers in 1.." +
                                std::to_string(kMaxLearnGridSide));
            c.grid_cols = kDefaultLearnGridCols;
            c.grid_rows = kDefaultLearnGridRows;
          }
        }
      }
      l.GetDouble("min_cell_tracks", &c.min_cell_tracks, 1, 1e6);
      l.GetDouble("min_camera_tracks", &c.min_camera_tracks, 1, 1e9);
    }
  }
  ParseList(r.Child("rules"), r.FieldPath("rules"), file, diag, &cam->rules,
            [&](const YAML::Node& n, const std::string& p, RuleConfig* rule) {
              ParseRule(n, p, file, diag, rule);
            });
  CheckUniqueNames(cam->zones, "zone", diag);
  CheckUniqueNames(cam->lines, "line", diag);
  CheckUniqueNames(cam->rules, "rule", diag);
}

}  // namespace

const Zone* CameraConfig::FindZone(const std::string& n) const {
  for (const Zone& z : zones) {
    if (z.name == n) return &z;
  }
  return nullptr;
}

const Line* CameraConfig::FindLine(const std::string& n) const {
  for (const Line& l : lines) {
    if (l.name == n) return &l;
  }
  return nullptr;
}

const CameraConfig* Config::FindCamera(const std::string& n) const {
  for (const CameraConfig& c : cameras) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

const SensorConfig* Config::FindSensor(const std::string& n) const {
  for (const SensorConfig& s : sensors) {
    if (s.name == n) return &s;
  }
  return nullptr;
}

namespace {

Config Parse(const std::string& yaml, const std::string& file, Diagnostics* diag) {
  Config cfg;
  cfg.file = file;
  YAML::Node root;
  YamlProblem problem;
  if (!LoadYamlBounded(yaml, &root, &problem)) {
    diag->Add(file, problem.line, "", problem.message);
    return cfg;
  }
  {
    MapReader r(root, "", file, diag);
    if (r.valid()) {
      YAML::Node site = r.Child("site");
      if (site.IsDefined()) ParseSite(site, file, diag, &cfg.site);
      YAML::Node det = r.Child("detector");
      if (det.IsDefined()) {
        MapReader dr(det, "detector", file, diag);
        if (dr.valid()) ParseDetector(dr, &cfg.detector);
      }
      YAML::Node trk = r.Child("tracker");
      if (trk.IsDefined()) {
        MapReader tr(trk, "tracker", file, diag);
        if (tr.valid()) ParseTracker(tr, &cfg.tracker);
      }
      YAML::Node cams = r.Child("cameras");
      if (!cams.IsDefined() || cams.IsNull() || (cams.IsSequence() && cams.size() == 0)) {
        r.Error("cameras", "at least one camera is required");
      } else {
        ParseList(cams, "cameras", file, diag, &cfg.cameras,
                  [&](const YAML::Node& n, const std::string& p, CameraConfig* c) {
                    ParseCamera(n, p, file, diag, c);
                  });
        CheckUniqueNames(cfg.cameras, "camera", diag);
        std::string shared;
        for (const char* key : {"site", "detector", "tracker"}) {
          if (root[key]) shared += YAML::Dump(root[key]) + "\n";
        }
        for (size_t i = 0; i < cfg.cameras.size() && i < cams.size(); ++i) {
          cfg.cameras[i].fingerprint = YAML::Dump(cams[i]) + "\n" + shared;
        }
      }
      // Sections of `argus serve`: each is a mapping read by its own parser.
      auto section = [&](const char* key, auto parse) {
        YAML::Node n = r.Child(key);
        if (!n.IsDefined() || n.IsNull()) return;
        MapReader sr(n, key, file, diag);
        if (sr.valid()) parse(sr);
      };
      section("server", [&](MapReader& sr) { ParseServer(sr, &cfg.server); });
      section("cluster", [&](MapReader& sr) { ParseCluster(sr, &cfg.cluster); });
      section("mqtt", [&](MapReader& sr) { ParseMqtt(sr, &cfg.mqtt); });
      section("webhooks", [&](MapReader& sr) { ParseWebhooks(sr, &cfg.webhooks); });
      section("alerts", [&](MapReader& sr) {
        ParseAlerts(sr, file, diag, cfg.mqtt.enabled, &cfg.alerts);  // after mqtt
      });
      section("evidence", [&](MapReader& sr) { ParseEvidence(sr, &cfg.evidence); });
      ParseList(r.Child("sensors"), "sensors", file, diag, &cfg.sensors,
                [&](const YAML::Node& n, const std::string& p, SensorConfig* s) {
                  ParseSensor(n, p, file, diag, s);
                });
      CheckUniqueNames(cfg.sensors, "sensor", diag);
      cfg.identity = IdentityOf(root, cfg.cluster.config_version);
      for (const SensorConfig& s : cfg.sensors) {
        for (const std::string& cam : s.cameras) {
          if (!cfg.FindCamera(cam)) {
            diag->Add(s.where.file, s.where.line, s.path + ".cameras",
                      "unknown camera '" + cam + "'");
          }
        }
      }
    }
  }
  return cfg;
}

core::Result<Config> Checked(Config cfg, size_t problems_before, Diagnostics* diag) {
  if (diag->items().size() > problems_before) {
    return core::InvalidArgument(diag->items()[problems_before].ToString());
  }
  return cfg;
}

}  // namespace

core::Result<Config> ParseConfig(const std::string& yaml, const std::string& file,
                                 Diagnostics* diag) {
  const size_t before = diag->items().size();
  return Checked(Parse(yaml, file, diag), before, diag);
}

Config LoadConfigPartially(const std::string& path, Diagnostics* diag) {
  std::string text;
  YamlProblem problem;
  if (!ReadYamlFile(path, &text, &problem)) {
    diag->Add(path, problem.line, "", problem.message);
    Config cfg;
    cfg.file = path;
    return cfg;
  }
  Config cfg = Parse(text, path, diag);
  ResolveRelativePaths(std::filesystem::path(path).parent_path(), &cfg);
  return cfg;
}

std::vector<std::string> ChangesNeedingRestart(const Config& running, const Config& loaded) {
  std::vector<std::string> out;
  const ServerSettings &a = running.server, &b = loaded.server;
  auto diff = [&out](bool changed, const char* key) {
    if (changed) out.push_back(key);
  };
  diff(a.host != b.host || a.port != b.port, "server.listen");
  diff(a.data_dir != b.data_dir, "server.data_dir");
  diff(a.postgres != b.postgres, "server.postgres");
  diff(a.workers != b.workers, "server.workers");
  diff(a.queue_frames != b.queue_frames, "server.queue_frames");
  diff(a.static_dir != b.static_dir, "server.static_dir");
  diff(a.site_model != b.site_model, "server.site_model");
  diff(a.secure_cookies != b.secure_cookies, "server.secure_cookies");
  diff(a.tls_cert != b.tls_cert || a.tls_key != b.tls_key, "server.tls_cert/tls_key");
  diff(a.session_idle_s != b.session_idle_s || a.session_max_s != b.session_max_s,
       "server.session_idle_s/session_max_s");
  diff(running.cluster.node_id != loaded.cluster.node_id ||
           running.cluster.address != loaded.cluster.address ||
           running.cluster.lease_s != loaded.cluster.lease_s ||
           running.cluster.renew_s != loaded.cluster.renew_s,
       "cluster");
  const MqttSettings &m = running.mqtt, &n = loaded.mqtt;
  diff(m.enabled != n.enabled || m.host != n.host || m.port != n.port ||
           m.client_id != n.client_id || m.username != n.username || m.password != n.password ||
           m.sensors != n.sensors,
       "mqtt");
  // The alert policy and the tiers' routes are set up at start.
  diff(running.alerts.escalation != loaded.alerts.escalation, "alerts.escalation");
  return out;
}

core::Result<Config> LoadConfig(const std::string& path, Diagnostics* diag) {
  const size_t before = diag->items().size();
  return Checked(LoadConfigPartially(path, diag), before, diag);
}

}  // namespace argus::config
