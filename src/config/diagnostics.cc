#include "config/diagnostics.h"

namespace argus::config {

std::string Diagnostic::ToString() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}

void Diagnostics::Add(std::string file, int line, std::string field, std::string message) {
  items_.push_back({std::move(file), line, std::move(field), std::move(message)});
}

std::string Diagnostics::ToString() const {
  std::string s;
  for (const Diagnostic& d : items_) s += d.ToString() + "\n";
  return s;
}

}  // namespace argus::config
