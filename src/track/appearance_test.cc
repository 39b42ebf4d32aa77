#include "track/appearance.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace argus::track {
namespace {

using Bgr = std::array<uint8_t, 3>;

// A frame of one background colour; people are painted as boxes of three
// bands: head (top 20%), shirt, trousers.
struct Frame {
  int w = 200, h = 200;
  std::vector<uint8_t> px;
  explicit Frame(Bgr bg = {90, 110, 100}) : px(static_cast<size_t>(w) * h * 3) {
    Fill({0, 0, double(w), double(h)}, bg);
  }
  void Fill(const core::Box& b, Bgr c) {
    for (int y = int(b.y); y < int(b.Bottom()); ++y) {
      for (int x = int(b.x); x < int(b.Right()); ++x) {
        uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 3];
        p[0] = c[0];
        p[1] = c[1];
        p[2] = c[2];
      }
    }
  }
  void Person(const core::Box& b, Bgr head, Bgr shirt, Bgr trousers) {
    Fill({b.x, b.y, b.w, b.h * kFaceSkip}, head);
    Fill({b.x, b.y + b.h * kFaceSkip, b.w, b.h * (kUpperEnd - kFaceSkip)}, shirt);
    Fill({b.x, b.y + b.h * kUpperEnd, b.w, b.h * (1 - kUpperEnd)}, trousers);
  }
  PixelView View() const { return {px.data(), w, h, static_cast<size_t>(w) * 3}; }
};

constexpr Bgr kRed{30, 30, 200}, kBlue{200, 60, 20}, kGreen{40, 180, 40}, kDark{25, 25, 25},
    kSkin{120, 160, 220}, kWhite{240, 240, 240}, kYellow{30, 200, 220};

Appearance Look(Bgr head, Bgr shirt, Bgr trousers, core::Box box = {60, 40, 40, 120}) {
  Frame f;
  f.Person(box, head, shirt, trousers);
  auto a = Describe(f.View(), box);
  EXPECT_TRUE(a.has_value());
  return a.value_or(Appearance{});
}

TEST(AppearanceTest, SameClothesMatchDifferentClothesDoNot) {
  const Appearance a = Look(kSkin, kRed, kBlue);
  // Same clothes, elsewhere and at another size.
  const Appearance b = Look(kSkin, kRed, kBlue, {10, 20, 30, 90});
  const double same = AppearanceDistance(a, b);
  EXPECT_LT(same, 0.1);
  EXPECT_GT(AppearanceDistance(a, Look(kSkin, kGreen, kBlue)), 0.3);  // other shirt
  EXPECT_GT(AppearanceDistance(a, Look(kSkin, kRed, kDark)), 0.3);    // other trousers
  EXPECT_GT(AppearanceDistance(a, Look(kSkin, kBlue, kRed)), 0.5);    // swapped
  EXPECT_NEAR(AppearanceDistance(a, a), 0.0, 1e-3);  // float rounding
}

TEST(AppearanceTest, NeverReadsTheHead) {
  // Only the top 20% (face, hair) differs: the descriptors are identical.
  const Appearance a = Look(kSkin, kYellow, kDark);
  const Appearance b = Look(kWhite, kYellow, kDark);
  const Appearance c = Look(kGreen, kYellow, kDark);
  EXPECT_EQ(a.upper, b.upper);
  EXPECT_EQ(a.lower, b.lower);
  EXPECT_EQ(a.texture, b.texture);
  EXPECT_EQ(a.upper, c.upper);
  EXPECT_EQ(AppearanceDistance(a, b), AppearanceDistance(a, a));
}

TEST(AppearanceTest, BrightnessChangeKeepsColouredClothesClose) {
  // The same clothes in shade (60% brightness): hue and saturation stay.
  const Appearance sun = Look(kSkin, kRed, kBlue);
  auto dim = [](Bgr c) {
    return Bgr{uint8_t(c[0] * 0.6), uint8_t(c[1] * 0.6), uint8_t(c[2] * 0.6)};
  };
  const Appearance shade = Look(dim(kSkin), dim(kRed), dim(kBlue));
  EXPECT_LT(AppearanceDistance(sun, shade), 0.1);
}

TEST(AppearanceTest, HistogramsAreNormalisedAndTinyBoxesRefused) {
  const Appearance a = Look(kSkin, kRed, kBlue);
  float su = 0, sl = 0, st = 0;
  for (float v : a.upper) su += v;
  for (float v : a.lower) sl += v;
  for (float v : a.texture) st += v;
  EXPECT_NEAR(su, 1, 1e-5);
  EXPECT_NEAR(sl, 1, 1e-5);
  EXPECT_NEAR(st, 1, 1e-5);
  Frame f;
  EXPECT_FALSE(Describe(f.View(), {10, 10, 4, 8}).has_value());
  EXPECT_FALSE(Describe(f.View(), {500, 500, 40, 120}).has_value());  // outside
  EXPECT_FALSE(Describe(PixelView{}, {10, 10, 40, 120}).has_value());
}

TEST(AppearanceTest, GateRefusesCutCoveredAndSmallCrops) {
  const core::Box box{50, 50, 30, 90};
  EXPECT_TRUE(CropUsable(box, {}, 200, 200));
  EXPECT_FALSE(CropUsable({0, 50, 30, 90}, {}, 200, 200));    // cut by the left edge
  EXPECT_FALSE(CropUsable({50, 150, 30, 90}, {}, 200, 200));  // below the bottom
  EXPECT_FALSE(CropUsable({50, 50, 8, 20}, {}, 200, 200));    // too small
  // Another box over a tenth of it is fine, over a third is not.
  EXPECT_TRUE(CropUsable(box, {{50, 50, 30, 9}}, 200, 200));
  EXPECT_FALSE(CropUsable(box, {{60, 50, 30, 90}}, 200, 200));
}

TEST(AppearanceTest, ModelAveragesThenFollowsSlowly) {
  const Appearance red = Look(kSkin, kRed, kBlue), green = Look(kSkin, kGreen, kBlue);
  AppearanceModel m;
  m.Add(red);
  EXPECT_EQ(m.samples(), 1);
  EXPECT_EQ(m.mean().upper, red.upper);
  m.Add(green);  // the plain mean of the two
  for (int i = 0; i < kColourBins; ++i) {
    EXPECT_NEAR(m.mean().upper[i], (red.upper[i] + green.upper[i]) / 2, 1e-6);
  }
  // After many red crops, one odd crop moves the mean by at most 1/kMaxSamples.
  for (int i = 0; i < 100; ++i) m.Add(red);
  EXPECT_EQ(m.samples(), AppearanceModel::kMaxSamples);
  const Appearance before = m.mean();
  m.Add(green);
  EXPECT_LT(AppearanceDistance(before, m.mean()), AppearanceDistance(red, green) / 4);
  EXPECT_LT(AppearanceDistance(m.mean(), red), 0.2);
}

}  // namespace
}  // namespace argus::track
