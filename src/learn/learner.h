// The per-camera learner: turns the tracker's tracks into cell visits, scores
// each live track against the learned model and raises `unusual_activity`
// events (one per track at most, above the camera's threshold, at most
// max_alerts_per_hour), and learns every finished track, so what keeps
// happening becomes normal. Pure: own types, times passed in.
// Thread safety: one thread per instance (the camera's analysis thread).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/geometry.h"
#include "events/event.h"
#include "learn/model.h"
#include "learn/scorer.h"

namespace argus::learn {

// A track not seen for this long has ended (and is learned).
inline constexpr double kTrackGoneSeconds = 2.0;
inline constexpr const char* kEventType = "unusual_activity";
inline constexpr const char* kRuleName = "learn";

// One confirmed track in one frame.
struct TrackSample {
  int id = 0;
  double t = 0;   // stream seconds
  core::Box box;  // pixels
  std::string label = "person";
};

// Cuts one track into visits of grid cells, incrementally. Motion is measured
// over the last second, in box heights per second, so it means the same near
// and far from the camera; a small hysteresis at cell borders keeps a person
// standing on a border from making a visit per frame.
class VisitBuilder {
 public:
  VisitBuilder(GridSize grid, int width, int height);
  void Add(double t, const core::Box& box);
  // Visits so far, the last one still open (its exit is the last sample's time).
  std::vector<Visit> Visits() const;
  size_t closed() const { return visits_.size(); }
  double first_t() const { return first_t_; }

 private:
  void CloseVisit(double t);
  // The open visit's mean speed and direction so far.
  void SetMotion(Visit* v) const;

  GridSize grid_;
  int width_, height_;
  std::vector<Visit> visits_;
  struct Sample {
    double t;
    core::Point foot;
    double h;
  };
  std::deque<Sample> recent_;
  Visit open_;
  bool has_open_ = false;
  double first_t_ = 0, last_t_ = 0;
  core::Point motion_sum_;  // of velocities in heights per second
  double speed_sum_ = 0;
  int motion_n_ = 0;
};

// All visits of a whole track given as samples in time order.
std::vector<Visit> ExtractVisits(const std::vector<TrackSample>& samples, GridSize grid, int width,
                                 int height);

class Learner {
 public:
  // A `model` kept on another grid than the config's is dropped (the grid changed).
  Learner(std::string camera, const config::LearnConfig& config, ActivityModel model);

  // One analysed frame: the confirmed tracks seen in it, the frame size, stream
  // time, frame number, wall time (for forgetting) and local time slot.
  void Observe(const std::vector<TrackSample>& tracks, int width, int height, double t,
               int64_t frame, core::WallTime wall, TimeSlot slot, std::vector<events::Event>* out);
  // End of stream: learns every live track and ends their incidents.
  void Finish(double t, int64_t frame, std::vector<events::Event>* out);

  const ActivityModel& model() const { return model_; }
  const config::LearnConfig& config() const { return config_; }
  int64_t alerts_suppressed() const { return suppressed_; }

 private:
  struct Live {
    VisitBuilder visits;
    TimeSlot slot;
    TrackSample last;
    size_t scored_closed = SIZE_MAX;
    double scored_t = 0;
    std::string event_id;  // non-empty once alerted
    double alerted_t = 0;
  };
  void Score(Live& live, int64_t frame, core::WallTime wall, std::vector<events::Event>* out);
  void End(Live& live, double t, int64_t frame, std::vector<events::Event>* out);
  events::Event MakeEvent(const Live& live, events::Phase phase, double t, int64_t frame) const;

  std::string camera_;
  config::LearnConfig config_;
  ScoreParams scoring_;
  ActivityModel model_;
  std::map<int, Live> live_;
  std::deque<core::WallTime> recent_alerts_;  // within the last hour
  int64_t counter_ = 0;
  int64_t suppressed_ = 0;
  double last_t_ = -1;
};

}  // namespace argus::learn
