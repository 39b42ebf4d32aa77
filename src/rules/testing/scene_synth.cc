#include "rules/testing/scene_synth.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "rules/abandoned_object.h"
#include "rules/object_removed.h"
#include "rules/rule_engine.h"
#include "rules/scene_background.h"
#include "rules/scene_signals.h"
#include "rules/tamper.h"

namespace argus::rules::synth {
namespace {

constexpr int kMargin = 32;  // world texture beyond the view, for camera moves
constexpr int kNoiseTable = 1 << 16;
constexpr size_t kHistoryPoints = 50;
constexpr double kWalkHeightsPerSecond = 0.75;  // ~1.3 m/s for a 1.7 m person

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  double Uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(g_); }
  int Int(int a, int b) { return std::uniform_int_distribution<int>(a, b)(g_); }
  bool Coin() { return Int(0, 1) == 1; }
  std::mt19937_64& engine() { return g_; }

 private:
  std::mt19937_64 g_;
};

// Smooth random field in -1..1 with features of about `cell` pixels.
std::vector<float> ValueNoise(int w, int h, double cell, Rng* rng) {
  const int gw = static_cast<int>(w / cell) + 3, gh = static_cast<int>(h / cell) + 3;
  std::vector<float> grid(static_cast<size_t>(gw) * gh);
  for (float& v : grid) v = static_cast<float>(rng->Uniform(-1, 1));
  std::vector<float> out(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y) {
    const double gy = y / cell;
    const int iy = static_cast<int>(gy);
    double fy = gy - iy;
    fy = fy * fy * (3 - 2 * fy);
    for (int x = 0; x < w; ++x) {
      const double gx = x / cell;
      const int ix = static_cast<int>(gx);
      double fx = gx - ix;
      fx = fx * fx * (3 - 2 * fx);
      auto g = [&](int xx, int yy) { return grid[static_cast<size_t>(yy) * gw + xx]; };
      const double top = g(ix, iy) * (1 - fx) + g(ix + 1, iy) * fx;
      const double bottom = g(ix, iy + 1) * (1 - fx) + g(ix + 1, iy + 1) * fx;
      out[static_cast<size_t>(y) * w + x] = static_cast<float>(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

bool Visible(const Figure& f, double t) {
  return !f.path.empty() && t >= f.path.front().t && t <= f.path.back().t;
}

core::Point FootAt(const Figure& f, double t) {
  if (t <= f.path.front().t) return f.path.front().foot;
  for (size_t i = 1; i < f.path.size(); ++i) {
    if (t <= f.path[i].t) {
      const Keyframe& a = f.path[i - 1];
      const Keyframe& b = f.path[i];
      const double u = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1.0;
      return a.foot + (b.foot - a.foot) * u;
    }
  }
  return f.path.back().foot;
}

core::Box FigureBox(const Figure& f, core::Point foot) {
  return {foot.x - f.width / 2, foot.y - f.height, f.width, f.height};
}

double GainAt(const std::vector<GainKey>& keys, double t) {
  if (keys.empty()) return 1;
  if (t <= keys.front().t) return keys.front().gain;
  for (size_t i = 1; i < keys.size(); ++i) {
    if (t <= keys[i].t) {
      const double u =
          keys[i].t > keys[i - 1].t ? (t - keys[i - 1].t) / (keys[i].t - keys[i - 1].t) : 1;
      return keys[i - 1].gain + (keys[i].gain - keys[i - 1].gain) * u;
    }
  }
  return keys.back().gain;
}

void BoxBlur(std::vector<float>* img, int w, int h, int r) {
  std::vector<float> tmp(img->size());
  const float norm = 1.0f / (2 * r + 1);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float s = 0;
      for (int k = -r; k <= r; ++k)
        s += (*img)[static_cast<size_t>(y) * w + std::clamp(x + k, 0, w - 1)];
      tmp[static_cast<size_t>(y) * w + x] = s * norm;
    }
  }
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      float s = 0;
      for (int k = -r; k <= r; ++k)
        s += tmp[static_cast<size_t>(std::clamp(y + k, 0, h - 1)) * w + x];
      (*img)[static_cast<size_t>(y) * w + x] = s * norm;
    }
  }
}

}  // namespace

struct Generator::Impl {
  Scenario s;
  Rng rng{0};
  int ww = 0, wh = 0;  // world texture size
  std::vector<float> world;
  std::vector<std::vector<float>> painting_tex;
  std::vector<float> cover;
  std::vector<float> noise;
  std::vector<float> stripe_phase;

  core::Point Shift(double t) const {
    return t >= s.camera.moved_t ? s.camera.moved_by : core::Point{0, 0};
  }
};

