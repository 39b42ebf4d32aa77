// Sub-commands of the `argus` binary register themselves here, one file each
// (cmd_<name>.cc), so adding a command touches no shared file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace argus::app {

// Exit codes of DESIGN.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitRuntime = 2;

// Adds the sub-command named as registered to `parent` and returns the function
// that runs it after parsing; that function returns the process exit code.
using CommandFactory = std::function<std::function<int()>(CLI::App& parent)>;

struct CommandRegistrar {
  CommandRegistrar(const char* name, CommandFactory factory);
};

}  // namespace argus::app
