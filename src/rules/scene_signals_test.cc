#include "rules/scene_signals.h"

#include <gtest/gtest.h>

namespace argus::rules {
namespace {

core::GrayImage Checker(int w, int h, int cell, uint8_t a = 0, uint8_t b = 255) {
  core::GrayImage img(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) img.at(x, y) = ((x / cell + y / cell) % 2) ? b : a;
  }
  return img;
}

// A deterministic texture without a period shorter than the image.
core::GrayImage Texture(int w, int h, int dx = 0, int dy = 0) {
  core::GrayImage img(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const unsigned u = static_cast<unsigned>((x + dx) / 3 * 73856093u) ^
                         static_cast<unsigned>((y + dy) / 3 * 19349663u);
      img.at(x, y) = static_cast<uint8_t>(60 + (u * 2654435761u >> 24) % 140);
    }
  }
  return img;
}

TEST(SceneSignalsTest, MeanLumaOfKnownImages) {
  EXPECT_DOUBLE_EQ(MeanLuma(core::GrayImage(8, 4, 100)), 100);
  EXPECT_DOUBLE_EQ(MeanLuma(Checker(8, 8, 1)), 127.5);
  EXPECT_DOUBLE_EQ(MeanLuma(core::GrayImage()), 0);
}

TEST(SceneSignalsTest, UniformFractionSeparatesFlatFromTexture) {
  EXPECT_DOUBLE_EQ(UniformFraction(core::GrayImage(64, 64, 30), 16, 4), 1.0);
  EXPECT_DOUBLE_EQ(UniformFraction(Checker(64, 64, 2), 16, 4), 0.0);
  // Left half flat, right half textured: half of the cells.
  core::GrayImage half = Checker(64, 64, 2);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 32; ++x) half.at(x, y) = 90;
  }
  EXPECT_DOUBLE_EQ(UniformFraction(half, 16, 4), 0.5);
}

TEST(SceneSignalsTest, SharpnessIsLaplacianVariance) {
  EXPECT_DOUBLE_EQ(Sharpness(core::GrayImage(16, 16, 77)), 0);
  // One-pixel checkerboard: the 4-neighbour Laplacian is +-4*255 everywhere.
  EXPECT_NEAR(Sharpness(Checker(16, 16, 1)), 1020.0 * 1020.0, 1e-6);
  // A blurrier pattern (larger cells) is less sharp.
  EXPECT_LT(Sharpness(Checker(64, 64, 8)), Sharpness(Checker(64, 64, 2)));
}

TEST(SceneSignalsTest, BackgroundMatchKeepsStructureUnderGainAndDropsWhenShifted) {
  BackgroundMatcher m(60);
  const core::GrayImage ref = Texture(96, 72);
  EXPECT_DOUBLE_EQ(m.Update(ref, 0).match, 1);
  EXPECT_GT(m.Update(ref, 0.2).match, 0.99);
  EXPECT_DOUBLE_EQ(m.Update(ref, 0.3).cells, 1);
  core::GrayImage dim = ref;
  for (auto& v : dim.pixels) v = static_cast<uint8_t>(v / 2);
  const StructureMatch dimmed = m.Update(dim, 0.4);  // lights dimmed: same structure
  EXPECT_GT(dimmed.match, 0.95);
  EXPECT_DOUBLE_EQ(dimmed.cells, 1);
  const StructureMatch moved = m.Update(Texture(96, 72, 11, 7), 0.6);
  EXPECT_LT(moved.match, 0.3);
  EXPECT_LT(moved.cells, 0.3);
}

TEST(SceneSignalsTest, GradientCorrelationBounds) {
  const std::vector<float> a = {1, 0, 0, 1}, b = {-1, 0, 0, -1};
  EXPECT_DOUBLE_EQ(GradientCorrelation(a, a), 1);
  EXPECT_DOUBLE_EQ(GradientCorrelation(a, b), 0);  // clamped
  EXPECT_DOUBLE_EQ(GradientCorrelation(a, std::vector<float>(4, 0)), 0);
}

TEST(SceneSignalsTest, PolygonPixelsCountsCentresInside) {
  const core::Polygon square = {{2, 2}, {6, 2}, {6, 5}, {2, 5}};
  const auto px = PolygonPixels(square, 10, 10);
  EXPECT_EQ(px.size(), 12u);  // 4 x 3 pixel centres
  EXPECT_EQ(px.front(), 2 * 10 + 2);
}

TEST(SceneSignalsTest, RegionNccIgnoresGainAndOffsetButNotContent) {
  const core::GrayImage t = Texture(20, 20);
  std::vector<float> a(t.pixels.begin(), t.pixels.end()), lit(a.size()), other(a.size());
  const core::GrayImage o = Texture(20, 20, 40, 40);
  for (size_t i = 0; i < a.size(); ++i) {
    lit[i] = 0.5f * a[i] + 30;
    other[i] = o.pixels[i];
  }
  std::vector<int> all(a.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  EXPECT_NEAR(RegionNcc(a, lit, all), 1.0, 1e-9);
  EXPECT_LT(std::abs(RegionNcc(a, other, all)), 0.3);
  EXPECT_DOUBLE_EQ(RegionNcc(a, std::vector<float>(a.size(), 5), all), 0);
  EXPECT_GT(RegionStdDev(a, all), 20);
}

}  // namespace
}  // namespace argus::rules
