#include "detect/static_filter.h"

#include <gtest/gtest.h>

namespace argus::detect {
namespace {

// A 100x100 analysis mask at scale 2 (a 200x200 source frame).
motion::MotionResult Motion(double t, const core::Box* moving_source_box = nullptr) {
  motion::MotionResult m;
  m.t = t;
  m.warming_up = false;
  m.scale = 2;
  m.mask = core::GrayImage(100, 100, 0);
  if (moving_source_box != nullptr) {
    const core::Box& b = *moving_source_box;
    for (int y = int(b.y / 2); y < int(b.Bottom() / 2); ++y) {
      for (int x = int(b.x / 2); x < int(b.Right() / 2); ++x) m.mask.at(x, y) = 255;
    }
  }
  return m;
}

TEST(MotionShareInBox, CountsMaskPixelsInSourceCoordinates) {
  const core::Box moving{20, 20, 40, 40};
  const motion::MotionResult m = Motion(0, &moving);
  EXPECT_DOUBLE_EQ(MotionShareInBox(m, moving), 1.0);
  EXPECT_DOUBLE_EQ(MotionShareInBox(m, {20, 20, 80, 40}), 0.5);
  EXPECT_DOUBLE_EQ(MotionShareInBox(m, {100, 100, 40, 40}), 0.0);
  EXPECT_DOUBLE_EQ(MotionShareInBox(m, {500, 500, 40, 40}), 0.0);  // outside the frame
}

TEST(StaticObjectFilter, DropsAMotionlessPersonAfterTheDelayOnly) {
  StaticObjectFilter f(StaticFilterParams{.after_s = 10});
  const track::Detection poster{{50, 50, 20, 50}, 0.6f, "person"};
  const track::Detection car{{120, 120, 60, 30}, 0.9f, "car"};
  for (int i = 0; i <= 200; ++i) {
    const double t = i * 0.1;
    const motion::MotionResult m = Motion(t);
    auto out = f.Filter({poster, car}, &m);
    const bool poster_kept =
        std::any_of(out.begin(), out.end(), [](const auto& d) { return d.label == "person"; });
    EXPECT_EQ(poster_kept, t < 10 - 1e-9) << "t=" << t;
    // Other classes (a parked car) are never suppressed.
    EXPECT_TRUE(
        std::any_of(out.begin(), out.end(), [](const auto& d) { return d.label == "car"; }));
  }
  // No motion evidence: nothing suppressed.
  EXPECT_EQ(f.Filter({poster}, nullptr).size(), 1u);
}

TEST(StaticObjectFilter, KeepsAStillPersonWhoseMaskMoves) {
  StaticObjectFilter f(StaticFilterParams{.after_s = 5});
  const track::Detection person{{50, 50, 20, 50}, 0.8f, "person"};
  for (int i = 0; i <= 100; ++i) {
    // Swaying: the mask lights up inside the box every third frame.
    const motion::MotionResult m = i % 3 == 0 ? Motion(i * 0.1, &person.box) : Motion(i * 0.1);
    EXPECT_EQ(f.Filter({person}, &m).size(), 1u) << "frame " << i;
  }
}

TEST(StaticObjectFilter, WalkersAreNeverStaticAndCandidatesAreForgotten) {
  StaticObjectFilter f(StaticFilterParams{.after_s = 2, .forget_s = 1});
  for (int i = 0; i <= 100; ++i) {
    const motion::MotionResult m = Motion(i * 0.1);
    const track::Detection walker{{double(i), 50, 20, 50}, 0.8f, "person"};
    EXPECT_EQ(f.Filter({walker}, &m).size(), 1u) << "frame " << i;
  }
  const motion::MotionResult later = Motion(100);
  EXPECT_TRUE(f.Filter({}, &later).empty());
  EXPECT_EQ(f.candidates(), 0u);
}

}  // namespace
}  // namespace argus::detect
