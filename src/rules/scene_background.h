// Pure background models on core::GrayImage (analysis scale) for the
// image-based rules. No OpenCV: the rules module stays pure.
#pragma once

#include <vector>

#include "core/geometry.h"
#include "core/image.h"

namespace argus::rules {

inline constexpr double kDefaultFastTauSeconds = 1.5;
inline constexpr double kDefaultSlowTauSeconds = 120.0;
inline constexpr double kDefaultForegroundThreshold = 18.0;  // grey levels
inline constexpr double kDefaultStaticSeconds = 5.0;
inline constexpr double kDefaultAbsorbSeconds = 600.0;
inline constexpr double kDefaultGlobalChangeFraction = 0.5;
inline constexpr double kDefaultRelearnSeconds = 5.0;
// Lighting test of a static blob: the model has this much texture there
// (grey-level standard deviation), the frame correlates with it at least this
// well, with a contrast ratio within [kLightingMinContrast, 1 / it].
inline constexpr double kLightingMinTexture = 8.0;
inline constexpr double kLightingMinCorrelation = 0.9;
inline constexpr double kLightingMinContrast = 0.4;

struct DualBackgroundParams {
  double fast_tau_s = kDefaultFastTauSeconds;  // follows anything that stops moving
  double slow_tau_s = kDefaultSlowTauSeconds;  // learns only where the scene is empty
  double threshold = kDefaultForegroundThreshold;
  double static_s = kDefaultStaticSeconds;  // evidence before a pixel is "static foreground"
  double decay = 4;  // evidence falls this many times faster once the background is back
  // Static for this long: the change is taken into the slow model (furniture moved
  // by staff must not alarm forever).
  double absorb_s = kDefaultAbsorbSeconds;
  // More of the frame than this changing at once is a global change (lights,
  // camera moved): the models are relearned instead of reporting foreground.
  double global_change_fraction = kDefaultGlobalChangeFraction;
  double relearn_s = kDefaultRelearnSeconds;  // slow model learns fast after a relearn
};

// A connected group of static-foreground pixels.
struct StaticBlob {
  core::Box box;          // analysis pixels
  int area = 0;           // pixels
  double appeared_t = 0;  // median time its pixels started differing from the slow model
  // The change is in the slow model, not in the frame: something that stood
  // there while the model learned has left (its outline has stronger edges in
  // the model than in the frame). Absorb() it.
  bool ghost = false;
  // The slow model's texture is still seen through the change, only brighter
  // or darker (the frame correlates with the model over a textured blob): a
  // shadow, a light patch or a reflection, not an object. Absorb() it.
  bool lighting = false;
  std::vector<int> pixels;  // static pixel indices, y * width + x
};

// The dual background of Porikli et al. ("Robust abandoned object detection
// using dual foregrounds", 2008): a pixel that differs from the slow model but
// already matches the fast one is something that arrived and stopped. The slow
// model is compared after a global gain compensation so daylight ramps and
// light switches do not show as foreground.
// Thread safety: one thread per instance.
class DualBackground {
 public:
  explicit DualBackground(const DualBackgroundParams& params = {}) : p_(params) {}

  // `moving` (optional, same size, 0/255): the pipeline's motion mask; its
  // pixels never teach the slow model.
  void Update(const core::GrayImage& gray, const core::GrayImage* moving, double t);
  // Static blobs of at least `min_area` pixels (gaps of one pixel are bridged).
  std::vector<StaticBlob> StaticBlobs(int min_area) const;
  // Takes the blob's current appearance into the slow model (ghosts, or a
  // change that is now part of the scene).
  void Absorb(const StaticBlob& blob);

  // True when the last Update relearned the models (global change).
  bool relearned() const { return relearned_; }
  double gain() const { return gain_; }
  int width() const { return width_; }
  int height() const { return height_; }
  // Per-pixel state, for tests.
  bool IsStatic(int x, int y) const;
  bool SlowForeground(int x, int y) const { return fg_slow_[Index(x, y)] != 0; }
  bool FastForeground(int x, int y) const { return fg_fast_[Index(x, y)] != 0; }

 private:
  size_t Index(int x, int y) const { return static_cast<size_t>(y) * width_ + x; }
  void Reset(const core::GrayImage& gray, double t, bool slow_too);
  bool LightingOnly(const std::vector<int>& pixels, const std::vector<uint8_t>& is_static) const;

  DualBackgroundParams p_;
  int width_ = 0;
  int height_ = 0;
  std::vector<uint8_t> frame_;  // last frame
  std::vector<float> fast_;
  std::vector<float> slow_;      // in the lighting of the time it was learned
  std::vector<float> evidence_;  // seconds of "static" so far
  std::vector<float> fg_since_;  // time the pixel started differing from the slow model
  std::vector<uint8_t> fg_fast_;
  std::vector<uint8_t> fg_slow_;
  double gain_ = 1;  // current frame / slow model
  double last_t_ = 0;
  double relearn_until_ = 0;
  double global_since_ = -1;  // start of a global change of the slow model
  bool relearned_ = false;
};

// The simplest foreground mask: one running average, |I - B| > threshold,
// relearned on a global change. What a test harness uses in place of MOG2.
// Thread safety: one thread per instance.
class RunningAverageMask {
 public:
  explicit RunningAverageMask(double tau_s = 10.0, double threshold = kDefaultForegroundThreshold)
      : tau_s_(tau_s), threshold_(threshold) {}
  // Returns the 0/255 mask of `gray` and learns it.
  core::GrayImage Update(const core::GrayImage& gray, double t);
  double changed_fraction() const { return changed_fraction_; }

 private:
  double tau_s_;
  double threshold_;
  std::vector<float> bg_;
  int width_ = 0;
  int height_ = 0;
  double last_t_ = 0;
  double changed_fraction_ = 0;
};

// One 8-connected group of non-zero pixels.
struct Component {
  core::Box box;
  int area = 0;
  std::vector<int> pixels;  // indices y * width + x
};
// Components of the non-zero pixels of `binary` with at least `min_area` pixels.
std::vector<Component> ConnectedComponents(const std::vector<uint8_t>& binary, int width,
                                           int height, int min_area);

}  // namespace argus::rules
