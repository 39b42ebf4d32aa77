#include "learn/mot_tracks.h"

#include <algorithm>

namespace argus::learn {

std::map<int, std::vector<TrackSample>> TracksFromMot(const std::vector<track::MotRow>& rows,
                                                      double fps) {
  std::map<int, std::vector<TrackSample>> out;
  for (const track::MotRow& r : rows) {
    if (r.conf == 0) continue;
    out[r.id].push_back({r.id, r.frame / fps, r.box, "person"});
  }
  for (auto& [id, s] : out) {
    std::stable_sort(s.begin(), s.end(),
                     [](const TrackSample& a, const TrackSample& b) { return a.t < b.t; });
  }
  return out;
}

void LearnTracks(const std::map<int, std::vector<TrackSample>>& tracks, int width, int height,
                 TimeSlot slot, ActivityModel* model) {
  double first = 0, last = 0;
  bool any = false;
  for (const auto& [id, s] : tracks) {
    if (s.empty()) continue;
    model->AddTrack(ExtractVisits(s, model->grid(), width, height), slot);
    first = any ? std::min(first, s.front().t) : s.front().t;
    last = any ? std::max(last, s.back().t) : s.back().t;
    any = true;
  }
  if (any) model->AddWatched(slot, last - first);
}

}  // namespace argus::learn
