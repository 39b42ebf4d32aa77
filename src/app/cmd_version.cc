#include <iostream>

#include "app/cluster_node.h"
#include "app/command.h"

namespace argus::app {
namespace {

const CommandRegistrar kVersion("version", [](CLI::App& parent) {
  parent.add_subcommand("version", "Print the version");
  return [] {
    std::cout << "argus " << kArgusVersion << "\n";
    return kExitOk;
  };
});

}  // namespace
}  // namespace argus::app
