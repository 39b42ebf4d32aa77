#include "rules/scene_background.h"

#include <algorithm>
#include <cmath>

namespace argus::rules {
namespace {

// A gap longer than this (signal lost, paused stream) is learned as if it
// were this long: the models must not jump to the new frame in one step.
constexpr double kMaxStepSeconds = 2.0;
// Below this share of background pixels the gain is estimated on the whole frame.
constexpr double kMinGainSupport = 0.1;
// A global change of the slow model must last this long to relearn it.
constexpr double kGlobalChangePersistSeconds = 2.0;
// Above this share of moving pixels over a static blob its ghost test is skipped.
constexpr double kMaxMovingForGhostTest = 0.05;

double Rate(double dt, double tau) { return 1.0 - std::exp(-dt / std::max(1e-6, tau)); }

}  // namespace

void DualBackground::Reset(const core::GrayImage& gray, double t, bool slow_too) {
  const size_t n = gray.pixels.size();
  fast_.assign(gray.pixels.begin(), gray.pixels.end());
  fg_fast_.assign(n, 0);
  if (slow_too) {
    width_ = gray.width;
    height_ = gray.height;
    slow_.assign(gray.pixels.begin(), gray.pixels.end());
    evidence_.assign(n, 0.0f);
    fg_since_.assign(n, -1.0f);
    fg_slow_.assign(n, 0);
    gain_ = 1;
    relearn_until_ = t + p_.relearn_s;
  }
  relearned_ = true;
}

void DualBackground::Update(const core::GrayImage& gray, const core::GrayImage* moving, double t) {
  relearned_ = false;
  if (gray.empty()) return;
  if (slow_.empty() || gray.width != width_ || gray.height != height_) {
    Reset(gray, t, true);
    last_t_ = t;
    return;
  }
  const double dt = std::clamp(t - last_t_, 0.0, kMaxStepSeconds);
  last_t_ = t;
  const size_t n = gray.pixels.size();
  const bool use_moving = moving && moving->width == width_ && moving->height == height_;

  // Global gain of this frame against the slow model, on last frame's background.
  double si = 0, sb = 0, ai = 0, ab = 0;
  size_t support = 0;
  for (size_t i = 0; i < n; ++i) {
    ai += gray.pixels[i];
    ab += slow_[i];
    if (!fg_slow_[i]) {
      si += gray.pixels[i];
      sb += slow_[i];
      ++support;
    }
  }
  if (support < kMinGainSupport * n) {
    si = ai;
    sb = ab;
  }
  gain_ = sb > 0 ? std::clamp(si / sb, 0.05, 20.0) : 1.0;

  frame_ = gray.pixels;
  const float th = static_cast<float>(p_.threshold);
  const float g = static_cast<float>(gain_);
  size_t fast_count = 0, slow_count = 0;
  for (size_t i = 0; i < n; ++i) {
    const float v = gray.pixels[i];
    fg_fast_[i] = std::fabs(v - fast_[i]) > th;
    fg_slow_[i] = std::fabs(v - g * slow_[i]) > th;
    fast_count += fg_fast_[i];
    slow_count += fg_slow_[i];
  }
  if (slow_count > p_.global_change_fraction * n) {
    // Camera moved or scene rebuilt, once it lasts; until then (something
    // passing right in front of the lens) nothing is learned or accumulated.
    if (global_since_ < 0) global_since_ = t;
    if (t - global_since_ >= kGlobalChangePersistSeconds) {
      global_since_ = -1;
      Reset(gray, t, true);
      return;
    }
    const float a = static_cast<float>(Rate(dt, p_.fast_tau_s));
    for (size_t i = 0; i < n; ++i) fast_[i] += a * (gray.pixels[i] - fast_[i]);
    std::fill(fg_slow_.begin(), fg_slow_.end(), 0);  // the gain estimate restarts clean
    return;
  }
  global_since_ = -1;
  if (fast_count > p_.global_change_fraction * n) {  // light switch: the gain covers the slow model
    Reset(gray, t, false);
  }

  const float a_fast = static_cast<float>(Rate(dt, p_.fast_tau_s));
  const bool relearning = t < relearn_until_;
  const float a_slow = static_cast<float>(Rate(dt, relearning ? p_.fast_tau_s : p_.slow_tau_s));
  const float fdt = static_cast<float>(dt);
  const float decay = static_cast<float>(p_.decay * dt);
  for (size_t i = 0; i < n; ++i) {
    const float v = gray.pixels[i];
    if (fg_slow_[i]) {
      if (fg_since_[i] < 0) fg_since_[i] = static_cast<float>(t);
      if (!fg_fast_[i]) evidence_[i] += fdt;  // arrived and stopped; moving: hold
    } else {
      evidence_[i] = std::max(0.0f, evidence_[i] - decay);
      fg_since_[i] = -1;
    }
    fast_[i] += a_fast * (v - fast_[i]);
    const bool in_motion = use_moving && moving->pixels[i] != 0;
    // While relearning, everything that does not move is learned fast.
    if ((relearning && !fg_fast_[i]) || (!fg_slow_[i] && !in_motion)) {
      slow_[i] += a_slow * (v / g - slow_[i]);
    }
    if (evidence_[i] >= p_.absorb_s) {
      slow_[i] = v / g;
      evidence_[i] = 0;
      fg_since_[i] = -1;
    }
  }
}

bool DualBackground::LightingOnly(const std::vector<int>& pixels,
                                  const std::vector<uint8_t>& is_static) const {
  double sm = 0, smm = 0, sf = 0, sff = 0, sfm = 0;
  int n = 0;
  for (int i : pixels) {
    if (!is_static[i]) continue;
    const double m = slow_[i], f = frame_[i];
    sm += m;
    smm += m * m;
    sf += f;
    sff += f * f;
    sfm += f * m;
    ++n;
  }
  if (n == 0) return false;
  const double vm = smm / n - (sm / n) * (sm / n), vf = sff / n - (sf / n) * (sf / n);
  if (vm < kLightingMinTexture * kLightingMinTexture || vf <= 0) return false;
  const double ncc = (sfm / n - (sf / n) * (sm / n)) / std::sqrt(vm * vf);
  // A uniform object has no texture of its own; a textured one does not follow the floor's.
  const double contrast = std::sqrt(vf / vm);
  return ncc >= kLightingMinCorrelation && contrast >= kLightingMinContrast &&
         contrast <= 1 / kLightingMinContrast;
}

bool DualBackground::IsStatic(int x, int y) const { return evidence_[Index(x, y)] >= p_.static_s; }

std::vector<StaticBlob> DualBackground::StaticBlobs(int min_area) const {
  std::vector<StaticBlob> out;
  if (evidence_.empty()) return out;
  const size_t n = evidence_.size();
  std::vector<uint8_t> is_static(n, 0), bridged(n, 0);
  // Static: enough evidence and still different from the slow model (once the
  // background is back the evidence only decays).
  for (size_t i = 0; i < n; ++i) is_static[i] = evidence_[i] >= p_.static_s && fg_slow_[i];
  // 3x3 dilation bridges one-pixel gaps (object texture close to the background).
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      if (!is_static[Index(x, y)]) continue;
      for (int yy = std::max(0, y - 1); yy <= std::min(height_ - 1, y + 1); ++yy) {
        for (int xx = std::max(0, x - 1); xx <= std::min(width_ - 1, x + 1); ++xx) {
          bridged[Index(xx, yy)] = 1;
        }
      }
    }
  }
  for (const Component& c : ConnectedComponents(bridged, width_, height_, 1)) {
    int x0 = width_, y0 = height_, x1 = -1, y1 = -1;
    std::vector<float> since;
    for (int i : c.pixels) {
      if (!is_static[i]) continue;
      const int x = i % width_, y = i / width_;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
      since.push_back(fg_since_[i]);
    }
    if (static_cast<int>(since.size()) < min_area) continue;
    std::nth_element(since.begin(), since.begin() + since.size() / 2, since.end());
    StaticBlob b;
    // Ghost test on the outline: edges in the frame versus in the slow model.
    // Only judged when nothing moves over the blob (a person walking over a bag
    // hides its outline).
    double edge_frame = 0, edge_model = 0;
    int moving = 0;
    for (int i : c.pixels) moving += fg_fast_[i];
    for (int i : c.pixels) {
      if (!is_static[i] || moving > kMaxMovingForGhostTest * c.area) continue;
      const int x = i % width_, y = i / width_;
      if (x == 0 || y == 0 || x == width_ - 1 || y == height_ - 1) continue;
      if (is_static[i - 1] && is_static[i + 1] && is_static[i - width_] && is_static[i + width_]) {
        continue;  // interior
      }
      edge_frame += std::abs(frame_[i + 1] - frame_[i - 1]) +
                    std::abs(frame_[i + width_] - frame_[i - width_]);
      edge_model += gain_ * (std::fabs(slow_[i + 1] - slow_[i - 1]) +
                             std::fabs(slow_[i + width_] - slow_[i - width_]));
    }
    b.ghost = edge_model > 0 && edge_frame < edge_model;
    b.lighting = !b.ghost && LightingOnly(c.pixels, is_static);
    for (int i : c.pixels) {
      if (is_static[i]) b.pixels.push_back(i);
    }
    b.box = {static_cast<double>(x0), static_cast<double>(y0), static_cast<double>(x1 - x0 + 1),
             static_cast<double>(y1 - y0 + 1)};
    b.area = static_cast<int>(since.size());
    b.appeared_t = since[since.size() / 2];
    out.push_back(b);
  }
  return out;
}

