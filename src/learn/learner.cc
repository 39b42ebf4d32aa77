#include "learn/learner.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace argus::learn {

namespace {

constexpr double kVelocityWindowS = 1.0;
// Velocities over less than this are too noisy to count.
constexpr double kMinVelocitySpanS = 0.25;
// Below this (box heights per second) a person is standing, not going anywhere.
constexpr double kMovingSpeed = 0.15;
// A foot must go this far (share of a cell) past the border to change cell.
constexpr double kHysteresis = 0.15;
// Gaps longer than this between analysed frames do not count as watched time.
constexpr double kMaxWatchedStepS = 2.0;
// Rescore a live track at least this often (its dwell grows).
constexpr double kRescoreS = 1.0;
constexpr double kHourS = 3600;

int DirectionBin(core::Point v) {
  const double a = std::atan2(v.y, v.x);  // image y points down; any fixed convention works
  const int b = static_cast<int>(std::lround(a / (2 * std::numbers::pi / kDirectionBins)));
  return (b + kDirectionBins) % kDirectionBins;
}

}  // namespace

VisitBuilder::VisitBuilder(GridSize grid, int width, int height)
    : grid_(grid), width_(std::max(1, width)), height_(std::max(1, height)) {}

void VisitBuilder::SetMotion(Visit* v) const {
  v->direction = -1;
  if (motion_n_ == 0) return;
  v->speed = speed_sum_ / motion_n_;
  const core::Point mean = motion_sum_ * (1.0 / motion_n_);
  if (v->speed >= kMovingSpeed && core::Norm(mean) > 0) v->direction = DirectionBin(mean);
}

void VisitBuilder::CloseVisit(double t) {
  open_.exit_t = t;
  SetMotion(&open_);
  visits_.push_back(open_);
  motion_sum_ = {};
  speed_sum_ = 0;
  motion_n_ = 0;
}

void VisitBuilder::Add(double t, const core::Box& box) {
  const core::Point foot = box.BottomCenter();
  const double rx = foot.x / width_ * grid_.cols;  // in cells
  const double ry = foot.y / height_ * grid_.rows;
  auto cell_of = [&](double x, double y) {
    const int c = std::clamp(static_cast<int>(std::floor(x)), 0, grid_.cols - 1);
    const int r = std::clamp(static_cast<int>(std::floor(y)), 0, grid_.rows - 1);
    return r * grid_.cols + c;
  };
  if (!has_open_) {
    first_t_ = t;
    open_ = {cell_of(rx, ry), t, t, -1, 0};
    has_open_ = true;
  } else {
    const int col = open_.cell % grid_.cols, row = open_.cell / grid_.cols;
    const bool left = rx < col - kHysteresis || rx > col + 1 + kHysteresis ||
                      ry < row - kHysteresis || ry > row + 1 + kHysteresis;
    if (left) {
      CloseVisit(t);
      open_ = {cell_of(rx, ry), t, t, -1, 0};
    }
  }
  last_t_ = t;
  open_.exit_t = t;

  const double h = std::max(1.0, box.h);
  recent_.push_back({t, foot, h});
  while (recent_.size() > 2 && t - recent_[1].t >= kVelocityWindowS) recent_.pop_front();
  const Sample& old = recent_.front();
  const double span = t - old.t;
  if (span >= kMinVelocitySpanS) {
    double mean_h = 0;
    for (const Sample& s : recent_) mean_h += s.h;
    mean_h /= recent_.size();
    const core::Point v = (foot - old.foot) * (1.0 / (span * mean_h));
    motion_sum_ = motion_sum_ + v;
    speed_sum_ += core::Norm(v);
    ++motion_n_;
  }
}

std::vector<Visit> VisitBuilder::Visits() const {
  std::vector<Visit> out = visits_;
  if (has_open_) {
    Visit v = open_;
    v.exit_t = last_t_;
    SetMotion(&v);
    out.push_back(v);
  }
  return out;
}

std::vector<Visit> ExtractVisits(const std::vector<TrackSample>& samples, GridSize grid, int width,
                                 int height) {
  VisitBuilder b(grid, width, height);
  for (const TrackSample& s : samples) b.Add(s.t, s.box);
  return b.Visits();
}

