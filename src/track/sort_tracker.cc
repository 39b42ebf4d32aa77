#include "track/sort_tracker.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "track/assignment.h"
#include "track/iou_gating.h"

namespace argus::track {
namespace {

using Vector7 = Eigen::Matrix<double, 7, 1>;
using Matrix7 = Eigen::Matrix<double, 7, 7>;
using Vector4 = Eigen::Matrix<double, 4, 1>;
using Matrix4 = Eigen::Matrix<double, 4, 4>;

// SORT's filter: state (u, v, s, r, u', v', s') with s = area, r = w/h, noise
// exactly as in the reference sort.py (filterpy defaults, then scaled).
class SortFilter {
 public:
  explicit SortFilter(const core::Box& b) {
    x_.setZero();
    x_.head<4>() = Measure(b);
    p_ = Matrix7::Identity() * 10;
    p_.bottomRightCorner<3, 3>() *= 1000;
    q_ = Matrix7::Identity();
    q_(6, 6) *= 0.01;
    q_.bottomRightCorner<3, 3>() *= 0.01;
    r_ = Matrix4::Identity();
    r_.bottomRightCorner<2, 2>() *= 10;
  }
  void Predict() {
    if (x_(6) + x_(2) <= 0) x_(6) = 0;
    Matrix7 f = Matrix7::Identity();
    f(0, 4) = f(1, 5) = f(2, 6) = 1;
    x_ = f * x_;
    p_ = f * p_ * f.transpose() + q_;
  }
  void Update(const core::Box& b) {
    const Vector4 y = Measure(b) - x_.head<4>();
    const Matrix4 s = p_.topLeftCorner<4, 4>() + r_;
    const Eigen::Matrix<double, 7, 4> pht = p_.leftCols<4>();
    const Eigen::Matrix<double, 7, 4> k = Eigen::LLT<Matrix4>(s).solve(pht.transpose()).transpose();
    x_ += k * y;
    p_ -= k * pht.transpose();
  }
  core::Box box() const {
    const double s = std::max(x_(2), 0.0);
    const double w = std::sqrt(s * std::max(x_(3), 0.0));
    const double h = w > 0 ? s / w : 0;
    return {x_(0) - w / 2, x_(1) - h / 2, w, h};
  }
  bool Finite() const { return x_.allFinite(); }
  core::Point CenterVelocity() const { return {x_(4), x_(5)}; }

 private:
  static Vector4 Measure(const core::Box& b) {
    return {b.x + b.w / 2, b.y + b.h / 2, b.w * b.h, b.h > 0 ? b.w / b.h : 0};
  }
  Vector7 x_;
  Matrix7 p_, q_;
  Matrix4 r_;
};

struct SortTrack {
  Track track;
  SortFilter filter;
  int label_id = 0;
  int time_since_update = 0;
  int hit_streak = 0;
};

class SortTracker final : public Tracker {
 public:
  explicit SortTracker(const SortParams& p) : p_(p) {}

