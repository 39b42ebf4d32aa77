// What only a store shared by several nodes keeps (PostgreSQL; docs/multi_node.md):
// which node held each camera lease epoch, so the evidence of an incident
// (`<camera>/<rule>/<n>@<epoch>`) is fetched from the node that found it; and alerts of
// the site itself (no camera, e.g. a node lost) that every live node may notice but the
// store raises once.
//
// Thread safety: any thread (as Store).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "events/alert.h"

namespace argus::store {

class Store;

class SiteStore {
 public:
  virtual ~SiteStore() = default;
  // The node that held `camera`'s lease under `epoch`; kNotFound when none did.
  virtual core::Result<std::string> LeaseHolderAt(const std::string& camera, int64_t epoch) = 0;

  struct Raised {
    int64_t id = 0;         // the stored alert (this one, or the one raised first)
    bool inserted = false;  // true for the first node only
  };
  // Stores site alert `a` (camera empty; its incident_ids name the occurrence, e.g. one
  // loss of one node) unless an alert of the same type and incident_ids is stored already.
  virtual core::Result<Raised> RaiseSiteAlert(const events::Alert& a) = 0;
};

// The site records of `db`; nullptr for a store of one node (SQLite).
SiteStore* SiteStoreOf(Store& db);

}  // namespace argus::store
