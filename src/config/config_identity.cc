#include "config/config_identity.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>

namespace argus::config {
namespace {

// FNV-1a, 64 bits: an identity among a site's few configs, not a defence against forgery
// (anyone who may write the config file may run any config anyway).
std::string Hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool PerNode(const std::string& path) {
  return std::find(kPerNodeKeys.begin(), kPerNodeKeys.end(), path) != kPerNodeKeys.end();
}

// `path`: the node's "section.key" path while it is within the first two levels.
void Append(const YAML::Node& node, const std::string& path, int depth, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      std::map<std::string, YAML::Node> sorted;
      for (const auto& kv : node) sorted[kv.first.Scalar()] = kv.second;
      *out += '{';
      for (const auto& [key, value] : sorted) {
        const std::string child = path.empty() ? key : path + "." + key;
        if (depth < 2 && PerNode(child)) continue;
        *out += std::to_string(key.size()) + ':' + key + '=';
        Append(value, child, depth + 1, out);
        *out += ',';
      }
      *out += '}';
      return;
    }
    case YAML::NodeType::Sequence:
      *out += '[';
      for (const YAML::Node& item : node) {
        Append(item, "", 2, out);  // below a list, no key is per node
        *out += ',';
      }
      *out += ']';
      return;
    case YAML::NodeType::Scalar:
      *out += std::to_string(node.Scalar().size()) + '\'' + node.Scalar();
      return;
    default:  // null or undefined: an absent value
      *out += '~';
  }
}

}  // namespace

std::string CanonicalConfigText(const YAML::Node& root) {
  std::string out;
  Append(root, "", 0, &out);
  return out;
}

ConfigIdentity IdentityOf(const YAML::Node& root, const std::string& version) {
  ConfigIdentity id;
  id.hash = Hash(CanonicalConfigText(root));
  id.version = version.empty() ? id.hash.substr(0, kVersionHashChars) : version;
  if (root.IsMap()) {
    for (const auto& kv : root) {
      std::string text;
      Append(kv.second, kv.first.Scalar(), 1, &text);
      id.sections[kv.first.Scalar()] = Hash(text);
    }
  }
  return id;
}

std::vector<std::string> ChangedSections(const ConfigIdentity& a, const ConfigIdentity& b) {
  std::set<std::string> keys;
  for (const auto& [k, h] : a.sections) keys.insert(k);
  for (const auto& [k, h] : b.sections) keys.insert(k);
  std::vector<std::string> out;
  for (const std::string& k : keys) {
    auto x = a.sections.find(k), y = b.sections.find(k);
    if (x == a.sections.end() || y == b.sections.end() || x->second != y->second) out.push_back(k);
  }
  return out;
}

}  // namespace argus::config