Generator::Generator(const Scenario& scenario, uint64_t seed) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.s = scenario;
  d.rng = Rng(seed * 7919 + 17);
  const int w = scenario.width, h = scenario.height;
  const double unit = w / 320.0;  // texture scales with the frame
  d.ww = w + 2 * kMargin;
  d.wh = h + 2 * kMargin;
  const auto coarse = ValueNoise(d.ww, d.wh, 40 * unit, &d.rng);
  const auto mid = ValueNoise(d.ww, d.wh, 9 * unit, &d.rng);
  const auto fine = ValueNoise(d.ww, d.wh, std::max(1.5, 2.5 * unit), &d.rng);
  d.world.resize(coarse.size());
  for (size_t i = 0; i < d.world.size(); ++i) {
    d.world[i] = 125 + 40 * coarse[i] + 28 * mid[i] + 16 * fine[i];
  }
  // Hard-edged structure (panels, doors, benches): what focus is judged on.
  for (int k = 0; k < 14; ++k) {
    const int rx = d.rng.Int(0, d.ww - 1), ry = d.rng.Int(0, d.wh - 1);
    const int rw = d.rng.Int(d.ww / 12, d.ww / 4), rh = d.rng.Int(d.wh / 12, d.wh / 3);
    const float delta =
        static_cast<float>(d.rng.Coin() ? d.rng.Uniform(20, 40) : -d.rng.Uniform(20, 40));
    for (int y = ry; y < std::min(d.wh, ry + rh); ++y) {
      for (int x = rx; x < std::min(d.ww, rx + rw); ++x)
        d.world[static_cast<size_t>(y) * d.ww + x] += delta;
    }
  }
  for (const Painting& p : scenario.paintings) {
    const int pw = std::max(1, static_cast<int>(std::ceil(p.box.w)));
    const int ph = std::max(1, static_cast<int>(std::ceil(p.box.h)));
    auto a = ValueNoise(pw, ph, std::max(2.0, 5 * unit), &d.rng);
    auto b = ValueNoise(pw, ph, std::max(1.5, 2 * unit), &d.rng);
    const double base = d.rng.Uniform(90, 170);
    std::vector<float> tex(a.size());
    const int border = std::max(1, static_cast<int>(2 * unit));
    for (int y = 0; y < ph; ++y) {
      for (int x = 0; x < pw; ++x) {
        const size_t i = static_cast<size_t>(y) * pw + x;
        const bool frame = x < border || y < border || x >= pw - border || y >= ph - border;
        tex[i] = frame ? 25.0f : static_cast<float>(base + 75 * a[i] + 30 * b[i]);
      }
    }
    d.painting_tex.push_back(std::move(tex));
  }
  const auto smooth = ValueNoise(w, h, 80 * unit, &d.rng);
  d.cover.resize(smooth.size());
  for (size_t i = 0; i < smooth.size(); ++i) d.cover[i] = 22 + 3 * smooth[i];
  std::normal_distribution<float> normal(0, static_cast<float>(scenario.camera.noise_sigma));
  d.noise.resize(kNoiseTable);
  for (float& v : d.noise) v = normal(d.rng.engine());
  for (size_t i = 0; i < scenario.figures.size(); ++i) {
    d.stripe_phase.push_back(static_cast<float>(d.rng.Uniform(0, 6.28)));
  }
}

Generator::~Generator() = default;

int64_t Generator::frame_count() const {
  return static_cast<int64_t>(std::floor(impl_->s.duration_s * impl_->s.fps)) + 1;
}

