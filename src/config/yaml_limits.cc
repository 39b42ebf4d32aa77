#include "config/yaml_limits.h"

#include <fstream>
#include <utility>
#include <vector>

namespace argus::config {

namespace {

std::string TooLarge() {
  return "larger than " + std::to_string(kMaxYamlBytes >> 10) + " KiB; refused";
}

// Iterative so a deep document cannot overflow the stack; stops at the first violation.
bool CheckShape(const YAML::Node& root, YamlProblem* problem) {
  std::vector<std::pair<YAML::Node, int>> todo{{root, 1}};
  size_t nodes = 0;
  while (!todo.empty()) {
    auto [node, depth] = std::move(todo.back());
    todo.pop_back();
    if (++nodes > kMaxYamlNodes) {
      *problem = {0, "more than " + std::to_string(kMaxYamlNodes) +
                         " values (an alias counts each time it is used); refused"};
      return false;
    }
    if (depth > kMaxYamlDepth) {
      *problem = {node.Mark().is_null() ? 0 : node.Mark().line + 1,
                  "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels; refused"};
      return false;
    }
    if (node.IsSequence()) {
      for (const auto& child : node) todo.emplace_back(child, depth + 1);
    } else if (node.IsMap()) {
      for (const auto& kv : node) {
        todo.emplace_back(kv.first, depth + 1);
        todo.emplace_back(kv.second, depth + 1);
      }
    }
  }
  return true;
}

}  // namespace

bool ReadYamlFile(const std::string& path, std::string* text, YamlProblem* problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *problem = {0, "cannot open config file (missing or unreadable)"};
    return false;
  }
  text->assign(kMaxYamlBytes + 1, '\0');
  in.read(text->data(), static_cast<std::streamsize>(text->size()));
  if (in.bad()) {
    *problem = {0, "cannot read file"};
    return false;
  }
  text->resize(static_cast<size_t>(in.gcount()));
  if (text->size() > kMaxYamlBytes) {
    text->clear();
    *problem = {0, "file is " + TooLarge()};
    return false;
  }
  return true;
}

bool LoadYamlBounded(const std::string& yaml, YAML::Node* root, YamlProblem* problem) {
  if (yaml.size() > kMaxYamlBytes) {
    *problem = {0, "document is " + TooLarge()};
    return false;
  }
  try {
    *root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    *problem = {e.mark.line + 1, "malformed YAML: " + e.msg};
    return false;
  }
  return CheckShape(*root, problem);
}

}  // namespace argus::config
