#include "track/byte_tracker.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "track/assignment.h"
#include "track/iou_gating.h"

namespace argus::track {
namespace {

struct Tracklet {
  Track track;
  KalmanBoxFilter filter;
  int label_id = 0;
  bool matched = false;  // in the current update
  int missed = 0;        // consecutive updates without a match
};

core::Box Buffered(const core::Box& b, double buffer) {
  if (buffer <= 0) return b;
  return {b.x - buffer * b.w, b.y - buffer * b.h, b.w * (1 + 2 * buffer), b.h * (1 + 2 * buffer)};
}

struct Candidate {
  int det;  // index into the update's detections
  int label_id;
};

class ByteTracker final : public Tracker {
 public:
  explicit ByteTracker(const ByteTrackParams& p) : p_(p) {}

  std::vector<Track> Update(const std::vector<Detection>& detections, double t) override;
  std::vector<Track> Coast(double t) override;
  std::vector<Track> Active() const override;
  void SetCameraMotion(const core::Affine2D& prev_to_next) override {
    camera_motion_ = prev_to_next;
  }

 private:
  int LabelId(const std::string& label) {
    auto [it, inserted] = label_ids_.try_emplace(label, static_cast<int>(label_ids_.size()));
    return it->second;
  }
  // Matches tracklets `pool` to detections `dets` (indices) with similarity >=
  // min_sim; applies the matches and removes matched entries from both lists.
  // `buffer` > 0 enlarges both boxes by that fraction of their size on every
  // side before the IoU (C-BIoU), to catch boxes that drifted apart.
  void Associate(std::vector<int>& pool, std::vector<Candidate>& dets,
                 const std::vector<Detection>& detections, double min_sim, bool fuse, double t,
                 double buffer = 0);
  // Moves every tracklet to its prediction at `t`.
  void Predict(double t);
  // Corrects the filter with `d`, then records the match.
  void Apply(Tracklet& tl, const Detection& d, double t);
  void Record(Tracklet& tl, const Detection& d, double t);
  void Confirm(Tracklet& tl) {
    tl.track.state = TrackState::kTracked;
    if (tl.track.id == 0) tl.track.id = next_id_++;
  }
  void RemoveDuplicates();

