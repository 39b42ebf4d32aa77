// Prometheus naming conventions checked on an exposition (/metrics text), for
// tests: every family has HELP and TYPE before its samples, names are argus_*,
// counters end in _total and nothing else does, and no name carries a non-base
// unit (_ms, _minutes, _megabytes, _percent...: seconds, bytes and ratios only).
// Pure function; any thread.
#pragma once

#include <array>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace argus::api::testing {

// One line per problem ("name: what"); empty when the exposition is clean.
// argus_ then lower-case snake case, not ending in '_' (std::regex trips
// GCC 12's -Wmaybe-uninitialized under -O2 with sanitizers).
inline bool IsArgusSnakeName(const std::string& name) {
  if (name.rfind("argus_", 0) != 0 || name.size() <= 6 || name.back() == '_') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

inline std::vector<std::string> MetricConventionProblems(const std::string& exposition) {
  static constexpr std::array<std::string_view, 10> kNonBaseUnits = {
      "_ms",        "_milliseconds", "_microseconds", "_minutes", "_hours",
      "_kilobytes", "_megabytes",    "_kb",           "_mb",      "_percent"};
  std::vector<std::string> problems;
  std::map<std::string, std::string> type_of;
  std::map<std::string, bool> has_help;
  auto ends_with = [](const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream words(line);
    if (line.rfind("# HELP ", 0) == 0) {
      std::string hash, kw, name, help;
      words >> hash >> kw >> name;
      std::getline(words, help);
      if (help.find_first_not_of(' ') == std::string::npos)
        problems.push_back(name + ": empty HELP");
      has_help[name] = true;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string hash, kw, name, type;
      words >> hash >> kw >> name >> type;
      type_of[name] = type;
      if (!IsArgusSnakeName(name)) problems.push_back(name + ": not an argus_ snake_case name");
      if (!has_help[name]) problems.push_back(name + ": TYPE without HELP before it");
      if (type == "counter" && !ends_with(name, "_total")) {
        problems.push_back(name + ": a counter's name must end in _total");
      }
      if (type != "counter" && ends_with(name, "_total")) {
        problems.push_back(name + ": only counters end in _total");
      }
      for (std::string_view unit : kNonBaseUnits) {
        const std::string bare = ends_with(name, "_total") ? name.substr(0, name.size() - 6) : name;
        if (ends_with(bare, unit))
          problems.push_back(name + ": not a base unit (" + std::string(unit) + ")");
      }
      continue;
    }
    if (line[0] == '#') continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    // A histogram's samples are its name plus _bucket, _sum or _count.
    bool of_histogram = false;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (!ends_with(name, suffix)) continue;
      auto it = type_of.find(name.substr(0, name.size() - suffix.size()));
      of_histogram |= it != type_of.end() && it->second == "histogram";
    }
    if (!type_of.count(name) && !of_histogram) {
      problems.push_back(name + ": sample before its TYPE");
    }
  }
  return problems;
}

}  // namespace argus::api::testing
