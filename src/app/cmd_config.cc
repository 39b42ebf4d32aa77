// argus config check F: validate only; every problem as file:line: field: message.
#include <iostream>

#include "app/command.h"
#include "config/config.h"
#include "rules/rule_engine.h"

namespace argus::app {
namespace {

const CommandRegistrar kConfig("config", [](CLI::App& parent) {
  auto* cmd = parent.add_subcommand("config", "Work with site config files");
  cmd->require_subcommand(1);
  auto* check = cmd->add_subcommand("check", "Validate a config file and exit");
  auto path = std::make_shared<std::string>();
  check->add_option("file", *path, "Site config (YAML)")->required();
  return [path] {
    config::Diagnostics diag;
    // Rules are checked even when other parts are broken: one run shows all.
    const config::Config cfg = config::LoadConfigPartially(*path, &diag);
    (void)rules::ValidateRules(cfg, &diag);
    if (!diag.ok()) {
      std::cerr << diag.ToString();
      return kExitBadInput;
    }
    std::cout << *path << ": ok (" << cfg.cameras.size() << " camera"
              << (cfg.cameras.size() == 1 ? "" : "s") << ")\n";
    return kExitOk;
  };
});

}  // namespace
}  // namespace argus::app