void DualBackground::Absorb(const StaticBlob& blob) {
  const float g = static_cast<float>(gain_);
  for (int i : blob.pixels) {
    if (i < 0 || static_cast<size_t>(i) >= slow_.size() || frame_.size() != slow_.size()) continue;
    slow_[i] = frame_[i] / g;
    evidence_[i] = 0;
    fg_since_[i] = -1;
  }
}

core::GrayImage RunningAverageMask::Update(const core::GrayImage& gray, double t) {
  core::GrayImage mask(gray.width, gray.height);
  if (bg_.empty() || gray.width != width_ || gray.height != height_) {
    width_ = gray.width;
    height_ = gray.height;
    bg_.assign(gray.pixels.begin(), gray.pixels.end());
    last_t_ = t;
    changed_fraction_ = 0;
    return mask;
  }
  const float a = static_cast<float>(Rate(std::clamp(t - last_t_, 0.0, kMaxStepSeconds), tau_s_));
  last_t_ = t;
  size_t changed = 0;
  for (size_t i = 0; i < bg_.size(); ++i) {
    const float v = gray.pixels[i];
    if (std::fabs(v - bg_[i]) > threshold_) {
      mask.pixels[i] = 255;
      ++changed;
    }
    bg_[i] += a * (v - bg_[i]);
  }
  changed_fraction_ = static_cast<double>(changed) / bg_.size();
  if (changed_fraction_ > kDefaultGlobalChangeFraction) {  // lights: relearn at once
    bg_.assign(gray.pixels.begin(), gray.pixels.end());
    std::fill(mask.pixels.begin(), mask.pixels.end(), 0);
  }
  return mask;
}

std::vector<Component> ConnectedComponents(const std::vector<uint8_t>& binary, int width,
                                           int height, int min_area) {
  std::vector<Component> out;
  std::vector<uint8_t> seen(binary.size(), 0);
  std::vector<int> stack;
  for (int start = 0; start < width * height; ++start) {
    if (!binary[start] || seen[start]) continue;
    Component c;
    int x0 = width, y0 = height, x1 = -1, y1 = -1;
    stack.push_back(start);
    seen[start] = 1;
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      c.pixels.push_back(i);
      const int x = i % width, y = i / width;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
      for (int yy = std::max(0, y - 1); yy <= std::min(height - 1, y + 1); ++yy) {
        for (int xx = std::max(0, x - 1); xx <= std::min(width - 1, x + 1); ++xx) {
          const int j = yy * width + xx;
          if (binary[j] && !seen[j]) {
            seen[j] = 1;
            stack.push_back(j);
          }
        }
      }
    }
    c.area = static_cast<int>(c.pixels.size());
    if (c.area < min_area) continue;
    c.box = {static_cast<double>(x0), static_cast<double>(y0), static_cast<double>(x1 - x0 + 1),
             static_cast<double>(y1 - y0 + 1)};
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace argus::rules
