#include "app/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "api/frame_hub.h"
#include "api/http_server.h"
#include "app/alert_service.h"
#include "app/camera_fleet.h"
#include "app/cluster_node.h"
#include "app/command.h"
#include "app/config_sync.h"
#include "app/delivery.h"
#include "app/event_loop.h"
#include "app/evidence_service.h"
#include "app/follow_service.h"
#include "app/node_watch.h"
#include "app/retention_job.h"
#include "app/serve_backend.h"
#include "app/site_fanout.h"
#include "app/site_view.h"
#include "app/systemd_notify.h"
#include "app/zone_history.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "notify/sensor_subscriber.h"
#include "rules/rule_engine.h"
#include "site/coverage.h"
#include "site/report.h"
#include "site/site_config.h"
#include "store/open_store.h"

namespace argus::app {

namespace {

constexpr int kHttpThreadsBesideStreams = 8;

std::vector<std::string> CameraNames(const config::Config& cfg) {
  std::vector<std::string> out;
  for (const config::CameraConfig& c : cfg.cameras) out.push_back(c.name);
  return out;
}

core::Result<config::Config> LoadServeConfig(const ServeOptions& o) {
  config::Diagnostics diag;
  auto cfg = config::LoadConfig(o.config_path, &diag);
  if (cfg.ok()) {
    // Rule settings are checked now, not when the first camera starts.
    (void)rules::ValidateRules(*cfg, &diag);  // every problem is in diag
    if (!diag.ok()) cfg = core::InvalidArgument(diag.items().front().ToString());
  }
  if (!cfg.ok()) {
    std::cerr << diag.ToString();
    return cfg.status();
  }
  if (o.port >= 0) cfg->server.port = o.port;
  if (!o.data_dir.empty()) cfg->server.data_dir = o.data_dir;
  if (!o.node_address.empty()) cfg->cluster.address = o.node_address;
  // Every node of a site reads one config, and a broker lets one client per id connect
  // (each node connecting would throw the last one off): each node's id gets its name.
  if (!cfg->server.postgres.empty() && !cfg->mqtt.client_id.empty()) {
    cfg->mqtt.client_id += "-" + NodeOptionsOf(*cfg, o.node_id).id;
  }
  return cfg;
}

// The site model's parts the daemon uses: the dashboard's map (nullopt without a site
// model) and which cameras are adjacent (for following people).
struct SiteParts {
  std::optional<nlohmann::json> map;
  std::vector<learn::Adjacency> adjacency;
};

core::Result<SiteParts> LoadSiteParts(const std::string& site_model) {
  if (site_model.empty()) return SiteParts{};
  auto site = site::LoadSiteFile(site_model);
  if (!site.ok()) return site.status();
  auto report = site::AnalyzeCoverage(*site, site->analysis);
  if (!report.ok()) return report.status();
  // The map before `site` goes: the report uses it.
  return SiteParts{site::SiteMapJson(*report), FollowAdjacency(*site)};
}

}  // namespace

// The daemon's parts, each owning its state (see their headers for threads and locks).
// Everything here belongs to the owning thread (Create/Start/Stop/Reload).
struct Daemon::Impl {
  Impl(const ServeOptions& o, core::Clock& c) : options(o), clock(c) {}
  // A loaded config, applied to the running parts (ConfigSync::Apply).
  ConfigSync::Applied Apply(config::Config loaded);

