// Sub-commands of the `argus` binary register themselves here, one file each
// (cmd_<name>.cc), so adding a command touches no shared file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>

#include "core/status.h"

namespace argus::app {

// Exit codes of DESIGN.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitRuntime = 2;

// Prints "<who>: <message>" on stderr and returns the exit code of `s`: bad input for a
// kInvalidArgument or kNotFound, a runtime failure otherwise.
inline int FailWith(const char* who, const core::Status& s) {
  std::cerr << who << ": " << s.message() << "\n";
  return s.code() == core::StatusCode::kInvalidArgument || s.code() == core::StatusCode::kNotFound
             ? kExitBadInput
             : kExitRuntime;
}

// Adds the sub-command named as registered to `parent` and returns the function
// that runs it after parsing; that function returns the process exit code.
using CommandFactory = std::function<std::function<int()>(CLI::App& parent)>;

struct CommandRegistrar {
  CommandRegistrar(const char* name, CommandFactory factory);
};

}  // namespace argus::app