Frame Generator::Render(int64_t index) {
  Impl& d = *impl_;
  const Scenario& s = d.s;
  const CameraScript& cam = s.camera;
  Frame f;
  f.frame = index + 1;
  f.t = index / s.fps;
  const double t = f.t;
  if (t >= cam.lost_t && t < cam.restored_t) {
    f.missing = true;
    return f;
  }
  const int w = s.width, h = s.height;
  const core::Point shift = d.Shift(t);
  const int ox = kMargin + static_cast<int>(std::lround(shift.x));
  const int oy = kMargin + static_cast<int>(std::lround(shift.y));
  std::vector<float> img(static_cast<size_t>(w) * h);
  f.truth = core::GrayImage(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int wx = std::clamp(x + ox, 0, d.ww - 1), wy = std::clamp(y + oy, 0, d.wh - 1);
      img[static_cast<size_t>(y) * w + x] = d.world[static_cast<size_t>(wy) * d.ww + wx];
    }
  }
  auto put = [&](int x, int y, float v, bool truth) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    img[static_cast<size_t>(y) * w + x] = v;
    if (truth) f.truth.at(x, y) = 255;
  };
  // Paintings (world coordinates, shifted with the camera).
  for (size_t k = 0; k < s.paintings.size(); ++k) {
    const Painting& p = s.paintings[k];
    if (t >= p.removed_t) continue;
    const int pw = std::max(1, static_cast<int>(std::ceil(p.box.w)));
    const int ph = std::max(1, static_cast<int>(std::ceil(p.box.h)));
    const int x0 = static_cast<int>(std::lround(p.box.x - shift.x));
    const int y0 = static_cast<int>(std::lround(p.box.y - shift.y));
    for (int y = 0; y < ph; ++y) {
      for (int x = 0; x < pw; ++x)
        put(x0 + x, y0 + y, d.painting_tex[k][static_cast<size_t>(y) * pw + x], false);
    }
  }
  auto draw_bag = [&](const Bag& b, core::Point foot) {
    const int x0 = static_cast<int>(std::lround(foot.x - b.width / 2 - shift.x));
    const int y0 = static_cast<int>(std::lround(foot.y - b.height - shift.y));
    const int bw = static_cast<int>(std::lround(b.width)),
              bh = static_cast<int>(std::lround(b.height));
    for (int y = 0; y < bh; ++y) {
      for (int x = 0; x < bw; ++x) {
        const float tex = ((x / 3 + y / 3) % 2) ? 6.0f : -6.0f;
        put(x0 + x, y0 + y, b.luma + tex, true);
      }
    }
  };
  // Bags on the floor, then figures far to near, each carried bag with its figure.
  for (const Bag& b : s.bags) {
    if (t >= b.drop_t && t < b.taken_t) draw_bag(b, b.foot);
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < s.figures.size(); ++i) {
    if (Visible(s.figures[i], t)) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return FootAt(s.figures[a], t).y < FootAt(s.figures[b], t).y;
  });
  for (size_t i : order) {
    const Figure& fig = s.figures[i];
    const core::Point foot = FootAt(fig, t) - shift;
    const double top = foot.y - fig.height;
    const double hw = fig.width / 2;
    const double stripe = std::max(2.0, fig.height / 14);
    const int y0 = static_cast<int>(std::floor(top)), y1 = static_cast<int>(std::ceil(foot.y));
    const int x0 = static_cast<int>(std::floor(foot.x - hw)),
              x1 = static_cast<int>(std::ceil(foot.x + hw));
    for (int y = y0; y < y1; ++y) {
      const double v = (y + 0.5 - top) / fig.height;  // 0 head .. 1 feet
      for (int x = x0; x < x1; ++x) {
        const double u = (x + 0.5 - foot.x) / hw;  // -1..1
        float val = -1;
        if (v < 0.16) {
          const double du = u / 0.45, dv = (v - 0.08) / 0.08;
          if (du * du + dv * dv <= 1) val = fig.head;
        } else if (v < 0.55) {
          const double dv = (v - 0.35) / 0.21;
          if (u * u + dv * dv <= 1.05) {
            val = static_cast<float>(
                fig.shirt + 14 * std::sin(2 * std::numbers::pi * y / stripe + d.stripe_phase[i]));
          }
        } else if (std::fabs(u) < 0.8 && std::fabs(u) > 0.08) {
          val = fig.trousers;
        }
        if (val >= 0) put(x, y, val, true);
      }
    }
    for (const Bag& b : s.bags) {
      if (b.carrier != fig.track_id || t >= b.drop_t) continue;
      const core::Point at_drop = FootAt(fig, b.drop_t);
      draw_bag(b, FootAt(fig, t) + (b.foot - at_drop));
    }
  }
  // Camera: lighting, cover, optics, sensor noise.
  const float gain = static_cast<float>(GainAt(cam.gain, t));
  for (float& v : img) v *= gain;
  if (t >= cam.covered_t && t < cam.uncovered_t) img = d.cover;
  if (t >= cam.defocus_t) BoxBlur(&img, w, h, cam.defocus_radius);
  f.gray = core::GrayImage(w, h);
  std::uniform_int_distribution<int> start(0, kNoiseTable - 1);
  for (int y = 0; y < h; ++y) {
    int k = start(d.rng.engine());
    for (int x = 0; x < w; ++x) {
      const float v = img[static_cast<size_t>(y) * w + x] + d.noise[k];
      k = (k + 1) & (kNoiseTable - 1);
      f.gray.at(x, y) = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
  }
  // Tracks: exact boxes (clipped to the frame) with a little jitter, source pixels.
  std::normal_distribution<double> jitter(0, 1);
  for (size_t i = 0; i < s.figures.size(); ++i) {
    const Figure& fig = s.figures[i];
    if (!fig.tracked || !Visible(fig, t)) continue;
    const core::Box b = FigureBox(fig, FootAt(fig, t) - shift);
    const double cx0 = std::max(0.0, b.x), cy0 = std::max(0.0, b.y);
    const double cx1 = std::min<double>(w, b.Right()), cy1 = std::min<double>(h, b.Bottom());
    if (cx1 <= cx0 || cy1 <= cy0 || (cx1 - cx0) * (cy1 - cy0) < 0.3 * b.Area()) continue;
    const double j = cam.track_jitter * fig.height;
    track::Track tr;
    tr.id = fig.track_id;
    tr.label = "person";
    tr.state = track::TrackState::kTracked;
    tr.score = 0.9f;
    tr.box = {(cx0 + j * jitter(d.rng.engine())) * s.scale,
              (cy0 + j * jitter(d.rng.engine())) * s.scale, (cx1 - cx0) * s.scale,
              (cy1 - cy0) * s.scale};
    tr.first_seen = fig.path.front().t;
    tr.last_seen = t;
    tr.hits = static_cast<int>((t - tr.first_seen) * s.fps) + 1;
    const double dt = 1 / s.fps;
    const core::Point now = FootAt(fig, t), before = FootAt(fig, std::max(tr.first_seen, t - dt));
    tr.velocity = (now - before) * (s.scale / dt);
    for (size_t k = kHistoryPoints; k-- > 0;) {
      const double th = t - k * dt;
      if (th < tr.first_seen) continue;
      tr.history.push_back({th, (FootAt(fig, th) - shift) * s.scale});
    }
    f.tracks.push_back(std::move(tr));
  }
  return f;
}