Learner::Learner(std::string camera, const config::LearnConfig& config, ActivityModel model)
    : camera_(std::move(camera)), config_(config), model_(std::move(model)) {
  scoring_.min_cell_tracks = config.min_cell_tracks;
  scoring_.min_camera_tracks = config.min_camera_tracks;
  const GridSize grid{config.grid_cols, config.grid_rows};
  if (model_.grid().cols != grid.cols || model_.grid().rows != grid.rows) {
    model_ = ActivityModel(grid, config.half_life_days);
  }
  model_.set_half_life_days(config.half_life_days);
}

void Learner::Observe(const std::vector<TrackSample>& tracks, int width, int height, double t,
                      int64_t frame, core::WallTime wall, TimeSlot slot,
                      std::vector<events::Event>* out) {
  model_.DecayTo(wall);
  if (last_t_ >= 0 && t > last_t_) model_.AddWatched(slot, std::min(t - last_t_, kMaxWatchedStepS));
  last_t_ = t;
  while (!recent_alerts_.empty() &&
         std::chrono::duration<double>(wall - recent_alerts_.front()).count() >= kHourS) {
    recent_alerts_.pop_front();
  }
  for (const TrackSample& s : tracks) {
    auto it = live_.find(s.id);
    if (it == live_.end()) {
      it = live_.emplace(s.id, Live{VisitBuilder(model_.grid(), width, height), slot, s}).first;
    }
    Live& live = it->second;
    live.visits.Add(s.t, s.box);
    live.last = s;
    Score(live, frame, wall, out);
  }
  for (auto it = live_.begin(); it != live_.end();) {
    if (t - it->second.last.t > kTrackGoneSeconds) {
      End(it->second, t, frame, out);
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
}

void Learner::Score(Live& live, int64_t frame, core::WallTime wall,
                    std::vector<events::Event>* out) {
  if (!live.event_id.empty()) return;  // one event per track
  const double t = live.last.t;
  if (live.visits.closed() == live.scored_closed && t - live.scored_t < kRescoreS) return;
  live.scored_closed = live.visits.closed();
  live.scored_t = t;
  auto worst = Worst(ScoreTrack(model_, live.visits.Visits(), live.slot, scoring_));
  if (!worst || worst->score < config_.threshold) return;
  if (static_cast<int>(recent_alerts_.size()) >= config_.max_alerts_per_hour) {
    ++suppressed_;
    live.event_id = "-";  // judged: do not count it again
    return;
  }
  recent_alerts_.push_back(wall);
  live.event_id = camera_ + "/" + kRuleName + "/" + std::to_string(++counter_);
  live.alerted_t = t;
  events::Event e = MakeEvent(live, events::Phase::kStart, t, frame);
  e.details["reason"] = ToString(worst->reason);
  e.details["score"] = std::round(worst->score * 1000) / 1000;
  e.details["explanation"] = worst->explanation;
  e.details["slot"] = live.slot.Describe();
  if (worst->cell >= 0) {
    const GridSize& g = model_.grid();
    e.details["cell"] = {{"col", worst->cell % g.cols}, {"row", worst->cell / g.cols}};
  }
  out->push_back(std::move(e));
}

events::Event Learner::MakeEvent(const Live& live, events::Phase phase, double t,
                                 int64_t frame) const {
  events::Event e;
  e.id = live.event_id;
  e.type = kEventType;
  e.phase = phase;
  e.camera = camera_;
  e.rule = kRuleName;
  e.severity = events::Severity::kWarning;
  e.t = t;
  e.frame = frame;
  e.track_id = live.last.id;
  e.label = live.last.label;
  e.bbox = live.last.box;
  e.details["first_t"] = live.alerted_t;
  return e;
}

void Learner::End(Live& live, double t, int64_t frame, std::vector<events::Event>* out) {
  model_.AddTrack(live.visits.Visits(), live.slot);
  if (live.event_id.empty() || live.event_id == "-") return;
  events::Event e = MakeEvent(live, events::Phase::kEnd, t, frame);
  e.details["duration_s"] = t - live.alerted_t;
  out->push_back(std::move(e));
}

void Learner::Finish(double t, int64_t frame, std::vector<events::Event>* out) {
  for (auto& [id, live] : live_) End(live, t, frame, out);
  live_.clear();
}

}  // namespace argus::learn
