// Test helpers for the rule tests (header only, tests only): a config from
// YAML, a RuleEngine over it, and hand-made tracks on a synthetic stream clock.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/rule_engine.h"
#include "track/track.h"

namespace argus::rules::testing {

inline constexpr int kW = 1000;  // synthetic frame size: 1 px = 0.001 relative
inline constexpr int kH = 1000;

// "site: ... cameras: [cam with zones/lines]" + the rule lines given.
inline std::string CameraYaml(const std::string& rules, const std::string& extra_camera = "",
                              int inertia = 3) {
  return "site:\n"
         "  timezone: Europe/Paris\n"
         "  open_hours:\n"
         "    - {days: [mon, tue, wed, thu, fri, sat, sun], open: \"09:00\", close: \"18:00\"}\n"
         "cameras:\n"
         "  - name: cam\n"
         "    source: x.mp4\n"
         "    zone_inertia_frames: " +
         std::to_string(inertia) +
         "\n"
         "    zones:\n"
         "      - {name: room, polygon: [[0.2, 0.2], [0.6, 0.2], [0.6, 0.6], [0.2, 0.6]]}\n"
         "      - {name: painting, polygon: [[0.45, 0.1], [0.55, 0.1], [0.55, 0.2], [0.45, 0.2]]}\n"
         "    lines:\n"
         "      - {name: door, a: [0.2, 0.5], b: [0.8, 0.5]}\n" +
         extra_camera + "    rules:\n" + rules;
}

// Feeds a RuleEngine built from YAML frame by frame at `fps`.
class Harness {
 public:
  explicit Harness(const std::string& yaml, double fps = 10) : fps_(fps) {
    config::Diagnostics diag;
    auto cfg = config::ParseConfig(yaml, "test.yaml", &diag);
    EXPECT_TRUE(cfg.ok()) << diag.ToString();
    if (!cfg.ok()) return;
    cfg_ = std::move(cfg).value();
    auto engine = RuleEngine::Build(cfg_.site, cfg_.cameras.at(0), &diag);
    EXPECT_TRUE(engine.ok()) << diag.ToString();
    if (engine.ok()) engine_ = std::move(engine).value();
    // A Wednesday at 12:00 in Paris (open): 2024-06-12T10:00:00Z.
    wall_ = core::WallTime(std::chrono::seconds(1718186400));
  }
  bool ok() const { return engine_ != nullptr; }
  RuleEngine& engine() { return *engine_; }

  // Time of the next frame.
  double t() const { return static_cast<double>(frame_) / fps_; }
  int64_t frame() const { return frame_; }
  void set_wall(core::WallTime w) { wall_ = w; }

  // A track of `height` px whose foot (bottom-centre) is at `foot` (pixels) at
  // the next frame; keeps a history per id so speeds are meaningful.
  track::Track At(int id, core::Point foot, const std::string& label = "person",
                  double height = 100, double width = 40) {
    track::Track tr;
    tr.id = id;
    tr.label = label;
    tr.state = track::TrackState::kTracked;
    tr.box = {foot.x - width / 2, foot.y - height, width, height};
    auto& hist = history_[id];
    if (!hist.empty()) {
      const double dt = t() - hist.back().t;
      if (dt > 0) tr.velocity = (foot - hist.back().foot) * (1.0 / dt);
    }
    hist.push_back({t(), foot});
    while (hist.size() > 30) hist.pop_front();
    tr.history = hist;
    tr.first_seen = hist.front().t;
    tr.last_seen = t();
    tr.hits = static_cast<int>(hist.size());
    return tr;
  }

  // Runs one frame; returns the events it produced (also kept in events()).
  std::vector<events::Event> Step(const std::vector<track::Track>& tracks,
                                  const std::vector<track::Track>* active = nullptr,
                                  const SceneInput* scene = nullptr) {
    FrameInput in = Input();
    in.tracks = &tracks;
    in.active = active;
    in.scene = scene;
    std::vector<events::Event> out;
    engine_->Process(in, &out);
    ++frame_;
    wall_ += std::chrono::microseconds(static_cast<int64_t>(1e6 / fps_));
    events_.insert(events_.end(), out.begin(), out.end());
    return out;
  }
  std::vector<events::Event> Finish() {
    FrameInput in = Input();
    std::vector<events::Event> out;
    engine_->Finish(in, &out);
    events_.insert(events_.end(), out.begin(), out.end());
    return out;
  }

  const std::vector<events::Event>& events() const { return events_; }
  int Count(events::Phase p) const {
    int n = 0;
    for (const auto& e : events_) n += e.phase == p;
    return n;
  }

 private:
  FrameInput Input() const {
    FrameInput in;
    in.frame = frame_ + 1;
    in.t = t();
    in.wall = wall_;
    in.width = kW;
    in.height = kH;
    return in;
  }
  double fps_;
  config::Config cfg_;
  std::unique_ptr<RuleEngine> engine_;
  int64_t frame_ = 0;
  core::WallTime wall_;
  std::map<int, std::deque<track::TrackPoint>> history_;
  std::vector<events::Event> events_;
};

}  // namespace argus::rules::testing
