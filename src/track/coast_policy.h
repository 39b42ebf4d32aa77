// When the tracker's prediction may stand in for the detector on a frame, so a
// neural network's pass is saved: every motion region is explained by a track
// seen on the last detector pass, nobody is lost, and the detector ran at most
// `max_coasted` frames ago. New people entering (motion nobody explains) make
// the detector run at once.
#pragma once

#include <vector>

#include "core/geometry.h"
#include "track/track.h"

namespace argus::track {

struct CoastParams {
  static constexpr double kDefaultMinCover = 0.6;
  static constexpr double kDefaultBoxMargin = 0.25;

  int max_coasted = 0;  // analysed frames in a row without the detector; 0: never coast
  // A motion region is explained when at least this fraction of it lies in the
  // tracked boxes, each enlarged by box_margin of its size per side.
  double min_cover = kDefaultMinCover;
  double box_margin = kDefaultBoxMargin;
};

// Thread safety: one thread per instance.
class CoastPolicy {
 public:
  explicit CoastPolicy(const CoastParams& p) : p_(p) {}

  // Called once per analysed frame, before detection: true to skip the detector
  // (Tracker::Coast), false to run it. `active` is the tracker's Active() after
  // the previous frame; `motion_trusted` false while the background model warms up.
  bool ShouldCoast(const std::vector<core::Box>& motion_regions, const std::vector<Track>& active,
                   bool motion_trusted);

 private:
  bool Explained(const std::vector<core::Box>& regions, const std::vector<Track>& active) const;

  CoastParams p_;
  int coasted_ = 0;
};

}  // namespace argus::track
