// Runs the real argus binary from tests and captures what it prints.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace argus::testing {

inline constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `argus ARGS` through the shell (2>&1) and returns its exit code and output.
inline RunResult RunArgus(const std::string& args) {
  RunResult r;
  const std::string cmd = std::string(ARGUS_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh, empty directory for one test.
inline std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("argus_it_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace argus::testing