  std::vector<Track> Update(const std::vector<Detection>& detections, double t) override {
    ++frame_count_;
    const double dt = started_ ? t - last_t_ : 0;
    started_ = true;
    last_t_ = t;
    for (SortTrack& st : tracks_) {
      st.filter.Predict();
      if (st.time_since_update > 0) st.hit_streak = 0;
      ++st.time_since_update;
    }
    std::erase_if(tracks_, [](const SortTrack& st) { return !st.filter.Finite(); });

    std::vector<core::Box> predicted, det_boxes;
    for (const SortTrack& st : tracks_) predicted.push_back(st.filter.box());
    std::vector<int> det_label(detections.size());
    for (size_t i = 0; i < detections.size(); ++i) {
      det_boxes.push_back(detections[i].box);
      det_label[i] = LabelId(detections[i].label);
    }
    // Optimal assignment on IoU, then matches below the threshold are rejected
    // (sort.py: linear_assignment(-iou) followed by the iou_threshold filter).
    std::vector<Edge> edges;
    for (const OverlapPair& op : OverlappingPairs(det_boxes, predicted)) {
      if (det_label[op.a] == tracks_[op.b].label_id) edges.push_back({op.a, op.b, op.iou});
    }
    std::vector<char> det_matched(detections.size(), 0);
    const int rows = static_cast<int>(detections.size());
    const int cols = static_cast<int>(tracks_.size());
    for (const auto& [d, k] : SparseMaxWeightMatching(rows, cols, edges)) {
      if (core::IoU(det_boxes[d], predicted[k]) < p_.iou_threshold) continue;
      SortTrack& st = tracks_[k];
      st.filter.Update(detections[d].box);
      st.time_since_update = 0;
      ++st.hit_streak;
      Record(st, detections[d], t, dt);
      det_matched[d] = 1;
    }
    for (size_t d = 0; d < detections.size(); ++d) {
      if (det_matched[d]) continue;
      SortTrack st{Track{}, SortFilter(detections[d].box), det_label[d]};
      st.track.id = next_id_++;
      st.track.label = detections[d].label;
      st.track.first_seen = t;
      st.track.state = TrackState::kNew;
      Record(st, detections[d], t, dt);
      tracks_.push_back(std::move(st));
    }
    std::vector<Track> out;
    for (SortTrack& st : tracks_) {
      const bool confirmed = st.hit_streak >= p_.min_hits || frame_count_ <= p_.min_hits;
      if (st.time_since_update < 1 && confirmed) {
        st.track.state = TrackState::kTracked;
        out.push_back(st.track);
        out.back().box = st.filter.box();
      } else if (st.time_since_update > 0 && st.track.state == TrackState::kTracked) {
        st.track.state = TrackState::kLost;
      }
    }
    std::erase_if(tracks_,
                  [&](const SortTrack& st) { return st.time_since_update > p_.max_age_frames; });
    return out;
  }

  // SORT counts frames: a coasted frame is one prediction step, not a miss.
  std::vector<Track> Coast(double t) override {
    if (!started_) return {};
    last_t_ = t;
    std::vector<Track> out;
    for (SortTrack& st : tracks_) {
      st.filter.Predict();
      if (st.track.state != TrackState::kTracked) continue;
      Track& tr = st.track;
      tr.box = st.filter.box();
      tr.AddFoot(t, tr.box.BottomCenter(), p_.history_length);
      out.push_back(tr);
    }
    return out;
  }

  std::vector<Track> Active() const override {
    std::vector<Track> out;
    for (const SortTrack& st : tracks_) {
      if (st.track.state == TrackState::kTracked || st.track.state == TrackState::kLost) {
        out.push_back(st.track);
        out.back().box = st.filter.box();
      }
    }
    return out;
  }

 private:
  int LabelId(const std::string& label) {
    auto [it, inserted] = label_ids_.try_emplace(label, static_cast<int>(label_ids_.size()));
    return it->second;
  }
  void Record(SortTrack& st, const Detection& d, double t, double dt) {
    Track& tr = st.track;
    tr.score = d.score;
    tr.last_seen = t;
    ++tr.hits;
    tr.box = st.filter.box();
    // SORT's velocity is per frame; convert with the observed frame interval.
    const core::Point v = st.filter.CenterVelocity();
    tr.velocity = dt > 0 ? core::Point{v.x / dt, v.y / dt} : core::Point{};
    tr.AddFoot(t, tr.box.BottomCenter(), p_.history_length);
  }

  SortParams p_;
  std::vector<SortTrack> tracks_;
  std::unordered_map<std::string, int> label_ids_;
  int frame_count_ = 0;
  int next_id_ = 1;
  bool started_ = false;
  double last_t_ = 0;
};

}  // namespace

std::unique_ptr<Tracker> MakeSortTracker(const SortParams& params) {
  return std::make_unique<SortTracker>(params);
}

}  // namespace argus::track
