// Which cameras a node should hold, computed from what the store says (nodes and their
// heartbeats, leases) and the config (cameras, each with an optional preferred node). Pure
// and deterministic: every node computes the same assignment from the same rows, and the
// store's atomic AcquireLease settles the moments when their views differ.
//
// The rules, in order:
//  - a lease that has not expired stays with its holder (even a node that stopped
//    heartbeating: its lease must run out first, so it cannot still be writing);
//  - a free or expired camera goes to its preferred node when that node is alive, else to
//    the live node holding the fewest cameras (ties: the smallest id);
//  - a node gives a camera up to its preferred node when that one is alive, and gives one
//    camera per round to the least loaded node while it holds two or more above it.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace argus::cluster {

struct CameraWant {
  std::string name;
  std::string preferred_node;  // empty: any node
};

struct PlanInput {
  std::string self;
  core::WallTime now;
  double node_timeout_s = 0;  // a node whose last heartbeat is older is dead
  std::vector<store::NodeRecord> nodes;
  std::vector<store::LeaseRecord> leases;
  std::vector<CameraWant> cameras;
};

struct LeasePlan {
  std::vector<std::string> renew;    // held by self (also lapsed but not taken): keep
  std::vector<std::string> acquire;  // free or expired, assigned to self
  std::vector<std::string> release;  // held by self, to hand over
};

LeasePlan PlanLeases(const PlanInput& in);

// A node is alive while its last heartbeat is younger than `timeout_s` at `now`.
bool NodeAlive(const store::NodeRecord& n, core::WallTime now, double timeout_s);

}  // namespace argus::cluster
