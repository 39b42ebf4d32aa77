#include "rules/scene_background.h"

#include <gtest/gtest.h>

namespace argus::rules {
namespace {

constexpr int kW = 80, kH = 60;
constexpr double kDt = 0.2;  // 5 fps

core::GrayImage Background(double gain = 1) {
  core::GrayImage img(kW, kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const int v = 100 + ((x / 4 + y / 3) % 3) * 20 + (x % 7);
      img.at(x, y) = static_cast<uint8_t>(std::min(255.0, v * gain));
    }
  }
  return img;
}

void Paint(core::GrayImage* img, int x0, int y0, int w, int h, uint8_t v) {
  for (int y = y0; y < y0 + h; ++y) {
    for (int x = x0; x < x0 + w; ++x) {
      if (x >= 0 && y >= 0 && x < img->width && y < img->height) img->at(x, y) = v;
    }
  }
}

// Feeds `frames` frames of `make(t)` from time `*t`.
template <typename F>
void Feed(DualBackground* bg, double* t, int frames, F make) {
  for (int i = 0; i < frames; ++i) {
    bg->Update(make(*t), nullptr, *t);
    *t += kDt;
  }
}

TEST(DualBackgroundTest, DroppedObjectBecomesStaticAfterStaticSeconds) {
  DualBackgroundParams p;
  p.static_s = 5;
  DualBackground bg(p);
  double t = 0;
  Feed(&bg, &t, 60, [](double) { return Background(); });  // learn 12 s
  const double drop = t;
  auto with_bag = [](double) {
    core::GrayImage img = Background();
    Paint(&img, 30, 40, 8, 6, 20);
    return img;
  };
  Feed(&bg, &t, 20, with_bag);  // 4 s: not yet (the fast model needs time too)
  EXPECT_TRUE(bg.StaticBlobs(10).empty());
  Feed(&bg, &t, 30, with_bag);  // 10 s in total
  const auto blobs = bg.StaticBlobs(10);
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(blobs[0].box, (core::Box{30, 40, 8, 6}));
  EXPECT_EQ(blobs[0].area, 48);
  EXPECT_FALSE(blobs[0].ghost);
  EXPECT_NEAR(blobs[0].appeared_t, drop, 0.01);
  // Removed again: the evidence decays and the blob disappears.
  Feed(&bg, &t, 10, [](double) { return Background(); });
  EXPECT_TRUE(bg.StaticBlobs(10).empty());
}

TEST(DualBackgroundTest, MovingObjectNeverStatic) {
  DualBackground bg;
  double t = 0;
  Feed(&bg, &t, 30, [](double) { return Background(); });
  for (int i = 0; i < 300; ++i) {  // a square sweeping back and forth for 60 s
    core::GrayImage img = Background();
    const int x = (i * 3) % (2 * kW);
    Paint(&img, x < kW ? x : 2 * kW - x, 20, 10, 20, 230);
    bg.Update(img, nullptr, t);
    t += kDt;
    ASSERT_TRUE(bg.StaticBlobs(10).empty()) << "frame " << i;
  }
}

TEST(DualBackgroundTest, LightSwitchAndSlowRampAreNotForeground) {
  DualBackground bg;
  double t = 0;
  Feed(&bg, &t, 50, [](double) { return Background(); });
  Feed(&bg, &t, 50, [](double) { return Background(0.4); });  // lights off
  EXPECT_TRUE(bg.StaticBlobs(5).empty());
  EXPECT_NEAR(bg.gain(), 0.4, 0.05);
  const double t0 = t;
  Feed(&bg, &t, 600, [t0](double now) { return Background(0.4 + 0.6 * (now - t0) / 120); });
  EXPECT_TRUE(bg.StaticBlobs(5).empty());
  EXPECT_FALSE(bg.IsStatic(10, 10));
}

TEST(DualBackgroundTest, CameraMovedRelearns) {
  DualBackground bg;
  double t = 0;
  Feed(&bg, &t, 50, [](double) { return Background(); });
  core::GrayImage shifted(kW, kH);
  const core::GrayImage base = Background();
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) shifted.at(x, y) = static_cast<uint8_t>(255 - base.at(x, y));
  }
  // Something passing right in front of the lens for a second: no relearn.
  bool relearned = false;
  Feed(&bg, &t, 5, [&](double) { return shifted; });
  Feed(&bg, &t, 20, [](double) { return Background(); });
  EXPECT_TRUE(bg.StaticBlobs(5).empty());
  // A lasting change is relearned after a couple of seconds.
  const double t0 = t;
  double relearn_t = -1;
  for (int i = 0; i < 20; ++i, t += kDt) {
    bg.Update(shifted, nullptr, t);
    if (bg.relearned() && !relearned) relearn_t = t;
    relearned = relearned || bg.relearned();
  }
  ASSERT_TRUE(relearned);
  EXPECT_GT(relearn_t - t0, 1.0);
  EXPECT_LT(relearn_t - t0, 3.0);
  Feed(&bg, &t, 100, [&](double) { return shifted; });
  EXPECT_TRUE(bg.StaticBlobs(5).empty());
}

