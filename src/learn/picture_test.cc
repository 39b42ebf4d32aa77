#include "learn/picture.h"

#include <gtest/gtest.h>

namespace argus::learn {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(Picture, MedianSpeedInterpolatesInItsBin) {
  CellStats c;
  EXPECT_EQ(MedianSpeed(c), 0);
  c.speed[SpeedBin(1.0)] = 10;  // bin [1, 2)
  EXPECT_NEAR(MedianSpeed(c), 1.5, 1e-9);
}

TEST(Picture, DrawsOccupancyFlowAndSpeedAndHatchesWhatItDoesNotKnow) {
  ActivityModel m({4, 3});
  // 25 tracks walk right through cells 4 and 5, one track stands in cell 0.
  for (int i = 0; i < 25; ++i) m.AddTrack({{4, 0, 1, 0, 1.0}, {5, 1, 2, 0, 1.0}}, {10, false});
  m.AddTrack({{0, 0, 30, -1, 0}}, {10, false});
  PictureOptions o;
  o.width = 400;
  o.height = 300;
  o.min_cell_tracks = 20;
  o.title = "hall";
  const std::string svg = RenderSvg(m, o);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("hall — 26 tracks learned, all hours"), std::string::npos);
  EXPECT_EQ(Count(svg, "<title>25 tracks</title>"), 2) << "occupancy of the two busy cells";
  EXPECT_EQ(Count(svg, "<title>1 tracks</title>"), 1);
  // 12 cells, 2 known: 10 hatched in each of the flow and speed panels.
  EXPECT_EQ(Count(svg, "url(#unknown)"), 2 * 10);
  EXPECT_EQ(Count(svg, "marker-end"), 2) << "one arrow per known cell";
  EXPECT_EQ(Count(svg, "1.5 heights/s"), 2);
  // A slot with no data: everything hatched, nothing drawn.
  o.slot = TimeSlot{3, true}.Index();
  const std::string empty = RenderSvg(m, o);
  EXPECT_EQ(Count(empty, "marker-end"), 0);
  EXPECT_NE(empty.find("weekends 03-04h"), std::string::npos);
  // A name from the config is text, never markup.
  o.title = "<script>alert(1)</script> & co";
  const std::string named = RenderSvg(m, o);
  EXPECT_EQ(named.find("<script"), std::string::npos);
  EXPECT_NE(named.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos);
}

}  // namespace
}  // namespace argus::learn