  ServeOptions options;
  core::Clock& clock;
  config::Config config;
  std::atomic<uint64_t> store_errors{0};  // every part's failed store writes
  std::unique_ptr<store::Store> db;
  std::unique_ptr<auth::Authenticator> authn;
  std::unique_ptr<FirstAdmin> first_admin;
  std::string one_time_password;
  api::FrameHub frames{clock};
  Delivery delivery{clock};
  std::unique_ptr<EvidenceService> evidence;
  std::unique_ptr<AlertService> alerts;
  std::unique_ptr<ZoneHistory> zones;
  std::unique_ptr<RetentionJob> retention;
  std::unique_ptr<FollowService> follow;
  std::unique_ptr<CameraFleet> fleet;
  std::unique_ptr<ClusterNode> cluster;     // on PostgreSQL: which cameras this node runs
  std::unique_ptr<SiteView> site;           // on PostgreSQL: the cameras and nodes of the site
  std::unique_ptr<SiteFanout> fanout;       // on PostgreSQL: live news of the other nodes
  std::unique_ptr<NodeWatch> node_watch;    // on PostgreSQL: a node lost is an alert
  std::unique_ptr<ConfigSync> config_sync;  // reloads; on PostgreSQL, the site's one config
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<ServeBackend> backend;
  std::unique_ptr<notify::SensorSubscriber> sensor_sub;
  std::unique_ptr<api::HttpServer> http;
  bool stopped = false;
};

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() { Stop(); }

core::Result<std::unique_ptr<Daemon>> Daemon::Create(const ServeOptions& options,
                                                     core::Clock& clock) {
  auto cfg = LoadServeConfig(options);
  if (!cfg.ok()) return cfg.status();
  auto impl = std::make_unique<Impl>(options, clock);
  Impl& d = *impl;
  d.config = std::move(cfg).value();
  const config::Config& c = d.config;
  const std::string evidence_root =
      (std::filesystem::path(c.server.data_dir) / "evidence").string();

  auto db = store::OpenStore(c.server.data_dir, c.server.postgres);
  if (!db.ok()) return db.status();
  d.db = std::move(db).value();
  auth::AuthOptions ao;
  ao.session_idle_s = c.server.session_idle_s;
  ao.session_max_s = c.server.session_max_s;
  d.authn = std::make_unique<auth::Authenticator>(*d.db, clock, ao);
  d.first_admin = std::make_unique<FirstAdmin>(*d.db, c.server.data_dir);
  auto otp = d.first_admin->Ensure(*d.authn);
  if (!otp.ok()) return otp.status();
  d.one_time_password = otp->value_or("");
  auto site_parts = LoadSiteParts(c.server.site_model);
  if (!site_parts.ok()) return site_parts.status();

  d.evidence = std::make_unique<EvidenceService>(
      evidence_root, clock,
      static_cast<uint64_t>(c.evidence.min_free_mb * 1024 * 1024) + record::kStoreReserveBytes,
      d.delivery);
  d.evidence->SetSettings(c.evidence.enabled, c.evidence.post_roll_s);
  auto alerts = AlertService::Create(c, *d.db, d.delivery, clock, evidence_root, d.store_errors);
  if (!alerts.ok()) return alerts.status();
  d.alerts = std::move(alerts).value();
  d.zones = std::make_unique<ZoneHistory>(*d.db, clock, d.store_errors);
  d.retention = std::make_unique<RetentionJob>(*d.db, evidence_root, clock,
                                               c.evidence.retention_days, d.store_errors);
  d.follow = std::make_unique<FollowService>(site_parts->adjacency, clock);
  // Cameras post to the loop, which is made next and started before any camera.
  d.fleet = std::make_unique<CameraFleet>(clock, *d.db, d.frames, *d.evidence, *d.follow,
                                          [&d](LoopMessage m) { d.loop->Post(std::move(m)); });
  if (!c.server.postgres.empty()) {
    const cluster::NodeOptions node = NodeOptionsOf(c, options.node_id);
    store::SiteStore* records = store::SiteStoreOf(*d.db);
    d.site =
        std::make_unique<SiteView>(*d.db, clock, node.id, node.lease_s, CameraNames(c), records);
    d.cluster =
        std::make_unique<ClusterNode>(*d.db, clock, node, c, *d.fleet, *d.alerts, c.server.postgres,
                                      [&d](double timeout_s) { return d.loop->Drain(timeout_s); });
    d.fanout = std::make_unique<SiteFanout>(*d.db, d.delivery.live(), node.id, c.server.postgres);
    d.delivery.SetFanout(d.fanout.get());
    if (records) {
      d.node_watch =
          std::make_unique<NodeWatch>(*d.db, *records, clock, node.id, node.lease_s, node.renew_s,
                                      [&d](const std::string& change, const events::Alert& a) {
                                        d.delivery.PublishAlert(change, a, std::nullopt);
                                      });
    }
  }
  d.config_sync = std::make_unique<ConfigSync>(
      *d.db, clock, c, d.cluster.get(), d.cluster ? d.cluster->id() : "", c.cluster.lease_s,
      [&d] { return LoadServeConfig(d.options); },
      [&d](config::Config cfg) { return d.Apply(std::move(cfg)); });
  d.loop = std::make_unique<EventLoop>(
      EventLoop::Parts{*d.db, *d.alerts, *d.evidence, d.delivery, *d.zones, *d.retention, *d.fleet,
                       d.store_errors, options.loop_heartbeat,
                       d.cluster ? d.cluster->fence() : nullptr},
      clock, c.sensors);
  d.backend = std::make_unique<ServeBackend>(ServeBackend::Parts{
      *d.db, *d.fleet, *d.alerts, *d.evidence, *d.retention, d.delivery, *d.loop, d.store_errors,
      std::move(site_parts->map), *d.first_admin, *d.follow, d.site.get(), d.config_sync.get()});
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

core::Status Daemon::Start() {
  Impl& d = *impl_;
  const config::Config& c = d.config;
  d.loop->Start();
  if (d.fanout) d.fanout->Start();
  if (d.node_watch) d.node_watch->Start();
  if (core::Status st = d.delivery.Start(c, d.alerts->Active()); !st.ok()) return st;
  // Incidents a kill -9 left without their alert, before anything new arrives. With several
  // nodes each camera's new owner does it as it takes the camera (AlertService::Adopt).
  if (!d.cluster) {
    if (auto r = d.alerts->RecoverIncidents(""); !r.ok()) {
      spdlog::error("start-up: incidents without an alert not recovered: {}", r.status().message());
    }
  }
  if (c.mqtt.enabled && c.mqtt.sensors) {
    notify::MqttOptions so = MqttOptionsOf(c.mqtt);
    if (!so.client_id.empty()) so.client_id += "-sensors";
    d.sensor_sub = std::make_unique<notify::SensorSubscriber>(
        so, [&d](const notify::SensorReading& r) { d.loop->Post(SensorTrip{r}); }, d.clock);
    if (core::Status st = d.sensor_sub->Start(); !st.ok()) return st;
  }
  if (d.cluster) {
    config::Config none = c;  // the lease keeper says which cameras are ours
    none.cameras.clear();
    if (core::Status st = d.fleet->Start(none); !st.ok()) return st;
    d.config_sync->Start();  // before the first lease: is this the site's config?
    d.cluster->Start();
  } else if (core::Status st = d.fleet->Start(c); !st.ok()) {
    return st;
  }
  api::ServerOptions ho;
  ho.host = c.server.host;
  ho.port = c.server.port;
  ho.static_dir = c.server.static_dir;
  // Each open SSE or MJPEG stream holds an HTTP thread: room for a camera wall showing
  // every camera, and the API beside it.
  ho.threads = std::max(api::kDefaultHttpThreads,
                        static_cast<int>(c.cameras.size()) + kHttpThreadsBesideStreams);
  ho.secure_cookies = c.server.secure_cookies;
  ho.tls_cert = c.server.tls_cert;
  ho.tls_key = c.server.tls_key;
  d.http = std::make_unique<api::HttpServer>(ho, *d.backend, *d.authn, d.delivery.live(), d.frames,
                                             d.clock);
  if (core::Status st = d.http->Start(); !st.ok()) return st;
  d.config_sync->Watch();
  spdlog::info("argus serve: {} cameras, {} analysis threads, {}://{}:{}", c.cameras.size(),
               d.fleet->threads(), c.server.tls_cert.empty() ? "http" : "https", c.server.host,
               d.http->port());
  return core::Status::Ok();
}

void Daemon::Stop() {
  Impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  // Cameras first (their last incidents close), then the event loop drains, then
  // delivery flushes; HTTP goes last so status stays visible meanwhile.
  if (d.node_watch) d.node_watch->Stop();
  d.config_sync->Stop();
  if (d.cluster) d.cluster->Stop();
  d.fleet->Stop();
  d.loop->Stop();
  if (d.cluster) d.cluster->Release();  // the other nodes take the cameras over at once
  if (d.sensor_sub) d.sensor_sub->Stop();
  d.delivery.Stop(kShutdownFlushS);
  if (d.fanout) d.fanout->Stop();
  if (d.http) d.http->Stop();
}

core::Status Daemon::Reload() { return impl_->config_sync->Reload({"signal", "", ""}).status; }

ConfigSync::Applied Daemon::Impl::Apply(config::Config loaded) {
  Impl& d = *this;
  std::optional<config::Config> cfg(std::move(loaded));
  const CameraFleet::ReloadResult cameras =
      d.cluster ? d.cluster->Reload(*cfg) : d.fleet->Reload(*cfg);
  if (d.site) d.site->SetCameras(CameraNames(*cfg));
  const std::vector<std::string> restart = config::ChangesNeedingRestart(d.config, *cfg);
  for (const std::string& key : restart) {
    spdlog::warn("reload: {} changed; it takes effect only after a restart", key);
  }
  const config::ServerSettings server = d.config.server;
  const config::MqttSettings mqtt = d.config.mqtt;
  d.config = std::move(cfg).value();
  d.config.server = server;  // the listener and store stay as started
  d.config.mqtt = mqtt;      // and so does the broker connection
  const config::Config& c = d.config;
  d.evidence->SetSettings(c.evidence.enabled, c.evidence.post_roll_s);
  d.retention->SetDays(c.evidence.retention_days);
  d.loop->SetSensors(c.sensors);
  d.delivery.Reconfigure(c);
  spdlog::info("reload: {} cameras restarted or started, {} stopped or restarted", cameras.started,
               cameras.stopped);
  return {cameras.status, cameras.started, cameras.stopped, restart};
}

int Daemon::http_port() const { return impl_->http ? impl_->http->port() : 0; }
api::Backend& Daemon::backend() { return *impl_->backend; }
const std::string& Daemon::one_time_password() const { return impl_->one_time_password; }

// --- the command -----------------------------------------------------------------

int RunServe(const ServeOptions& cli_options) {
  SystemdNotifier systemd(core::SystemClock::Instance());
  ServeOptions options = cli_options;
  options.loop_heartbeat = [&systemd] { systemd.WatchdogTick(); };
  // Signals are taken synchronously by this thread, so handlers never run
  // inside library code; every other thread inherits the block.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto daemon = Daemon::Create(options, core::SystemClock::Instance());
  if (!daemon.ok()) {
    return FailWith("argus serve", daemon.status());
  }
  if (core::Status st = (*daemon)->Start(); !st.ok()) {
    std::cerr << "argus serve: " << st.message() << "\n";
    (*daemon)->Stop();
    return st.code() == core::StatusCode::kInvalidArgument ? kExitBadInput : kExitRuntime;
  }
  // Tests and scripts read the port from here (useful with --port 0).
  std::cout << "listening on port " << (*daemon)->http_port() << std::endl;
  if (const std::string& otp = (*daemon)->one_time_password(); !otp.empty()) {
    std::cout << "first start: created the user '" << kFirstAdminName
              << "' (admin). Log in at http://localhost:" << (*daemon)->http_port()
              << "/ with the one-time password\n\n    " << otp
              << "\n\nIt is shown only this once; the dashboard asks for a new one at once."
              << std::endl;
  }
  systemd.Ready("serving on port " + std::to_string((*daemon)->http_port()));
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", options.config_path);
      systemd.Reloading();
      (void)(*daemon)->Reload();
      systemd.Ready("serving on port " + std::to_string((*daemon)->http_port()));
      continue;
    }
    spdlog::info("{}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  systemd.Stopping();
  (*daemon)->Stop();
  std::cout << "stopped" << std::endl;
  return kExitOk;
}

}  // namespace argus::app
