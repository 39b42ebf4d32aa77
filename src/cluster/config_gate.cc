#include "cluster/config_gate.h"

#include <chrono>

#include "cluster/lease_plan.h"

namespace argus::cluster {

GateAction DecideGate(const GateInput& in) {
  if (!in.site) return GateAction::kClaim;
  if (in.site->hash == in.hash) return GateAction::kHold;
  if (!in.seen_site_hash.empty() && in.seen_site_hash != in.site->hash) {
    return GateAction::kReread;
  }
  const bool settled =
      std::chrono::duration<double>(in.now - in.site->set_at).count() >= in.node_timeout_s;
  if (!settled) return GateAction::kRefuse;
  for (const store::NodeRecord& n : in.nodes) {
    if (n.id != in.self && n.config_hash == in.site->hash &&
        NodeAlive(n, in.now, in.node_timeout_s)) {
      return GateAction::kRefuse;  // the site's config runs elsewhere
    }
  }
  return GateAction::kClaim;
}

std::string DescribeConfig(const std::string& hash, const std::string& version,
                           const std::optional<store::SiteConfigRecord>& site) {
  if (!site) return "unknown";
  if (hash.empty()) return "unknown: the node does not say (an older argus)";
  if (site->hash == hash) return "matches";
  const bool same_name = version == site->version;
  auto label = [same_name](const std::string& v, const std::string& h) {
    return same_name ? v + " (" + h + ")" : v;
  };
  return "differs: node has " + label(version, hash) + ", site has " +
         label(site->version, site->hash);
}

}  // namespace argus::cluster