// ---------------------------------------------------------------------------
// Scenario scripts.
namespace {

double PersonHeight(double foot_y, int h) { return h * (0.2 + 0.18 * (foot_y / h - 0.45) / 0.53); }

Figure MakeFigure(int id, Rng* rng, double foot_y, int h) {
  Figure f;
  f.track_id = id;
  f.height = PersonHeight(foot_y, h);
  f.width = 0.36 * f.height;
  f.head = static_cast<uint8_t>(rng->Uniform(140, 200));
  // Clothes far from the mid-grey background, as most clothes are in practice.
  f.shirt = static_cast<uint8_t>(rng->Coin() ? rng->Uniform(20, 60) : rng->Uniform(195, 235));
  f.trousers = static_cast<uint8_t>(rng->Coin() ? rng->Uniform(15, 50) : rng->Uniform(190, 230));
  return f;
}

// Appends a straight walk from the figure's last keyframe to `to`.
void WalkTo(Figure* f, core::Point to) {
  const Keyframe& last = f->path.back();
  const double speed = kWalkHeightsPerSecond * f->height;
  f->path.push_back({last.t + core::Distance(last.foot, to) / speed, to});
}
void Wait(Figure* f, double seconds) {
  f->path.push_back({f->path.back().t + seconds, f->path.back().foot});
}

void AddPainting(Scenario* s, Rng* rng) {
  const int w = s->width, h = s->height;
  Painting p;
  p.box.w = rng->Uniform(0.16, 0.24) * w;
  p.box.h = rng->Uniform(0.19, 0.24) * h;
  p.box.x = rng->Uniform(0.15, 0.85) * w - p.box.w / 2;
  p.box.y = rng->Uniform(0.10, 0.14) * h;
  s->paintings.push_back(p);
  s->painting_zone = {{p.box.x / w, p.box.y / h},
                      {p.box.Right() / w, p.box.y / h},
                      {p.box.Right() / w, p.box.Bottom() / h},
                      {p.box.x / w, p.box.Bottom() / h}};
}

// Someone who crosses the room from one side to the other, starting at `t0`.
void AddPasserBy(Scenario* s, Rng* rng, int id, double t0) {
  const int w = s->width, h = s->height;
  const double y0 = rng->Uniform(0.5, 0.95) * h,
               y1 = std::clamp(y0 + rng->Uniform(-0.1, 0.1) * h, 0.5 * h, 0.97 * h);
  Figure f = MakeFigure(id, rng, (y0 + y1) / 2, h);
  const bool ltr = rng->Coin();
  const double margin = f.width;
  f.path.push_back({t0, {ltr ? -margin : w + margin, y0}});
  WalkTo(&f, {ltr ? w + margin : -margin, y1});
  s->figures.push_back(f);
}

Scenario Base(const char* name, int w, int h, Rng* rng) {
  Scenario s;
  s.name = name;
  s.width = w;
  s.height = h;
  s.scale = 640.0 / w;
  AddPainting(&s, rng);
  return s;
}

// The owner drops a bag and walks off; returns the time the owner is first
// beyond `distance_m` of the bag (or out of view).
double BeyondTime(const Scenario& s, const Figure& owner, const Bag& bag, double distance_m) {
  for (double t = bag.drop_t; t <= owner.path.back().t; t += 0.02) {
    const core::Point foot = FootAt(owner, t);
    const core::Box b = FigureBox(owner, foot);
    const bool in_view = b.Right() > 0 && b.x < s.width;
    const double metres = core::Distance(foot, bag.foot) / owner.height * kPersonHeightMetres;
    if (!in_view || metres > distance_m) return t;
  }
  return owner.path.back().t;
}

Bag MakeBag(Rng* rng, const Figure& owner, double drop_t, bool right) {
  Bag b;
  b.carrier = owner.track_id;
  b.drop_t = drop_t;
  b.width = 0.3 * owner.height;
  b.height = 0.2 * owner.height;
  const core::Point foot = FootAt(owner, drop_t);
  b.foot = {foot.x + (right ? 1 : -1) * (owner.width / 2 + b.width / 2 + 1), foot.y};
  b.luma = static_cast<uint8_t>(rng->Coin() ? rng->Uniform(20, 45) : rng->Uniform(205, 235));
  return b;
}

}  // namespace

