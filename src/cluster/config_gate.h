// Whether a node may hold camera leases under the site's config (docs/multi_node.md): all
// nodes of a site run one config, recorded in the store (store::SiteConfigRecord); a node
// whose config hash differs takes no camera and says why. Pure and deterministic.
//
// Who sets the site's config: the site's first node; any node that reloads successfully
// (the operator's act of declaring the new config, done by the caller, not here); and a
// node that finds no live node running the site's config once it has been the site's for
// longer than a node timeout (the whole site was restarted on a new file: someone must
// run the cameras; the wait lets a node that has just declared it show so in its row).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace argus::cluster {

struct GateInput {
  std::string self;
  core::WallTime now;
  double node_timeout_s = 0;  // as for the lease plan
  std::string hash;           // the config this node runs
  std::optional<store::SiteConfigRecord> site;
  std::vector<store::NodeRecord> nodes;
  // The site's hash at this node's previous check; "" at the first.
  std::string seen_site_hash;
};

enum class GateAction {
  kHold,    // the node runs the site's config: it may hold leases
  kClaim,   // this node's config is to become the site's (write it only over `site`'s hash)
  kReread,  // the site's config changed: re-read the config file, then check again
  kRefuse,  // another config: hold no lease
};

GateAction DecideGate(const GateInput& in);

// "matches", or "differs: node has X, site has Y" (versions, with their hashes when the
// versions alone do not tell them apart); "unknown" without a site config, or "unknown: ..."
// for a node that publishes no hash.
std::string DescribeConfig(const std::string& hash, const std::string& version,
                           const std::optional<store::SiteConfigRecord>& site);

}  // namespace argus::cluster
