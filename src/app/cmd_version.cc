#include <iostream>

#include "app/command.h"

namespace argus::app {
namespace {

const CommandRegistrar kVersion("version", [](CLI::App& parent) {
  parent.add_subcommand("version", "Print the version");
  return [] {
    std::cout << "argus 0.1.0\n";
    return kExitOk;
  };
});

}  // namespace
}  // namespace argus::app
