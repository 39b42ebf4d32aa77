#include "learn/follower.h"

#include <algorithm>
#include <cmath>

namespace argus::learn {

namespace {
// Cameras listed per follow at most (a person pacing between two views).
constexpr size_t kMaxPath = 64;

std::string Trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

double LostAfter(const std::vector<Adjacency>& adjacency, double floor_s) {
  double s = floor_s;
  for (const Adjacency& a : adjacency) s = std::max(s, a.max_transit_s);
  return s;
}
}  // namespace

const char* ToString(Sighting::Kind k) {
  return k == Sighting::Kind::kAppeared ? "appeared" : "entered_zone";
}

Follower::Follower(std::vector<Adjacency> adjacency, const FollowParams& p)
    : p_(p), lost_after_s_(LostAfter(adjacency, p.lost_after_s)) {
  for (const Adjacency& a : adjacency) linked_.insert({a.a, a.b});
  linker_ = HandoffLinker(std::move(adjacency), p.handoff);
}

std::vector<Sighting> Follower::Observe(const std::string& camera, double t,
                                        const std::vector<SeenTrack>& seen,
                                        const std::set<int>& alive) {
  std::vector<Sighting> out;
  EndTracks(camera, alive, t);
  std::vector<HandoffObservation> observations;
  std::map<int, std::vector<std::string>>& zones_of = last_seen_[camera];
  zones_of.clear();
  std::map<int, const SeenTrack*> by_id;
  for (const SeenTrack& s : seen) {
    observations.push_back({s.id, s.look});
    zones_of[s.id] = s.zones;
    by_id[s.id] = &s;
  }
  // A camera with no adjacent camera hands nobody off: the linker never sees it.
  for (const HandoffLink& link :
       HandsOff(camera) ? linker_.Update(camera, t, observations) : std::vector<HandoffLink>{}) {
    const auto from = members_.find({link.from_camera, link.from_track});
    if (from == members_.end()) continue;
    const auto f = active_.find(from->second.follow);
    if (f == active_.end()) continue;
    const SeenTrack& s = *by_id.at(link.to_track);  // decided on this frame's observation
    const Key to{camera, s.id};
    Join(to, f->first, t, s.zones);
    Seen(f->second, to, t);
    out.push_back({Sighting::Kind::kAppeared, f->second, camera, s.id, s.box, "", link});
  }
  for (const SeenTrack& s : seen) {
    const Key key{camera, s.id};
    const auto m = members_.find(key);
    if (m == members_.end()) continue;
    const auto f = active_.find(m->second.follow);
    if (f == active_.end()) continue;
    Seen(f->second, key, t);
    m->second.last_t = t;
    for (const std::string& zone : s.zones) {
      auto [it, inserted] = m->second.zones.try_emplace(zone, t);
      const bool news = inserted || t - it->second > p_.zone_reentry_s;
      it->second = t;
      if (news) out.push_back({Sighting::Kind::kEnteredZone, f->second, camera, s.id, s.box, zone});
    }
  }
  ExpireLost(t);
  return out;
}

void Follower::EndCamera(const std::string& camera, double t) {
  EndTracks(camera, {}, t);
  last_seen_.erase(camera);
  alive_.erase(camera);
}

void Follower::EndTracks(const std::string& camera, const std::set<int>& alive, double t) {
  std::set<int>& before = alive_[camera];
  for (int id : before) {
    if (alive.count(id) || !HandsOff(camera)) continue;
    // A hand-off decided as the track ends: the person passed through unseen by us; the
    // follow goes on with them, without news.
    for (const HandoffLink& link : linker_.End(camera, id, t)) {
      const auto from = members_.find({link.from_camera, link.from_track});
      if (from == members_.end() || !active_.count(from->second.follow)) continue;
      Follow& f = active_.at(from->second.follow);
      Join({camera, id}, f.id, t, {});
      Seen(f, {camera, id}, t);
    }
  }
  before = alive;
}

void Follower::Join(const Key& key, int64_t follow, double t,
                    const std::vector<std::string>& zones) {
  Member& m = members_[key];
  m.follow = follow;
  m.last_t = t;
  for (const std::string& z : zones) m.zones[z] = t;  // already inside: no news
}

void Follower::Seen(Follow& f, const Key& key, double t) {
  f.camera = key.camera;
  f.track = key.track;
  f.last_seen_t = std::max(f.last_seen_t, t);
  if ((f.cameras.empty() || f.cameras.back() != key.camera) && f.cameras.size() < kMaxPath) {
    f.cameras.push_back(key.camera);
  }
}

void Follower::End(Follow& f, std::string why) {
  f.active = false;
  f.ended = std::move(why);
  ended_.push_back(f);
  while (ended_.size() > static_cast<size_t>(std::max(0, p_.keep_ended))) ended_.pop_front();
}

void Follower::ExpireLost(double t) {
  for (auto it = active_.begin(); it != active_.end();) {
    const double unseen = t - it->second.last_seen_t;
    if (unseen <= lost_after_s_) {
      ++it;
      continue;
    }
    End(it->second, "lost: seen by no camera for " + std::to_string(std::lround(unseen)) + " s");
    it = active_.erase(it);
  }
  std::erase_if(members_, [&](const auto& kv) {
    return !active_.count(kv.second.follow) || t - kv.second.last_t > lost_after_s_;
  });
}

core::Result<Follow> Follower::Start(const std::string& camera, int track, const std::string& by,
                                     const std::string& reason, double t) {
  const std::string why = Trimmed(reason);
  if (why.empty()) return core::InvalidArgument("a follow needs a reason (it is audited)");
  ExpireLost(t);
  const auto cam = last_seen_.find(camera);
  if (cam == last_seen_.end() || !cam->second.count(track)) {
    return core::NotFound("camera '" + camera + "' has no track " + std::to_string(track) +
                          " in view");
  }
  if (const int64_t id = FollowOf(camera, track)) return active_.at(id);
  if (static_cast<int>(active_.size()) >= p_.max_active) {
    return core::ResourceExhausted(std::to_string(p_.max_active) +
                                   " people are followed already: stop a follow first");
  }
  Follow f;
  f.id = next_id_++;
  f.by = by;
  f.reason = why;
  f.started_t = t;
  f.global_id = linker_.GlobalId(camera, track);
  Seen(f, {camera, track}, t);
  Join({camera, track}, f.id, t, cam->second.at(track));
  return active_[f.id] = f;
}

core::Result<Follow> Follower::Stop(int64_t id, const std::string& by, double t) {
  ExpireLost(t);
  if (const auto it = active_.find(id); it != active_.end()) {
    Follow f = it->second;
    End(f, "stopped by " + by);
    active_.erase(it);
    ExpireLost(t);  // its tracks go
    return f;
  }
  for (const Follow& f : ended_) {
    if (f.id == id) return f;
  }
  return core::NotFound("no follow " + std::to_string(id));
}

std::vector<Follow> Follower::Follows(double t) {
  ExpireLost(t);
  std::vector<Follow> out;
  for (auto it = active_.rbegin(); it != active_.rend(); ++it) out.push_back(it->second);
  for (auto it = ended_.rbegin(); it != ended_.rend(); ++it) out.push_back(*it);
  return out;
}

int64_t Follower::FollowOf(const std::string& camera, int track) const {
  const auto m = members_.find({camera, track});
  return m != members_.end() && active_.count(m->second.follow) ? m->second.follow : 0;
}

}  // namespace argus::learn
