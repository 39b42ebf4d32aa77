#include "cluster/lease_plan.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace argus::cluster {

bool NodeAlive(const store::NodeRecord& n, core::WallTime now, double timeout_s) {
  return std::chrono::duration<double>(now - n.heartbeat_at).count() < timeout_s;
}

LeasePlan PlanLeases(const PlanInput& in) {
  // Live nodes and how many cameras each holds; this node is alive by definition.
  std::map<std::string, int> load{{in.self, 0}};
  for (const store::NodeRecord& n : in.nodes) {
    if (NodeAlive(n, in.now, in.node_timeout_s)) load.try_emplace(n.id, 0);
  }
  std::map<std::string, const store::LeaseRecord*> lease_of;
  for (const store::LeaseRecord& l : in.leases) lease_of[l.camera] = &l;

  std::vector<const CameraWant*> free;
  std::vector<const CameraWant*> mine;
  for (const CameraWant& c : in.cameras) {
    auto it = lease_of.find(c.name);
    const store::LeaseRecord* l = it == lease_of.end() ? nullptr : it->second;
    if (l && l->node == in.self) {
      // Ours, even when it lapsed (a renewal with our epoch still succeeds while no one
      // took it over).
      mine.push_back(&c);
      ++load[in.self];
    } else if (l && l->expires_at > in.now) {
      if (auto n = load.find(l->node); n != load.end()) ++n->second;
    } else {
      free.push_back(&c);
    }
  }

  LeasePlan plan;
  auto least_loaded = [&] {
    return std::min_element(load.begin(), load.end(),
                            [](const auto& a, const auto& b) {
                              return a.second < b.second ||
                                     (a.second == b.second && a.first < b.first);
                            })
        ->first;
  };
  for (const CameraWant* c : free) {
    const std::string to = load.contains(c->preferred_node) ? c->preferred_node : least_loaded();
    ++load[to];
    if (to == in.self) plan.acquire.push_back(c->name);
  }

  std::set<std::string> giving;
  for (const CameraWant* c : mine) {
    if (!c->preferred_node.empty() && c->preferred_node != in.self &&
        load.contains(c->preferred_node)) {
      giving.insert(c->name);
    }
  }
  const int held = load[in.self] - static_cast<int>(giving.size());
  const int fewest = std::min_element(load.begin(), load.end(), [](const auto& a, const auto& b) {
                       return a.second < b.second;
                     })->second;
  if (giving.empty() && held >= fewest + 2) {
    // One per round, the last by name that does not prefer us: rounds converge without
    // every node shuffling at once.
    for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
      if ((*it)->preferred_node != in.self) {
        giving.insert((*it)->name);
        break;
      }
    }
  }
  for (const CameraWant* c : mine) {
    (giving.contains(c->name) ? plan.release : plan.renew).push_back(c->name);
  }
  return plan;
}

}  // namespace argus::cluster
