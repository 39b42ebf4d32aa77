// argus serve --config F: the daemon (DESIGN.md contract).
#include <memory>
#include <opencv2/core/utility.hpp>

#include "app/command.h"
#include "app/serve.h"

namespace argus::app {
namespace {

const CommandRegistrar kServe("serve", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand(
      "serve", "Run every camera of the site with alerts, evidence, store, MQTT and the HTTP API");
  auto opts = std::make_shared<ServeOptions>();
  cmd->add_option("--config", opts->config_path, "Site config (YAML)")->required();
  cmd->add_option("--port", opts->port, "HTTP port (overrides server.listen; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--data-dir", opts->data_dir,
                  "Store and evidence directory (overrides server.data_dir)");
  cmd->add_option("--node-id", opts->node_id,
                  "This node's name among those sharing a PostgreSQL store (overrides "
                  "cluster.node_id; default: the host name)");
  cmd->add_option("--node-address", opts->node_address,
                  "This node's API as the other nodes and browsers reach it, e.g. "
                  "http://10.0.0.7:8080 (overrides cluster.address)");
  return [opts] {
    // The analysis pool already runs one worker per core across cameras; OpenCV's
    // own threads inside each worker (DNN, resize) would only oversubscribe the cores.
    cv::setNumThreads(1);
    return RunServe(*opts);
  };
});

}  // namespace
}  // namespace argus::app
