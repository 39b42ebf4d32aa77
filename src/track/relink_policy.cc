#include "track/relink_policy.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace argus::track {

bool RelinkPolicy::Plausible(const Entry& n, const Entry& o) const {
  const double gap = n.first_t - o.last_t;
  if (gap <= 0 || gap > p_.window_s) return false;
  const double h = o.last_box.h, hn = n.first_box.h;
  if (h <= 0 || hn <= 0 || std::max(h / hn, hn / h) > p_.max_size_ratio) return false;
  // Where the old track would be had it walked on as it did, no faster than
  // max_speed: the new track must start near there.
  core::Point v = o.velocity;
  const double speed = core::Norm(v), limit = p_.max_speed * h;
  if (speed > limit) v = v * (limit / speed);
  const core::Point expected = o.last_box.BottomCenter() + v * gap;
  const double reach = h * (p_.base_gate + p_.gate_growth * gap);
  return core::Distance(n.first_box.BottomCenter(), expected) <= reach;
}

void RelinkPolicy::LinkNewTracks(const std::unordered_set<int>& held) {
  std::vector<Entry*> fresh, old;
  for (auto& [id, e] : entries_) {
    if (e.seen && !e.decided && e.look.samples() > 0) fresh.push_back(&e);
    // A track the tracker still holds may be found again: linking it now could
    // give its id to two people (measured: more identity switches on PETS).
    if (!e.seen && e.candidate && !held.contains(id) && e.look.samples() >= p_.min_samples)
      old.push_back(&e);
  }
  struct Pair {
    int n, o;
    double d;
  };
  std::vector<Pair> pairs;
  constexpr double kNone = std::numeric_limits<double>::infinity();
  std::vector<double> best_n(fresh.size(), kNone), second_n(fresh.size(), kNone);
  std::vector<double> best_o(old.size(), kNone), second_o(old.size(), kNone);
  auto note = [](double d, double& best, double& second) {
    if (d < best) {
      second = best;
      best = d;
    } else if (d < second) {
      second = d;
    }
  };
  for (int i = 0; i < static_cast<int>(fresh.size()); ++i) {
    for (int j = 0; j < static_cast<int>(old.size()); ++j) {
      if (!Plausible(*fresh[i], *old[j])) continue;
      const double d = AppearanceDistance(fresh[i]->look.mean(), old[j]->look.mean());
      pairs.push_back({i, j, d});
      note(d, best_n[i], second_n[i]);
      note(d, best_o[j], second_o[j]);
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.d < b.d; });
  std::vector<char> n_used(fresh.size(), 0), o_used(old.size(), 0);
  for (const Pair& pr : pairs) {
    if (pr.d > p_.max_distance) break;
    if (n_used[pr.n] || o_used[pr.o]) continue;
    // Clearly the best on both sides, or no link: a wrong link is worse than none.
    if (pr.d != best_n[pr.n] || pr.d != best_o[pr.o]) continue;
    if (pr.d >= p_.ambiguity_ratio * second_n[pr.n] || pr.d >= p_.ambiguity_ratio * second_o[pr.o])
      continue;
    n_used[pr.n] = o_used[pr.o] = 1;
    Entry& n = *fresh[pr.n];
    Entry& o = *old[pr.o];
    n.out_id = o.out_id;
    n.decided = true;
    AppearanceModel merged = o.look;  // the person's look so far, then the new crops
    merged.Add(n.look.mean());
    n.look = merged;
    o.candidate = false;  // its id has moved on; forgotten below
    ++links_;
  }
}

void RelinkPolicy::Update(std::vector<Track>& tracks,
                          const std::vector<std::optional<Appearance>>& looks,
                          std::vector<Track>& active, double t) {
  for (auto& [id, e] : entries_) e.seen = false;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const Track& tr = tracks[i];
    auto [it, inserted] = entries_.try_emplace(tr.id);
    Entry& e = it->second;
    if (inserted) {
      e.out_id = next_out_++;
      e.first_box = tr.box;
      e.first_t = t;
    }
    e.seen = true;
    e.last_box = tr.box;
    e.velocity = tr.velocity;
    e.last_t = t;
    ++e.updates;
    if (i < looks.size() && looks[i]) e.look.Add(*looks[i]);
  }
  std::unordered_set<int> held;
  for (const Track& tr : active) held.insert(tr.id);
  LinkNewTracks(held);
  for (auto& [id, e] : entries_) {
    if (e.seen && e.updates >= p_.decide_updates) e.decided = true;
  }

  for (Track& tr : active) {
    auto [it, inserted] = entries_.try_emplace(tr.id);
    if (inserted) {  // never seen in a frame's output: nothing to link
      it->second.out_id = next_out_++;
      it->second.last_t = t;
      it->second.decided = true;
      it->second.candidate = false;
    }
    tr.id = it->second.out_id;
  }
  for (Track& tr : tracks) tr.id = entries_.at(tr.id).out_id;
  // Forget tracks the tracker dropped once they can no longer be linked to.
  std::erase_if(entries_, [&](const auto& kv) {
    const Entry& e = kv.second;
    return !held.contains(kv.first) && (!e.candidate || t - e.last_t > p_.window_s);
  });
}

}  // namespace argus::track