Scenario AbandonedBag(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("abandoned_bag", w, h, &rng);
  const double y = rng.Uniform(0.6, 0.9) * h;
  Figure owner = MakeFigure(1, &rng, y, h);
  const bool ltr = rng.Coin();
  const double x_drop = rng.Uniform(0.35, 0.65) * w;
  owner.path.push_back({rng.Uniform(6, 10), {ltr ? -owner.width : w + owner.width, y}});
  WalkTo(&owner, {x_drop, y});
  Wait(&owner, 2);
  const double drop_t = owner.path.back().t - 1;
  Wait(&owner, 1);
  WalkTo(&owner, {ltr ? w + owner.width : -owner.width, y + rng.Uniform(-0.05, 0.05) * h});
  const Bag bag = MakeBag(&rng, owner, drop_t, !ltr);
  s.figures.push_back(owner);
  s.bags.push_back(bag);
  for (int i = 0; i < 2; ++i) AddPasserBy(&s, &rng, 2 + i, rng.Uniform(2, 40));
  const double beyond = BeyondTime(s, owner, bag, kDefaultOwnerDistanceMetres);
  const double ideal = beyond + kDefaultUnattendedSeconds;
  s.expected.push_back({"abandoned_object", "", ideal, ideal - 1, ideal + 10, owner.track_id});
  s.duration_s = ideal + 15;
  return s;
}

Scenario PersonStandsStill(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("person_stands_still", w, h, &rng);
  const double y = rng.Uniform(0.6, 0.9) * h;
  Figure p = MakeFigure(1, &rng, y, h);
  const bool ltr = rng.Coin();
  p.path.push_back({1.0, {ltr ? -p.width : w + p.width, y}});
  WalkTo(&p, {rng.Uniform(0.3, 0.7) * w, y});
  Wait(&p, 60);
  WalkTo(&p, {ltr ? -p.width : w + p.width, y});
  s.figures.push_back(p);
  for (int i = 0; i < 3; ++i) AddPasserBy(&s, &rng, 2 + i, rng.Uniform(2, 70));
  s.duration_s = p.path.back().t + 10;
  return s;
}

Scenario AttendedBag(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("attended_bag", w, h, &rng);
  const double y = rng.Uniform(0.6, 0.9) * h;
  Figure owner = MakeFigure(1, &rng, y, h);
  const bool ltr = rng.Coin();
  const double x_drop = rng.Uniform(0.35, 0.65) * w;
  owner.path.push_back({1.0, {ltr ? -owner.width : w + owner.width, y}});
  WalkTo(&owner, {x_drop, y});
  Wait(&owner, 2);
  const double drop_t = owner.path.back().t - 1;
  Bag bag = MakeBag(&rng, owner, drop_t, !ltr);
  // Steps about a metre away and waits there, then comes back for the bag.
  const double metre = owner.height / kPersonHeightMetres;
  WalkTo(&owner, {x_drop + (ltr ? -1 : 1) * 1.2 * metre, y});
  Wait(&owner, 60);
  WalkTo(&owner, {x_drop, y});
  Wait(&owner, 1);
  bag.taken_t = owner.path.back().t;
  s.bags.push_back(bag);
  WalkTo(&owner, {ltr ? w + owner.width : -owner.width, y});
  s.figures.push_back(owner);
  for (int i = 0; i < 2; ++i) AddPasserBy(&s, &rng, 2 + i, rng.Uniform(2, 60));
  s.duration_s = owner.path.back().t + 5;
  return s;
}

