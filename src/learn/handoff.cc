#include "learn/handoff.h"

#include <algorithm>
#include <cmath>

namespace argus::learn {

int TransitModel::Bin(double transit_s) const {
  const int b = static_cast<int>(transit_s / max_s_ * kBins);
  return std::clamp(b, 0, kBins - 1);
}

void TransitModel::Add(double transit_s) {
  if (!(transit_s >= 0 && transit_s <= max_s_)) return;
  for (double& v : bins_) v *= kDecay;
  bins_[Bin(transit_s)] += 1;
  total_ = total_ * kDecay + 1;
}

double TransitModel::Plausibility(double transit_s) const {
  if (!(transit_s >= 0 && transit_s <= max_s_)) return 0;
  if (total_ < kMinLearned) return 1;
  // Each bin shares a quarter of its weight with each neighbour: a transit
  // time between two common ones is common too.
  auto smoothed = [this](int b) {
    const double left = b > 0 ? bins_[b - 1] : 0, right = b + 1 < kBins ? bins_[b + 1] : 0;
    return 0.5 * bins_[b] + 0.25 * (left + right);
  };
  double peak = 0;
  for (int b = 0; b < kBins; ++b) peak = std::max(peak, smoothed(b));
  if (peak <= 0) return 1;
  return kFloor + (1 - kFloor) * smoothed(Bin(transit_s)) / peak;
}

HandoffLinker::HandoffLinker(std::vector<Adjacency> adjacency, const HandoffParams& p) : p_(p) {
  for (const Adjacency& a : adjacency) {
    if (a.a == a.b) continue;
    transit_.insert_or_assign({a.a, a.b}, TransitModel(a.max_transit_s));
    transit_.insert_or_assign({a.b, a.a}, TransitModel(a.max_transit_s));
    max_transit_s_ = std::max(max_transit_s_, a.max_transit_s);
  }
}

std::optional<HandoffLink> HandoffLinker::Decide(const Key& key, Entry& e, bool last) {
  e.decided = last;
  if (p_.use_appearance && e.look.samples() == 0) return std::nullopt;
  struct Candidate {
    const Key* key;
    Entry* entry;
    TransitModel* transit;
    double dt, distance, plausibility, score;
  };
  std::vector<Candidate> candidates;
  double sum = p_.new_person_score;
  for (auto& [k, o] : tracks_) {
    if (k.camera == key.camera || o.handed_off || o.last_t >= e.first_t) continue;
    const auto tm = transit_.find({k.camera, key.camera});
    if (tm == transit_.end()) continue;  // not adjacent
    const double dt = e.first_t - o.last_t;
    if (dt > tm->second.max_transit_s()) continue;
    Candidate c{&k, &o, &tm->second, dt, 0, 1, 1};
    if (p_.use_appearance) {
      if (o.look.samples() < p_.min_samples) continue;
      c.distance = track::AppearanceDistance(e.look.mean(), o.look.mean());
      c.score = std::max(0.0, 1 - c.distance / p_.max_distance);
    }
    if (p_.use_time) {
      c.plausibility = tm->second.Plausibility(dt);
      c.score *= c.plausibility;
    }
    if (c.score <= 0) continue;
    sum += c.score;
    candidates.push_back(c);
  }
  if (candidates.empty()) return std::nullopt;
  const Candidate& best =
      *std::max_element(candidates.begin(), candidates.end(),
                        [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
  const double confidence = best.score / sum;
  if (confidence < p_.min_confidence) return std::nullopt;
  best.entry->handed_off = true;
  e.decided = true;
  e.global_id = best.entry->global_id;
  if (confidence >= p_.learn_confidence) best.transit->Add(best.dt);
  return HandoffLink{best.key->camera, best.key->track, key.camera,
                     key.track,        e.global_id,     confidence,
                     best.dt,          best.distance,   best.plausibility};
}

std::vector<HandoffLink> HandoffLinker::Update(const std::string& camera, double t,
                                               const std::vector<HandoffObservation>& tracks) {
  std::vector<HandoffLink> links;
  for (const HandoffObservation& o : tracks) {
    const Key key{camera, o.track};
    auto [it, inserted] = tracks_.try_emplace(key);
    Entry& e = it->second;
    if (inserted) {
      e.global_id = next_global_++;
      e.first_t = t;
    }
    e.last_t = t;
    if (!o.look) continue;
    e.look.Add(*o.look);
    ++e.crops;
    const int d = p_.decide_samples;
    if (!e.decided && (e.crops == d || e.crops == 2 * d || e.crops == 4 * d)) {
      if (auto link = Decide(key, e, e.crops == 4 * d)) links.push_back(*link);
    }
  }
  Forget(t);
  return links;
}

std::vector<HandoffLink> HandoffLinker::End(const std::string& camera, int track, double t) {
  std::vector<HandoffLink> links;
  const auto it = tracks_.find({camera, track});
  if (it != tracks_.end() && !it->second.decided) {
    if (auto link = Decide(it->first, it->second, true)) links.push_back(*link);
  }
  Forget(t);
  return links;
}

int HandoffLinker::GlobalId(const std::string& camera, int track) const {
  const auto it = tracks_.find({camera, track});
  return it == tracks_.end() ? 0 : it->second.global_id;
}

const TransitModel* HandoffLinker::Transit(const std::string& from, const std::string& to) const {
  const auto it = transit_.find({from, to});
  return it == transit_.end() ? nullptr : &it->second;
}

void HandoffLinker::Forget(double now) {
  // Past the longest transit, a track can take part in no hand-off: its
  // descriptor goes. (A track still in view is refreshed by every Update.)
  std::erase_if(tracks_, [&](const auto& kv) { return now - kv.second.last_t > max_transit_s_; });
  while (tracks_.size() > p_.max_remembered) {
    auto oldest = std::min_element(
        tracks_.begin(), tracks_.end(),
        [](const auto& a, const auto& b) { return a.second.last_t < b.second.last_t; });
    tracks_.erase(oldest);
  }
}

}  // namespace argus::learn