TEST(DualBackgroundTest, GhostOfSomethingLearnedThatLeftIsFlaggedAndAbsorbed) {
  DualBackground bg;
  double t = 0;
  // An object stands there from the start (learned as background), then leaves.
  auto with_box = [](double) {
    core::GrayImage img = Background();
    Paint(&img, 20, 20, 12, 12, 240);
    return img;
  };
  Feed(&bg, &t, 60, with_box);
  Feed(&bg, &t, 60, [](double) { return Background(); });
  auto blobs = bg.StaticBlobs(10);
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_TRUE(blobs[0].ghost);
  bg.Absorb(blobs[0]);
  EXPECT_TRUE(bg.StaticBlobs(10).empty());
  Feed(&bg, &t, 60, [](double) { return Background(); });
  EXPECT_TRUE(bg.StaticBlobs(10).empty());
}

TEST(DualBackgroundTest, LightPatchOverTextureIsLightingAndABagIsNot) {
  DualBackgroundParams p;
  p.static_s = 3;
  DualBackground bg(p);
  double t = 0;
  Feed(&bg, &t, 60, [](double) { return Background(); });
  // Sun through a window: a patch 40% brighter, the floor's texture seen through it;
  // beside it a uniform dark bag.
  Feed(&bg, &t, 40, [](double) {
    core::GrayImage img = Background();
    const core::GrayImage lit = Background(1.4);
    for (int y = 10; y < 22; ++y) {
      for (int x = 10; x < 26; ++x) img.at(x, y) = lit.at(x, y);
    }
    Paint(&img, 50, 40, 8, 6, 20);
    return img;
  });
  const auto blobs = bg.StaticBlobs(10);
  ASSERT_EQ(blobs.size(), 2u);
  for (const StaticBlob& b : blobs) {
    EXPECT_EQ(b.lighting, b.box.x < 40) << b.box.x;
    EXPECT_FALSE(b.ghost);
  }
}

TEST(RunningAverageMaskTest, ForegroundThenAbsorbedThenRelearnedOnGlobalChange) {
  RunningAverageMask m(2.0, 18);
  double t = 0;
  for (int i = 0; i < 20; ++i, t += kDt) m.Update(Background(), t);
  core::GrayImage img = Background();
  Paint(&img, 10, 10, 5, 5, 250);
  core::GrayImage mask = m.Update(img, t);
  EXPECT_EQ(mask.at(12, 12), 255);
  EXPECT_EQ(mask.at(40, 40), 0);
  for (int i = 0; i < 100; ++i) mask = m.Update(img, t += kDt);  // 20 s: absorbed
  EXPECT_EQ(mask.at(12, 12), 0);
  mask = m.Update(Background(0.3), t += kDt);  // light switch: no foreground
  EXPECT_GT(m.changed_fraction(), 0.5);
  EXPECT_EQ(mask.at(40, 40), 0);
}

TEST(ConnectedComponentsTest, SeparatesAndFiltersByArea) {
  std::vector<uint8_t> bin(10 * 6, 0);
  auto set = [&](int x, int y) { bin[y * 10 + x] = 1; };
  set(1, 1), set(2, 2), set(1, 2);  // diagonal touch: one component of 3
  set(7, 4), set(8, 4);             // 2 pixels
  set(5, 0);                        // single
  auto comps = ConnectedComponents(bin, 10, 6, 2);
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_EQ(comps[0].area, 3);
  EXPECT_EQ(comps[0].box, (core::Box{1, 1, 2, 2}));
  EXPECT_EQ(comps[1].box, (core::Box{7, 4, 2, 1}));
}

}  // namespace
}  // namespace argus::rules
