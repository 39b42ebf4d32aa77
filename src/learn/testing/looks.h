// Made-up appearance descriptors for the tests of hand-off and following.
#pragma once

#include "track/appearance.h"

namespace argus::learn::testing {

// A look dominated by one hue bin of the upper body and one of the lower body.
inline track::Appearance Look(int upper_bin, int lower_bin) {
  track::Appearance a;
  a.upper.fill(0.02f);
  a.lower.fill(0.02f);
  a.upper[upper_bin] += 1;
  a.lower[lower_bin] += 1;
  float su = 0, sl = 0;
  for (float v : a.upper) su += v;
  for (float v : a.lower) sl += v;
  for (float& v : a.upper) v /= su;
  for (float& v : a.lower) v /= sl;
  a.texture = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f};
  return a;
}

}  // namespace argus::learn::testing
