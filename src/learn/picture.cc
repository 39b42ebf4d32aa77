#include "learn/picture.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/xml.h"
#include "learn/scorer.h"

namespace argus::learn {

namespace {

constexpr int kGap = 20;
constexpr int kHeader = 44;
// Speeds at or above this (box heights per second) get the hottest colour: a run.
constexpr double kHotSpeed = 2.0;

// 0..1 -> dark blue .. yellow .. red.
std::string Heat(double v) {
  v = std::clamp(v, 0.0, 1.0);
  const int r = static_cast<int>(255 * std::min(1.0, 2 * v));
  const int g = static_cast<int>(255 * (v < 0.5 ? 2 * v : 2 - 2 * v) * 0.9);
  const int b = static_cast<int>(160 * (1 - v));
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

double MedianSpeed(const CellStats& c) {
  const double half = c.SpeedSamples() / 2;
  if (half <= 0) return 0;
  double acc = 0;
  for (int b = 0; b < kSpeedBins; ++b) {
    if (acc + c.speed[b] >= half) {
      const double lo = SpeedBinLow(b);
      const double hi = b + 1 < kSpeedBins ? SpeedBinLow(b + 1) : 2 * lo;
      const double f = c.speed[b] > 0 ? (half - acc) / c.speed[b] : 0;
      return lo + (hi - lo) * f;
    }
    acc += c.speed[b];
  }
  return SpeedBinLow(kSpeedBins - 1);
}

std::string RenderSvg(const ActivityModel& m, const PictureOptions& o) {
  const GridSize& g = m.grid();
  const double cw = static_cast<double>(o.width) / g.cols,
               ch = static_cast<double>(o.height) / g.rows;
  const int total_w = 3 * o.width + 4 * kGap;
  const int total_h = o.height + kHeader + 2 * kGap;
  double max_tracks = 0;
  for (int c = 0; c < m.cells(); ++c) max_tracks = std::max(max_tracks, m.Cell(c, o.slot).tracks);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(total_w) +
                    "\" height=\"" + std::to_string(total_h) +
                    "\" font-family=\"sans-serif\" font-size=\"14\">\n"
                    "<defs><pattern id=\"unknown\" width=\"8\" height=\"8\" "
                    "patternUnits=\"userSpaceOnUse\"><rect width=\"8\" height=\"8\" "
                    "fill=\"#ddd\"/><path d=\"M0,8 L8,0\" stroke=\"#aaa\"/></pattern>"
                    "<marker id=\"head\" markerWidth=\"6\" markerHeight=\"6\" refX=\"3\" "
                    "refY=\"3\" orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#000\"/>"
                    "</marker></defs>\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  const std::string slot_text =
      o.slot == kAllSlots ? "all hours" : TimeSlot::FromIndex(o.slot).Describe();
  svg += "<text x=\"" + std::to_string(kGap) + "\" y=\"22\" font-size=\"16\">" +
         core::XmlEscape(o.title) + " — " + WithThousands(m.Slot(o.slot).tracks) +
         " tracks learned, " + slot_text + " (hatched: too little seen to judge)</text>\n";
  const char* titles[3] = {"occupancy (tracks per cell, log)", "flow (mean direction)",
                           "speed (median, box heights/s)"};
  for (int panel = 0; panel < 3; ++panel) {
    const double ox = kGap + panel * (o.width + kGap), oy = kHeader;
    svg += "<text x=\"" + Num(ox) + "\" y=\"" + Num(oy - 6) + "\">" + titles[panel] + "</text>\n";
    svg += "<rect x=\"" + Num(ox) + "\" y=\"" + Num(oy) + "\" width=\"" + std::to_string(o.width) +
           "\" height=\"" + std::to_string(o.height) + "\" fill=\"#fff\" stroke=\"#000\"/>\n";
    for (int cell = 0; cell < m.cells(); ++cell) {
      const CellStats& c = m.Cell(cell, o.slot);
      const double x = ox + (cell % g.cols) * cw, y = oy + (cell / g.cols) * ch;
      const std::string rect = "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" +
                               Num(cw) + "\" height=\"" + Num(ch) + "\" fill=\"";
      const bool known = c.tracks >= o.min_cell_tracks;
      if (panel == 0) {
        if (c.tracks <= 0) continue;
        const double v = max_tracks > 1 ? std::log1p(c.tracks) / std::log1p(max_tracks) : 1;
        svg += rect + Heat(v) + "\"><title>" + WithThousands(c.tracks) + " tracks</title></rect>\n";
        continue;
      }
      if (!known) {
        svg += rect + "url(#unknown)\"/>\n";
        continue;
      }
      if (panel == 1) {
        double vx = 0, vy = 0;
        for (int b = 0; b < kDirectionBins; ++b) {
          const double a = b * 2 * std::numbers::pi / kDirectionBins;
          vx += c.direction[b] * std::cos(a);
          vy += c.direction[b] * std::sin(a);
        }
        const double moving = c.Moving();
        if (moving <= 0) continue;
        const double agree = std::hypot(vx, vy) / moving;  // 0: every way, 1: one way
        const double len = 0.45 * std::min(cw, ch) * agree;
        const double a = std::atan2(vy, vx);
        const double cx = x + cw / 2, cy = y + ch / 2;
        svg += "<line x1=\"" + Num(cx - len * std::cos(a)) + "\" y1=\"" +
               Num(cy - len * std::sin(a)) + "\" x2=\"" + Num(cx + len * std::cos(a)) + "\" y2=\"" +
               Num(cy + len * std::sin(a)) +
               "\" stroke=\"#000\" stroke-width=\"1.5\" marker-end=\"url(#head)\"/>\n";
      } else {
        const double med = MedianSpeed(c);
        svg +=
            rect + Heat(med / kHotSpeed) + "\"><title>" + Num(med) + " heights/s</title></rect>\n";
      }
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace argus::learn