Scenario PaintingRemoved(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("painting_removed", w, h, &rng);
  Painting& p = s.paintings[0];
  // The thief stands in front of the painting (hiding it) while taking it.
  const double y = 0.5 * h;
  Figure thief = MakeFigure(1, &rng, y, h);
  const bool ltr = rng.Coin();
  thief.path.push_back({rng.Uniform(18, 25), {ltr ? -thief.width : w + thief.width, y}});
  WalkTo(&thief, {p.box.Center().x, y});
  p.removed_t = thief.path.back().t + 2;
  Wait(&thief, 5);
  WalkTo(&thief, {ltr ? w + thief.width : -thief.width, y});
  s.figures.push_back(thief);
  // When the painting is first seen again without anyone in front.
  double clear = p.removed_t;
  for (double t = p.removed_t; t <= thief.path.back().t; t += 0.02) {
    const core::Box b = FigureBox(thief, FootAt(thief, t));
    clear = t;
    if (core::IntersectionArea(b, p.box) <= 0) break;
  }
  for (int i = 0; i < 2; ++i) AddPasserBy(&s, &rng, 2 + i, rng.Uniform(2, 50));
  const double ideal = clear + kDefaultRemovedMinDurationSeconds;
  s.expected.push_back({"object_removed", "", ideal, p.removed_t, ideal + 12, -1});
  s.duration_s = ideal + 20;
  return s;
}

Scenario PaintingPassersBy(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("painting_passers_by", w, h, &rng);
  const Painting& p = s.paintings[0];
  // A visitor looks at the painting for 20 s from close by; others pass.
  const double y = 0.5 * h;
  Figure v = MakeFigure(1, &rng, y, h);
  v.path.push_back({rng.Uniform(15, 20), {-v.width, y}});
  WalkTo(&v, {p.box.Center().x + rng.Uniform(-0.3, 0.3) * p.box.w, y});
  Wait(&v, 20);
  WalkTo(&v, {w + v.width, y});
  s.figures.push_back(v);
  for (int i = 0; i < 6; ++i) AddPasserBy(&s, &rng, 2 + i, rng.Uniform(2, 60));
  s.duration_s = 75;
  return s;
}

namespace {
// Camera faults start at a random time after the baselines are learned.
double FaultTime(Rng* rng) { return rng->Uniform(20, 30); }

Expected TamperExpected(const char* reason, double t0, double persist) {
  const double ideal = t0 + persist;
  return {"tamper", reason, ideal, ideal - 1, ideal + 4, -1};
}
}  // namespace

Scenario LensCovered(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("lens_covered", w, h, &rng);
  const double t0 = FaultTime(&rng);
  s.camera.covered_t = t0;
  s.camera.uncovered_t = t0 + 20;
  s.expected.push_back(TamperExpected("covered", t0, kDefaultTamperMinDurationSeconds));
  AddPasserBy(&s, &rng, 1, rng.Uniform(2, 15));
  s.duration_s = t0 + 35;
  return s;
}

Scenario Defocused(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("defocused", w, h, &rng);
  const double t0 = FaultTime(&rng);
  s.camera.defocus_t = t0;
  s.camera.defocus_radius = std::max(2, static_cast<int>(std::lround(3.0 * w / 320)));
  s.expected.push_back(TamperExpected("defocused", t0, kDefaultTamperMinDurationSeconds));
  AddPasserBy(&s, &rng, 1, rng.Uniform(2, 15));
  s.duration_s = t0 + 20;
  return s;
}

Scenario CameraMoved(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("camera_moved", w, h, &rng);
  const double t0 = FaultTime(&rng);
  s.camera.moved_t = t0;
  const double mag = rng.Uniform(0.03, 0.08) * w;
  const double ang = rng.Uniform(0, 2 * std::numbers::pi);
  s.camera.moved_by = {mag * std::cos(ang), mag * std::sin(ang) * 0.6};
  s.expected.push_back(TamperExpected("moved", t0, kDefaultTamperMinDurationSeconds));
  AddPasserBy(&s, &rng, 1, rng.Uniform(2, 15));
  s.duration_s = t0 + 20;
  return s;
}

Scenario SignalLost(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("signal_lost", w, h, &rng);
  const double t0 = FaultTime(&rng);
  s.camera.lost_t = t0;
  s.camera.restored_t = t0 + 15;
  // Without ticks the loss is only visible when frames come back.
  Expected e = TamperExpected("signal_lost", t0, kDefaultSignalLostSeconds);
  e.t_to = s.camera.restored_t + 1;
  s.expected.push_back(e);
  AddPasserBy(&s, &rng, 1, rng.Uniform(2, 15));
  s.duration_s = t0 + 25;
  return s;
}

