#include "app/follow_service.h"

#include <cmath>

#include "api/json_format.h"
#include "app/track_looks.h"

namespace argus::app {

namespace {

double Rounded(double v, double step) { return std::round(v / step) * step; }

std::vector<std::string> ZonesAt(const config::CameraConfig& camera, core::Point rel_foot) {
  std::vector<std::string> out;
  for (const config::Zone& z : camera.zones) {
    if (core::PointInPolygon(rel_foot, z.polygon)) out.push_back(z.name);
  }
  return out;
}

events::Event MakeEvent(const learn::Sighting& s, const ingest::Frame& frame) {
  events::Event e;
  e.id = s.camera + "/" + kFollowRule + "/" + std::to_string(s.follow.id) + "/" +
         std::to_string(s.track) + (s.zone.empty() ? "" : "/" + s.zone);
  e.type = kFollowEventType;
  e.camera = s.camera;
  e.rule = kFollowRule;
  e.severity = events::Severity::kWarning;
  e.t = frame.t;
  e.frame = frame.number;
  e.track_id = s.track;
  e.label = "person";
  e.bbox = s.box;
  e.zone = s.zone;
  e.details = {{"reason", learn::ToString(s.kind)}, {"follow", s.follow.id},
               {"followed_by", s.follow.by},        {"follow_reason", s.follow.reason},
               {"global_id", s.follow.global_id},   {"cameras", s.follow.cameras}};
  if (s.link) {
    e.details["from_camera"] = s.link->from_camera;
    e.details["from_track"] = s.link->from_track;
    e.details["confidence"] = Rounded(s.link->confidence, 0.01);
    e.details["transit_s"] = Rounded(s.link->transit_s, 0.1);
  }
  return e;
}

}  // namespace

std::vector<learn::Adjacency> FollowAdjacency(const site::Site& site) {
  std::map<std::string, std::string> config_name;
  for (const site::Floor& f : site.floors) {
    for (const site::Camera& c : f.cameras) {
      if (!c.config_camera.empty()) config_name[c.id] = c.config_camera;
    }
  }
  std::vector<learn::Adjacency> out;
  for (const site::CameraLink& l : site.adjacency) {
    const auto a = config_name.find(l.a), b = config_name.find(l.b);
    if (a != config_name.end() && b != config_name.end()) {
      out.push_back({a->second, b->second, l.max_transit_s});
    }
  }
  return out;
}

FollowService::FollowService(const std::vector<learn::Adjacency>& adjacency,
                             const core::Clock& clock)
    : clock_(clock), follower_(adjacency) {}

void FollowService::Observe(const config::CameraConfig& camera, const ingest::Frame& frame,
                            const FrameOutput& out, std::vector<events::Event>* events) {
  if (!out.analysed || !out.active) return;
  const cv::Mat& bgr = frame.bgr;
  InView view{frame.t, bgr.cols, bgr.rows, {}};
  // Looks only where a hand-off can use them, and never from predicted boxes.
  std::vector<std::optional<track::Appearance>> looks(out.tracks.size());
  // HandsOff is fixed at construction: no lock needed.
  if (follower_.HandsOff(camera.name) && !out.coasted) {
    looks = DescribeTracks(bgr, out.tracks, *out.active);
  }
  for (size_t i = 0; i < out.tracks.size(); ++i) {
    const track::Track& t = out.tracks[i];
    const core::Point foot = t.box.BottomCenter();
    view.tracks.push_back(
        {t.id, t.box, looks[i],
         ZonesAt(camera, {foot.x / std::max(1, bgr.cols), foot.y / std::max(1, bgr.rows)})});
  }
  std::set<int> alive;
  for (const track::Track& t : *out.active) alive.insert(t.id);
  std::lock_guard lock(mu_);
  for (const learn::Sighting& s :
       follower_.Observe(camera.name, clock_.Seconds(), view.tracks, alive)) {
    events::Event e = MakeEvent(s, frame);
    events->push_back(e);
    e.phase = events::Phase::kEnd;
    events->push_back(std::move(e));
  }
  for (learn::SeenTrack& s : view.tracks) s.look.reset();  // not kept
  in_view_[camera.name] = std::move(view);
}

void FollowService::CameraStopped(const std::string& camera) {
  std::lock_guard lock(mu_);
  follower_.EndCamera(camera, clock_.Seconds());
  in_view_.erase(camera);
}

core::Result<nlohmann::json> FollowService::Tracks(const std::string& camera) {
  std::lock_guard lock(mu_);
  const auto it = in_view_.find(camera);
  if (it == in_view_.end()) return core::NotFound("no tracks of camera '" + camera + "' here");
  const InView& v = it->second;
  nlohmann::json tracks = nlohmann::json::array();
  const double w = std::max(1, v.width), h = std::max(1, v.height);
  for (const learn::SeenTrack& s : v.tracks) {
    tracks.push_back({{"id", s.id},
                      {"box",
                       {Rounded(s.box.x / w, 1e-4), Rounded(s.box.y / h, 1e-4),
                        Rounded(s.box.w / w, 1e-4), Rounded(s.box.h / h, 1e-4)}},
                      {"zones", s.zones},
                      {"global_id", follower_.GlobalId(camera, s.id)},
                      {"follow", follower_.FollowOf(camera, s.id)}});
  }
  return nlohmann::json{{"camera", camera}, {"t", v.t}, {"tracks", tracks}};
}

nlohmann::json FollowService::Follows() {
  std::lock_guard lock(mu_);
  nlohmann::json list = nlohmann::json::array();
  for (const learn::Follow& f : follower_.Follows(clock_.Seconds())) list.push_back(ToJson(f));
  return {{"follows", list}};
}

core::Result<nlohmann::json> FollowService::Start(const std::string& camera, int track,
                                                  const std::string& who,
                                                  const std::string& reason) {
  std::lock_guard lock(mu_);
  auto f = follower_.Start(camera, track, who, reason, clock_.Seconds());
  if (!f.ok()) return f.status();
  return ToJson(*f);
}

core::Result<nlohmann::json> FollowService::Stop(int64_t id, const std::string& who) {
  std::lock_guard lock(mu_);
  auto f = follower_.Stop(id, who, clock_.Seconds());
  if (!f.ok()) return f.status();
  return ToJson(*f);
}

nlohmann::json FollowService::ToJson(const learn::Follow& f) const {
  // The follower counts seconds of the steady clock; the API speaks wall time.
  const double now = clock_.Seconds();
  const core::WallTime wall = clock_.Now();
  auto at = [&](double t) {
    return api::FormatTime(wall - std::chrono::duration_cast<core::WallTime::duration>(
                                      std::chrono::duration<double>(now - t)));
  };
  nlohmann::json j = {{"id", f.id},
                      {"by", f.by},
                      {"reason", f.reason},
                      {"started_at", at(f.started_t)},
                      {"global_id", f.global_id},
                      {"camera", f.camera},
                      {"track", f.track},
                      {"last_seen_at", at(f.last_seen_t)},
                      {"cameras", f.cameras},
                      {"active", f.active}};
  if (!f.active) j["ended"] = f.ended;
  return j;
}

}  // namespace argus::app
