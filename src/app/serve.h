// `argus serve`: every camera of the site on one bounded analysis pool, events
// grouped into alerts with escalation, evidence (snapshot + clip with pre-roll),
// the store, MQTT, webhooks, external sensors and the HTTP API.
//
// The daemon is a composition of parts, each with one owner thread and its own lock
// (see their headers): CameraFleet (camera reading threads and the analysis pool),
// EventLoop (one thread that orders everything that follows an event), AlertService,
// EvidenceService, Delivery (live feed, MQTT, webhooks, journal), ZoneHistory,
// RetentionJob, FollowService (people followed across cameras), and ServeBackend (the
// API's view of them). Daemon wires them and owns
// the start/stop order.
//
// A failure of one feature degrades that feature, not the daemon: a dead broker
// queues messages, a full disk stops recording (and says so on /metrics and in
// the log), a store error is counted and logged, a camera that fails restarts.
//
// Thread safety: Create/Start/Stop/Reload from the owning thread; the api::Backend
// methods from HTTP threads.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/backend.h"
#include "core/clock.h"
#include "core/status.h"

namespace argus::app {

struct ServeOptions {
  std::string config_path;
  int port = -1;             // >= 0 overrides server.listen's port (0: any free port)
  std::string data_dir;      // overrides server.data_dir when not empty
  std::string node_id;       // overrides cluster.node_id when not empty
  std::string node_address;  // overrides cluster.address when not empty
  // Called by the event loop on each housekeeping turn (the systemd watchdog):
  // it stops being called when the loop hangs.
  std::function<void()> loop_heartbeat;
};

class Daemon {
 public:
  // Loads and validates the config and opens the store. Config problems are
  // printed to stderr as file:line: field: message and give kInvalidArgument.
  static core::Result<std::unique_ptr<Daemon>> Create(const ServeOptions& options,
                                                      core::Clock& clock);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  core::Status Start();
  // Graceful: stops the cameras, closes their open incidents, writes and sends
  // what is in flight, finishes clips, then stops the services. Idempotent.
  void Stop();
  // Re-reads the config file: cameras whose settings changed restart, new ones
  // start, removed ones stop; the others keep running untouched. A config with
  // problems is refused and everything keeps running as it was.
  core::Status Reload();

  int http_port() const;
  api::Backend& backend();
  // The first admin's one-time password when this start created it (FirstAdmin);
  // "" otherwise. Printed once by the command.
  const std::string& one_time_password() const;

 private:
  struct Impl;
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The command: runs until SIGTERM/SIGINT, reloads on SIGHUP. Returns the exit code.
int RunServe(const ServeOptions& cli_options);

}  // namespace argus::app