Scenario LightsOffOn(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("lights_off_on", w, h, &rng);
  const double off = rng.Uniform(15, 25), on = off + rng.Uniform(15, 25);
  const double dim = rng.Uniform(0.3, 0.5);
  s.camera.gain = {{off - 0.01, 1}, {off, dim}, {on - 0.01, dim}, {on, 1}};
  for (int i = 0; i < 4; ++i) AddPasserBy(&s, &rng, 1 + i, rng.Uniform(2, 55));
  s.duration_s = on + 20;
  return s;
}

Scenario DaylightRamp(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("daylight_ramp", w, h, &rng);
  const double low = rng.Uniform(0.45, 0.6);
  s.camera.gain = {{5, 1}, {65, low}, {125, 1}};
  for (int i = 0; i < 5; ++i) AddPasserBy(&s, &rng, 1 + i, rng.Uniform(2, 110));
  s.duration_s = 130;
  return s;
}

Scenario CloseToLens(uint64_t seed, int w, int h) {
  Rng rng(seed);
  Scenario s = Base("close_to_lens", w, h, &rng);
  for (int i = 0; i < 3; ++i) {
    Figure f = MakeFigure(1 + i, &rng, h, h);
    f.height = rng.Uniform(1.2, 1.5) * h;
    f.width = rng.Uniform(0.5, 0.7) * w;
    f.tracked = false;  // too close for the detector
    const double y = f.height * 0.85;
    const bool ltr = rng.Coin();
    f.path.push_back(
        {10.0 + 15 * i + rng.Uniform(0, 5), {ltr ? -f.width / 2 : w + f.width / 2, y}});
    f.path.push_back(
        {f.path.back().t + rng.Uniform(1.2, 2.0), {ltr ? w + f.width / 2 : -f.width / 2, y}});
    s.figures.push_back(f);
  }
  s.duration_s = 60;
  return s;
}

const std::vector<NamedMaker>& AllScenarios() {
  static const std::vector<NamedMaker> all = {
      {"abandoned_bag", &AbandonedBag},
      {"person_stands_still", &PersonStandsStill},
      {"attended_bag", &AttendedBag},
      {"painting_removed", &PaintingRemoved},
      {"painting_passers_by", &PaintingPassersBy},
      {"lens_covered", &LensCovered},
      {"defocused", &Defocused},
      {"camera_moved", &CameraMoved},
      {"signal_lost", &SignalLost},
      {"lights_off_on", &LightsOffOn},
      {"daylight_ramp", &DaylightRamp},
      {"close_to_lens", &CloseToLens},
  };
  return all;
}

std::vector<events::Event> Run(const Scenario& scenario, uint64_t seed,
                               const std::vector<Rule*>& rules, const RunOptions& options) {
  Generator gen(scenario, seed);
  RunningAverageMask running;
  BackgroundMatcher matcher;
  std::vector<events::Event> out;
  FrameInput last;
  Frame frame;
  SceneInput scene;
  core::GrayImage mask;
  const auto epoch = core::WallTime{} + std::chrono::hours(24 * 365 * 50);
  for (int64_t i = 0; i < gen.frame_count(); ++i) {
    frame = gen.Render(i);
    FrameInput in;
    in.frame = frame.frame;
    in.t = frame.t;
    in.wall =
        epoch + std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(frame.t));
    in.width = static_cast<int>(std::lround(scenario.width * scenario.scale));
    in.height = static_cast<int>(std::lround(scenario.height * scenario.scale));
    in.tracks = &frame.tracks;
    in.active = &frame.tracks;
    if (frame.missing) {
      if (!options.tick_when_lost) continue;
      in.frame_missing = true;
    } else {
      mask = options.oracle_mask ? frame.truth : running.Update(frame.gray, frame.t);
      if (options.oracle_mask) running.Update(frame.gray, frame.t);
      scene = SceneInput{};
      scene.gray = &frame.gray;
      scene.mask = &mask;
      scene.scale = scenario.scale;
      scene.changed_fraction = running.changed_fraction();
      scene.mean_luma = MeanLuma(frame.gray);
      scene.uniform_fraction = UniformFraction(frame.gray);
      scene.sharpness = Sharpness(frame.gray);
      const StructureMatch match = matcher.Update(frame.gray, frame.t);
      scene.background_match = match.match;
      scene.background_cells = match.cells;
      in.scene = &scene;
    }
    for (Rule* r : rules) r->Process(in, &out);
    last = in;
    last.tracks = nullptr;
    last.active = nullptr;
    last.scene = nullptr;
  }
  for (Rule* r : rules) r->Finish(last, &out);
  return out;
}

std::vector<Rule*> RuleSet::pointers() const {
  std::vector<Rule*> out;
  for (const auto& r : rules) out.push_back(r.get());
  return out;
}

