// Which config a node of a site runs (docs/multi_node.md): a hash of the config's
// site-wide content and a version a person can read. Several nodes must run the same
// config; a node whose hash differs from the site's takes no camera.
//
// The hash is of the parsed YAML tree in a canonical form: comments, whitespace, quoting
// style and the order of a mapping's keys do not change it; the per-node keys
// (kPerNodeKeys: the node's id and address, its listener, data and TLS files, and its
// PostgreSQL conninfo, which names the server as this node reaches it) are left
// out, so every node of a site may keep its own. Files the config names (a site model, a
// detector's model) are hashed by name, not by content.
//
// Pure functions; any thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace argus::config {

// "section.key" paths left out of the hash.
inline const std::vector<std::string> kPerNodeKeys = {
    "cluster.node_id", "cluster.address", "server.listen",  "server.data_dir",
    "server.tls_cert", "server.tls_key",  "server.workers", "server.postgres",
};
inline constexpr size_t kVersionHashChars = 12;  // a hash shown as a version

struct ConfigIdentity {
  std::string hash;     // 16 hex digits; "" when not computed
  std::string version;  // cluster.config_version, else the hash's first kVersionHashChars
  // Each top-level section's own hash (same rules), to say what a reload changed.
  std::map<std::string, std::string> sections;
  bool operator==(const ConfigIdentity&) const = default;
};

// The canonical text of `node` (a mapping's keys sorted; scalars length-prefixed), with
// the per-node keys left out when `node` is the document root.
std::string CanonicalConfigText(const YAML::Node& root);
// `version`: the config's own cluster.config_version ("" when absent).
ConfigIdentity IdentityOf(const YAML::Node& root, const std::string& version);
// The sections whose hash differs between two identities, sorted.
std::vector<std::string> ChangedSections(const ConfigIdentity& a, const ConfigIdentity& b);

}  // namespace argus::config