  ByteTrackParams p_;
  std::vector<Tracklet> tracklets_;
  std::unordered_map<std::string, int> label_ids_;
  int next_id_ = 1;
  bool started_ = false;
  double last_t_ = 0;
  core::Affine2D camera_motion_;  // for the next update; identity when still
  // Scratch buffers reused across updates.
  std::vector<core::Box> boxes_a_, boxes_b_;
  std::vector<Edge> edges_;
};

void ByteTracker::Apply(Tracklet& tl, const Detection& d, double t) {
  tl.filter.Update(d.box);
  Record(tl, d, t);
}

void ByteTracker::Record(Tracklet& tl, const Detection& d, double t) {
  Track& tr = tl.track;
  tl.matched = true;
  tr.box = p_.report_detection_box ? d.box : tl.filter.box();
  tr.score = d.score;
  tr.last_seen = t;
  ++tr.hits;
  const core::Point cv = tl.filter.CenterVelocity();
  tr.velocity = {cv.x, cv.y + tl.filter.HeightVelocity() / 2};  // the foot is centre + h/2
  tr.AddFoot(t, tl.filter.box().BottomCenter(), p_.history_length);
}

void ByteTracker::Associate(std::vector<int>& pool, std::vector<Candidate>& dets,
                            const std::vector<Detection>& detections, double min_sim, bool fuse,
                            double t, double buffer) {
  if (pool.empty() || dets.empty()) return;
  boxes_a_.clear();
  boxes_b_.clear();
  for (int i : pool) boxes_a_.push_back(Buffered(tracklets_[i].filter.box(), buffer));
  for (const Candidate& c : dets) boxes_b_.push_back(Buffered(detections[c.det].box, buffer));
  edges_.clear();
  for (const OverlapPair& op : OverlappingPairs(boxes_a_, boxes_b_)) {
    if (tracklets_[pool[op.a]].label_id != dets[op.b].label_id) continue;  // labels never mix
    const double sim = fuse ? op.iou * detections[dets[op.b].det].score : op.iou;
    if (sim >= min_sim) edges_.push_back({op.a, op.b, sim - min_sim + 1e-9});
  }
  const std::vector<Match> matches =
      SparseMaxWeightMatching(static_cast<int>(pool.size()), static_cast<int>(dets.size()), edges_);
  if (matches.empty()) return;
  std::vector<char> pool_used(pool.size(), 0), det_used(dets.size(), 0);
  for (const auto& [a, b] : matches) {
    Apply(tracklets_[pool[a]], detections[dets[b].det], t);
    pool_used[a] = det_used[b] = 1;
  }
  size_t k = 0;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (!pool_used[i]) pool[k++] = pool[i];
  }
  pool.resize(k);
  k = 0;
  for (size_t i = 0; i < dets.size(); ++i) {
    if (!det_used[i]) dets[k++] = dets[i];
  }
  dets.resize(k);
}

void ByteTracker::Predict(double t) {
  const double dt = started_ ? t - last_t_ : 0;
  started_ = true;
  last_t_ = t;
  for (Tracklet& tl : tracklets_) {
    tl.matched = false;
    if (tl.track.state == TrackState::kLost) tl.filter.StopHeightChange();
    tl.filter.Predict(dt);
  }
  if (camera_motion_ != core::Affine2D{}) {
    for (Tracklet& tl : tracklets_) tl.filter.Warp(camera_motion_);
    camera_motion_ = {};
  }
}

std::vector<Track> ByteTracker::Coast(double t) {
  if (!started_) return {};  // the first update keeps its first-frame rules
  Predict(t);
  std::vector<Track> out;
  for (Tracklet& tl : tracklets_) {
    if (tl.track.state != TrackState::kTracked) continue;
    Track& tr = tl.track;
    tr.box = tl.filter.box();
    tr.AddFoot(t, tr.box.BottomCenter(), p_.history_length);
    out.push_back(tr);
  }
  return out;
}

std::vector<Track> ByteTracker::Update(const std::vector<Detection>& detections, double t) {
  const bool first_update = !started_;
  Predict(t);

  std::vector<Candidate> high, low;
  for (int i = 0; i < static_cast<int>(detections.size()); ++i) {
    const Detection& d = detections[i];
    if (!(d.box.w > 0 && d.box.h > 0)) continue;
    if (d.score >= p_.high_score) {
      high.push_back({i, LabelId(d.label)});
    } else if (d.score >= p_.low_score) {
      low.push_back({i, LabelId(d.label)});
    }
  }

  // Stage 1: confirmed tracks (tracked and lost) against high-score detections.
  std::vector<int> pool, unconfirmed;
  for (int i = 0; i < static_cast<int>(tracklets_.size()); ++i) {
    (tracklets_[i].track.state == TrackState::kNew ? unconfirmed : pool).push_back(i);
  }
  if (p_.tracked_first) {
    // Tracks seen in the last update pick first; lost ones share what is left.
    std::vector<int> tracked, lost;
    for (int i : pool)
      (tracklets_[i].track.state == TrackState::kTracked ? tracked : lost).push_back(i);
    Associate(tracked, high, detections, p_.first_match_iou, p_.fuse_score, t);
    Associate(lost, high, detections, std::max(p_.first_match_iou, p_.lost_first_match_iou),
              p_.fuse_score, t);
    pool = tracked;
    pool.insert(pool.end(), lost.begin(), lost.end());
  } else {
    Associate(pool, high, detections, p_.first_match_iou, p_.fuse_score, t);
  }
  for (int i = 0; i < static_cast<int>(tracklets_.size()); ++i) {
    Tracklet& tl = tracklets_[i];
    if (tl.matched && tl.track.state == TrackState::kLost) Confirm(tl);  // re-found
  }

  // Stage 2: tracks still unmatched and tracked in the last update, against
  // low-score detections (occluded or blurred people).
  std::vector<int> tracked_pool;
  for (int i : pool) {
    if (tracklets_[i].track.state == TrackState::kTracked) tracked_pool.push_back(i);
  }
  Associate(tracked_pool, low, detections, p_.second_match_iou, false, t);
  for (int i : tracked_pool) tracklets_[i].track.state = TrackState::kLost;

  // Stage 2b: tracks still unmatched (lost now or before) get a second chance
  // against the remaining high detections with buffered IoU: their predicted
  // boxes drift while nobody sees them.
  if (p_.lost_buffer > 0) {
    std::vector<int> lost_pool;
    for (int i : pool) {
      if (tracklets_[i].track.state == TrackState::kLost) {
        lost_pool.push_back(i);
      }
    }
    std::vector<int> before = lost_pool;
    Associate(lost_pool, high, detections, p_.lost_match_iou, p_.fuse_score, t, p_.lost_buffer);
    for (int i : before) {
      if (tracklets_[i].matched) Confirm(tracklets_[i]);
    }
  }

  // Stage 3: unconfirmed tracks against the high detections left over.
  Associate(unconfirmed, high, detections, p_.unconfirmed_match_iou, p_.fuse_score, t);
  for (int i : unconfirmed) tracklets_[i].track.state = TrackState::kRemoved;
  for (Tracklet& tl : tracklets_) {
    if (tl.matched && tl.track.state == TrackState::kNew && tl.track.hits >= p_.min_hits) {
      Confirm(tl);
    }
  }

  // Births from confident unmatched detections.
  for (const Candidate& c : high) {
    const Detection& d = detections[c.det];
    if (d.score < p_.birth_score) continue;
    Tracklet tl;
    tl.filter = KalmanBoxFilter(d.box, p_.kalman);
    tl.label_id = c.label_id;
    tl.track.label = d.label;
    tl.track.first_seen = t;
    tl.track.state = TrackState::kNew;
    Record(tl, d, t);
    if (p_.min_hits <= 1 || (first_update && p_.confirm_in_first_update)) Confirm(tl);
    tracklets_.push_back(std::move(tl));
  }

  // Deaths: lost for longer than max_age_seconds or max_lost_updates.
  for (Tracklet& tl : tracklets_) {
    tl.missed = tl.matched ? 0 : tl.missed + 1;
    if (tl.track.state == TrackState::kLost &&
        (tl.track.TimeSinceSeen(t) > p_.max_age_seconds ||
         (p_.max_lost_updates > 0 && tl.missed > p_.max_lost_updates))) {
      tl.track.state = TrackState::kRemoved;
    }
  }
  if (p_.duplicate_iou > 0) RemoveDuplicates();
  std::erase_if(tracklets_,
                [](const Tracklet& tl) { return tl.track.state == TrackState::kRemoved; });

  std::vector<Track> out;
  for (const Tracklet& tl : tracklets_) {
    if (tl.matched && tl.track.state == TrackState::kTracked) out.push_back(tl.track);
  }
  return out;
}

void ByteTracker::RemoveDuplicates() {
  std::vector<int> tracked, lost;
  for (int i = 0; i < static_cast<int>(tracklets_.size()); ++i) {
    const TrackState s = tracklets_[i].track.state;
    if (s == TrackState::kTracked) tracked.push_back(i);
    if (s == TrackState::kLost) lost.push_back(i);
  }
  if (tracked.empty() || lost.empty()) return;
  boxes_a_.clear();
  boxes_b_.clear();
  for (int i : tracked) boxes_a_.push_back(tracklets_[i].filter.box());
  for (int i : lost) boxes_b_.push_back(tracklets_[i].filter.box());
  for (const OverlapPair& op : OverlappingPairs(boxes_a_, boxes_b_, p_.duplicate_iou)) {
    Tracklet& a = tracklets_[tracked[op.a]];
    Tracklet& b = tracklets_[lost[op.b]];
    if (a.label_id != b.label_id) continue;
    // Keep the one tracked for longer (ByteTrack's remove_duplicate_stracks).
    const double age_a = a.track.last_seen - a.track.first_seen;
    const double age_b = b.track.last_seen - b.track.first_seen;
    (age_a > age_b ? b : a).track.state = TrackState::kRemoved;
  }
}

std::vector<Track> ByteTracker::Active() const {
  std::vector<Track> out;
  for (const Tracklet& tl : tracklets_) {
    const TrackState s = tl.track.state;
    if (s == TrackState::kTracked || s == TrackState::kLost) {
      out.push_back(tl.track);
      if (s == TrackState::kLost) out.back().box = tl.filter.box();  // predicted position
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<Tracker> MakeByteTracker(const ByteTrackParams& params) {
  return std::make_unique<ByteTracker>(params);
}

}  // namespace argus::track