core::Result<RuleSet> MakeImageRules(const Scenario& scenario, double cooldown_s) {
  std::string zone = "[";
  for (const core::Point& p : scenario.painting_zone) {
    zone +=
        (zone.size() > 1 ? ", [" : "[") + std::to_string(p.x) + ", " + std::to_string(p.y) + "]";
  }
  zone += "]";
  const std::string cd = std::to_string(cooldown_s);
  const std::string yaml =
      "cameras:\n"
      "  - name: synth\n"
      "    source: synthetic\n"
      "    zones:\n"
      "      - name: painting\n"
      "        polygon: " +
      zone +
      "\n"
      "    rules:\n"
      "      - {name: abandoned, kind: abandoned_object, cooldown_s: " +
      cd +
      "}\n"
      "      - {name: removed, kind: object_removed, zone: painting, cooldown_s: " +
      cd +
      "}\n"
      "      - {name: tamper, kind: tamper, cooldown_s: " +
      cd + "}\n";
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(yaml, "synth.yaml", &diag);
  if (!cfg.ok()) return core::InvalidArgument(diag.ToString());
  RuleSet set;
  set.config = std::make_unique<config::Config>(std::move(*cfg));
  const config::CameraConfig& cam = set.config->cameras.at(0);
  for (const config::RuleConfig& rc : cam.rules) {
    auto rule = MakeRule(RuleContext{&set.config->site, &cam, &rc}, &diag);
    if (!rule.ok()) return core::InvalidArgument(diag.ToString());
    set.rules.push_back(std::move(*rule));
  }
  return set;
}

Score ScoreEvents(const Scenario& scenario, const std::vector<events::Event>& evs,
                  const std::string& type) {
  Score sc;
  std::vector<bool> used(evs.size(), false);
  for (const Expected& e : scenario.expected) {
    if (e.type != type) continue;
    ++sc.positives;
    for (size_t i = 0; i < evs.size(); ++i) {
      const events::Event& ev = evs[i];
      if (used[i] || ev.type != type || ev.phase != events::Phase::kStart) continue;
      if (!e.reason.empty() && ev.details.value("reason", std::string()) != e.reason) continue;
      if (ev.t < e.t_from || ev.t > e.t_to) continue;
      used[i] = true;
      ++sc.detected;
      sc.latency_sum += ev.t - e.t_ideal;
      break;
    }
  }
  for (size_t i = 0; i < evs.size(); ++i) {
    if (!used[i] && evs[i].type == type && evs[i].phase == events::Phase::kStart) ++sc.false_alarms;
  }
  return sc;
}

Evaluation Evaluate(int seeds, int width, const RunOptions& options) {
  const char* types[] = {"abandoned_object", "object_removed", "tamper"};
  Evaluation ev;
  for (const char* t : types) ev.rows.push_back({t});
  for (const NamedMaker& m : AllScenarios()) {
    for (int seed = 1; seed <= seeds; ++seed) {
      const Scenario s = m.make(static_cast<uint64_t>(seed), width, width * 3 / 4);
      auto set = MakeImageRules(s);
      if (!set.ok()) {
        ev.misses.push_back(std::string(m.name) + ": " + set.status().message());
        continue;
      }
      const auto events = Run(s, static_cast<uint64_t>(seed), set->pointers(), options);
      for (RuleRow& row : ev.rows) {
        const Score sc = ScoreEvents(s, events, row.type);
        row.positives += sc.positives;
        row.detected += sc.detected;
        row.false_alarms += sc.false_alarms;
        row.latency_sum += sc.latency_sum;
        ++row.runs;
        const std::string where =
            std::string(m.name) + " seed " + std::to_string(seed) + ": " + row.type;
        if (sc.detected < sc.positives) ev.misses.push_back(where + " missed");
        if (sc.false_alarms > 0) {
          ev.misses.push_back(where + " " + std::to_string(sc.false_alarms) + " false alarm(s)");
        }
      }
    }
  }
  return ev;
}

std::string FormatTable(const Evaluation& e) {
  char line[256];
  std::string out =
      "rule               runs  positives  detected  rate    mean_latency_s  false_alarms\n";
  for (const RuleRow& r : e.rows) {
    const double rate = r.positives ? static_cast<double>(r.detected) / r.positives : 0;
    const double lat = r.detected ? r.latency_sum / r.detected : 0;
    std::snprintf(line, sizeof(line), "%-18s %5d  %9d  %8d  %5.3f  %14.2f  %12d\n", r.type.c_str(),
                  r.runs, r.positives, r.detected, rate, lat, r.false_alarms);
    out += line;
  }
  return out;
}

}  // namespace argus::rules::synth
