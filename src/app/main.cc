// argus: the command-line entry point. Each sub-command lives in cmd_<name>.cc.
#include <algorithm>
#include <iostream>
#include <vector>

#include "app/command.h"
#include "core/log.h"

namespace argus::app {
namespace {

std::vector<std::pair<const char*, CommandFactory>>& Registry() {
  static std::vector<std::pair<const char*, CommandFactory>> registry;
  return registry;
}

}  // namespace

CommandRegistrar::CommandRegistrar(const char* name, CommandFactory factory) {
  Registry().emplace_back(name, std::move(factory));
}

}  // namespace argus::app

int main(int argc, char** argv) {
  using namespace argus::app;
  CLI::App app{"argus: video analytics for the security of museums and high-value sites"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();
  auto& registry = Registry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return std::string(a.first) < b.first; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  for (auto& [name, factory] : registry) {
    auto run = factory(app);
    commands.emplace_back(app.get_subcommand(name), std::move(run));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  argus::core::InitLogging(log_level.c_str());
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  std::cerr << app.help();
  return kExitBadInput;
}
