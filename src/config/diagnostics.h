// Config problems, each pinned to `file:line: field: message`, collected so a
// user sees every mistake in one run of `argus config check`.
#pragma once

#include <string>
#include <vector>

namespace argus::config {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is about the whole file
  std::string field;
  std::string message;
  std::string ToString() const;
};

class Diagnostics {
 public:
  void Add(std::string file, int line, std::string field, std::string message);
  bool ok() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // One diagnostic per line.
  std::string ToString() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace argus::config
