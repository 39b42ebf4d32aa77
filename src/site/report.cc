#include "site/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/xml.h"

namespace argus::site {
namespace {

using core::XmlEscape;

// Drawing scale: at most this many pixels per metre, and floors at most this wide.
constexpr double kMaxPxPerM = 16.0;
constexpr double kMaxFloorWidthPx = 1100.0;
constexpr double kMinSvgWidthPx = 1150.0;  // room for the legend
constexpr double kMarginPx = 24.0;
constexpr double kTitlePx = 28.0;
constexpr double kRadToDeg = 180.0 / M_PI;
constexpr size_t kWrapChars = 150;  // findings text on the SVG map

// Colours (colour-blind safe-ish: blue / orange / red / green).
constexpr const char* kRed = "#d62728";
constexpr const char* kOrange = "#ff7f0e";
constexpr const char* kGreen = "#2ca02c";
constexpr const char* kBlue = "#1f77b4";

std::string Num(double v, int decimals = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  std::string s = b;
  if (s.find('.') != std::string::npos) {  // trim trailing zeros
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// Splits text at spaces into lines of at most `width` characters.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines(1);
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    if (!lines.back().empty() && lines.back().size() + 1 + w.size() > width) lines.emplace_back();
    lines.back() += (lines.back().empty() ? "" : " ") + w;
  }
  return lines;
}

std::string Pct(double f) { return Num(100 * f, 1) + "%"; }

std::string Base64(const std::string& in) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Status of each object, to colour the map and number the findings.
struct Marks {
  std::map<std::string, int> rank;  // object id -> 1-based finding rank (first finding)
};

Marks MarkFindings(const CoverageReport& r) {
  Marks m;
  for (size_t i = 0; i < r.findings.size(); ++i) {
    m.rank.emplace(r.findings[i].id, static_cast<int>(i + 1));
  }
  return m;
}

// Maps floor metres to SVG pixels (y flipped: north up).
struct View {
  double x0, y1, s, ox, oy;
  double X(double x) const { return ox + (x - x0) * s; }
  double Y(double y) const { return oy + (y1 - y) * s; }
  std::string P(Point p) const { return Num(X(p.x), 1) + "," + Num(Y(p.y), 1); }
};

std::string PathOf(const View& v, const Polygon& poly, bool close = true) {
  std::string d;
  for (size_t i = 0; i < poly.size(); ++i) d += (i ? "L" : "M") + v.P(poly[i]);
  if (close && !poly.empty()) d += "Z";
  return d;
}

double FloorScale(const FloorResult& fr) {
  const double width_m = fr.grid.nx * fr.grid.cell;
  return std::min(kMaxPxPerM, kMaxFloorWidthPx / std::max(width_m, 1.0));
}

// Size in pixels of one floor's drawing.
std::pair<double, double> FloorSize(const FloorResult& fr) {
  const double s = FloorScale(fr);
  return {fr.grid.nx * fr.grid.cell * s + 2 * kMarginPx,
          fr.grid.ny * fr.grid.cell * s + 2 * kMarginPx + kTitlePx};
}

std::string Defs(const std::string& prefix) {
  return "<defs><pattern id=\"" + prefix +
         "hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" "
         "patternTransform=\"rotate(45)\"><rect width=\"7\" height=\"7\" fill=\"#d62728\" "
         "fill-opacity=\"0.08\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"#d62728\" "
         "stroke-width=\"2.2\"/></pattern></defs>";
}

// One floor as an <svg> element placed at (x, y).
std::string FloorSvg(const CoverageReport& r, int fi, const Marks& marks, const std::string& prefix,
                     double x, double y) {
  const FloorResult& fr = r.floors[fi];
  const Floor& floor = *fr.floor;
  const auto [w, h] = FloorSize(fr);
  View v{fr.grid.origin.x, fr.grid.origin.y + fr.grid.ny * fr.grid.cell, FloorScale(fr), kMarginPx,
         kMarginPx + kTitlePx};
  std::ostringstream o;
  o << "<svg x=\"" << Num(x, 1) << "\" y=\"" << Num(y, 1) << "\" width=\"" << Num(w, 1)
    << "\" height=\"" << Num(h, 1) << "\" viewBox=\"0 0 " << Num(w, 1) << " " << Num(h, 1)
    << "\" font-family=\"sans-serif\">";
  o << Defs(prefix);
  o << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>";
  o << "<text x=\"" << kMarginPx << "\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
    << XmlEscape(floor.name) << " (level " << floor.level << "): " << Pct(fr.fraction)
    << " of the interior seen</text>";

  if (floor.plan) {  // floor-plan image, embedded so the file stays self-contained
    std::ifstream in(floor.plan->image_path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string png = bytes.str();
    if (png.size() > 24 && png.compare(1, 3, "PNG") == 0) {
      auto be32 = [&](size_t at) {
        return (static_cast<uint32_t>(static_cast<uint8_t>(png[at])) << 24) |
               (static_cast<uint8_t>(png[at + 1]) << 16) |
               (static_cast<uint8_t>(png[at + 2]) << 8) | static_cast<uint8_t>(png[at + 3]);
      };
      const double wm = be32(16) / floor.plan->px_per_m, hm = be32(20) / floor.plan->px_per_m;
      o << "<image x=\"" << Num(v.X(floor.plan->origin.x), 1) << "\" y=\""
        << Num(v.Y(floor.plan->origin.y), 1) << "\" width=\"" << Num(wm * v.s, 1) << "\" height=\""
        << Num(hm * v.s, 1)
        << "\" opacity=\"0.5\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,"
        << Base64(png) << "\"/>";
    }
  }

  // Areas and the floor outline.
  for (const auto& a : floor.areas) {
    const bool ext = a.kind == "exterior";
    o << "<path d=\"" << PathOf(v, a.polygon) << "\" fill=\"" << (ext ? "#e8eef5" : "#f6f6f0")
      << "\" stroke=\"#8fa3b8\" stroke-dasharray=\"4 3\"/>";
  }
  o << "<path d=\"" << PathOf(v, floor.outline) << "\" fill=\"#fbfbfb\" stroke=\"#999\"/>";

  // Camera views, clipped by walls and usable range.
  for (const auto& c : r.cameras) {
    if (c.floor != fi || c.visible.size() < 3) continue;
    o << "<path d=\"" << PathOf(v, c.visible)
      << "\" fill=\"#2ca02c\" fill-opacity=\"0.16\" stroke=\"#2ca02c\" stroke-opacity=\"0.5\" "
         "stroke-width=\"0.8\"/>";
    if (c.view.near_m > 0 && c.view.near_m < c.view.far_m) {
      o << "<circle cx=\"" << Num(v.X(c.view.at.x), 1) << "\" cy=\"" << Num(v.Y(c.view.at.y), 1)
        << "\" r=\"" << Num(c.view.near_m * v.s, 1)
        << "\" fill=\"none\" stroke=\"#2ca02c\" stroke-dasharray=\"2 2\" stroke-width=\"0.8\"/>";
    }
  }

  // Blind spots, hatched.
  for (const auto& b : fr.blind_spots) {
    std::string d;
    for (const auto& ring : b.rings) d += PathOf(v, ring);
    o << "<path d=\"" << d << "\" fill=\"url(#" << prefix
      << "hatch)\" fill-rule=\"evenodd\" stroke=\"#d62728\" stroke-width=\"0.8\"/>";
  }

  // Walls and pillars.
  for (const auto& wl : floor.walls) {
    o << "<path d=\"" << PathOf(v, wl.points, false)
      << "\" fill=\"none\" stroke=\"#222\" stroke-width=\"3\" stroke-linejoin=\"round\" "
         "stroke-linecap=\"round\"/>";
  }
  for (const auto& p : floor.pillars)
    o << "<path d=\"" << PathOf(v, p.polygon) << "\" fill=\"#444\"/>";

  auto label = [&](Point p, const std::string& text, const char* colour, bool bold, double dx,
                   double dy) {
    o << "<text x=\"" << Num(v.X(p.x) + dx, 1) << "\" y=\"" << Num(v.Y(p.y) + dy, 1)
      << "\" font-size=\"11\" fill=\"" << colour << "\"" << (bold ? " font-weight=\"bold\"" : "")
      << " paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">" << XmlEscape(text)
      << "</text>";
  };
  auto ranked = [&](const std::string& id) {
    auto it = marks.rank.find(id);
    return it == marks.rank.end() ? id : id + " #" + std::to_string(it->second);
  };

  // Openings: blue when seen, red when no camera sees them, orange when the
  // approach is not watched. Approach strips of flagged openings are outlined.
  for (const auto& op : r.openings) {
    if (op.floor != fi) continue;
    const bool uncovered = op.seen_by.empty();
    const bool weak = op.approach_fraction < r.settings.min_approach_fraction;
    const char* colour = uncovered ? kRed : (weak ? kOrange : kBlue);
    if (uncovered || weak) {
      for (const auto& strip : op.approach) {
        o << "<path d=\"" << PathOf(v, strip) << "\" fill=\"" << colour
          << "\" fill-opacity=\"0.10\" stroke=\"" << colour
          << "\" stroke-dasharray=\"3 2\" stroke-width=\"1\"/>";
      }
    }
    const Opening& on = *op.opening;
    if (on.shape.size() == 2) {
      o << "<line x1=\"" << Num(v.X(on.shape[0].x), 1) << "\" y1=\"" << Num(v.Y(on.shape[0].y), 1)
        << "\" x2=\"" << Num(v.X(on.shape[1].x), 1) << "\" y2=\"" << Num(v.Y(on.shape[1].y), 1)
        << "\" stroke=\"" << colour << "\" stroke-width=\"" << (uncovered ? 7 : 5) << "\"/>";
    } else {
      o << "<path d=\"" << PathOf(v, on.shape) << "\" fill=\"" << colour
        << "\" fill-opacity=\"0.4\" stroke=\"" << colour << "\" stroke-width=\"2\"/>";
    }
    Point m;
    for (const Point& p : on.shape) m = m + p;
    m = m * (1.0 / on.shape.size());
    if (uncovered) {
      label(m, ranked(on.id) + " NOT COVERED", kRed, true, -30, on.shape[0].y <= m.y ? 16 : -8);
      // Suggested turn: a dashed purple line from the camera to the opening.
      if (!op.suggestions.empty()) {
        const Suggestion& sg = op.suggestions.front();
        for (const auto& c : r.cameras) {
          if (c.camera->id != sg.camera_id) continue;
          o << "<line x1=\"" << Num(v.X(c.view.at.x), 1) << "\" y1=\"" << Num(v.Y(c.view.at.y), 1)
            << "\" x2=\"" << Num(v.X(m.x), 1) << "\" y2=\"" << Num(v.Y(m.y), 1)
            << "\" stroke=\"#9467bd\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>";
          label(c.view.at, "turn to " + Num(sg.to_deg, 0) + "\u00b0", "#9467bd", true, 6, 14);
        }
      }
    } else {
      label(m, on.id, colour, false, -12, on.shape[0].y <= m.y ? 14 : -6);
    }
  }

  // Assets: green when seen by K cameras, orange below K, red when unseen.
  for (const auto& a : r.assets) {
    if (a.floor != fi) continue;
    const int n = static_cast<int>(a.seen_by.size());
    const char* colour = n == 0 ? kRed : (n < r.settings.redundancy_k ? kOrange : kGreen);
    const double cx = v.X(a.asset->at.x), cy = v.Y(a.asset->at.y), k = n == 0 ? 7 : 5;
    o << "<path d=\"M" << Num(cx, 1) << "," << Num(cy - k, 1) << "L" << Num(cx + k, 1) << ","
      << Num(cy, 1) << "L" << Num(cx, 1) << "," << Num(cy + k, 1) << "L" << Num(cx - k, 1) << ","
      << Num(cy, 1) << "Z\" fill=\"" << colour << "\" stroke=\"#000\" stroke-width=\"0.8\"/>";
    label(a.asset->at, n == 0 ? ranked(a.asset->id) : a.asset->id, n == 0 ? kRed : "#333", n == 0,
          8, 4);
  }

  for (const auto& s : r.sensors) {
    if (s.floor != fi) continue;
    const bool unseen = s.seen_by.empty();
    o << "<rect x=\"" << Num(v.X(s.sensor->at.x) - 3, 1) << "\" y=\""
      << Num(v.Y(s.sensor->at.y) - 3, 1) << "\" width=\"6\" height=\"6\" fill=\""
      << (unseen ? "#fff" : "#777") << "\" stroke=\"" << (unseen ? kRed : "#333")
      << "\" stroke-width=\"" << (unseen ? 2 : 1) << "\"/>";
  }

  for (const auto& c : r.cameras) {
    if (c.floor != fi) continue;
    const Point at = c.camera->at;
    const double a = c.camera->heading_deg / kRadToDeg;
    const Point tip = at + Point{std::cos(a), std::sin(a)} * (14 / v.s);
    o << "<line x1=\"" << Num(v.X(at.x), 1) << "\" y1=\"" << Num(v.Y(at.y), 1) << "\" x2=\""
      << Num(v.X(tip.x), 1) << "\" y2=\"" << Num(v.Y(tip.y), 1)
      << "\" stroke=\"#145a14\" stroke-width=\"2\"/>";
    o << "<circle cx=\"" << Num(v.X(at.x), 1) << "\" cy=\"" << Num(v.Y(at.y), 1)
      << "\" r=\"4.5\" fill=\"" << kGreen << "\" stroke=\"#145a14\"/>";
    label(at, c.camera->id, "#145a14", false, 6, -6);
  }

  // Scale bar.
  const double bar_m = v.s * 10 > 60 ? 10 : 20;
  const double bx = kMarginPx, by = h - 8;
  o << "<line x1=\"" << Num(bx, 1) << "\" y1=\"" << Num(by, 1) << "\" x2=\""
    << Num(bx + bar_m * v.s, 1) << "\" y2=\"" << Num(by, 1)
    << "\" stroke=\"#000\" stroke-width=\"2\"/><text x=\"" << Num(bx + bar_m * v.s + 4, 1)
    << "\" y=\"" << Num(by + 4, 1) << "\" font-size=\"10\">" << Num(bar_m, 0) << " m</text>";
  o << "</svg>";
  return o.str();
}

std::string LegendSvg(double x, double y) {
  std::ostringstream o;
  o << "<g transform=\"translate(" << Num(x, 1) << "," << Num(y, 1)
    << ")\" font-family=\"sans-serif\" font-size=\"11\">";
  double cx = 0;
  auto item = [&](const std::string& swatch, const std::string& text) {
    const double width = 32 + 6.0 * text.size();
    o << "<g transform=\"translate(" << Num(cx, 1) << ",0)\">" << swatch
      << "<text x=\"22\" y=\"12\">" << XmlEscape(text) << "</text></g>";
    cx += width;
  };
  item(
      "<rect width=\"18\" height=\"14\" fill=\"#2ca02c\" fill-opacity=\"0.25\" "
      "stroke=\"#2ca02c\"/>",
      "camera view");
  item("<rect width=\"18\" height=\"14\" fill=\"url(#legendhatch)\" stroke=\"#d62728\"/>",
       "blind spot");
  item("<line x1=\"0\" y1=\"7\" x2=\"18\" y2=\"7\" stroke=\"#d62728\" stroke-width=\"6\"/>",
       "uncovered opening");
  item("<line x1=\"0\" y1=\"7\" x2=\"18\" y2=\"7\" stroke=\"#ff7f0e\" stroke-width=\"5\"/>",
       "approach unwatched");
  item("<line x1=\"0\" y1=\"7\" x2=\"18\" y2=\"7\" stroke=\"#1f77b4\" stroke-width=\"5\"/>",
       "opening seen");
  item("<path d=\"M9,0L16,7L9,14L2,7Z\" fill=\"#d62728\"/>", "asset unseen");
  item("<path d=\"M9,0L16,7L9,14L2,7Z\" fill=\"#ff7f0e\"/>", "seen by < K");
  item("<path d=\"M9,0L16,7L9,14L2,7Z\" fill=\"#2ca02c\"/>", "asset seen");
  item(
      "<rect x=\"5\" y=\"3\" width=\"8\" height=\"8\" fill=\"#fff\" stroke=\"#d62728\" "
      "stroke-width=\"2\"/>",
      "sensor, no camera");
  item(
      "<line x1=\"0\" y1=\"7\" x2=\"18\" y2=\"7\" stroke=\"#9467bd\" stroke-width=\"2\" "
      "stroke-dasharray=\"4 2\"/>",
      "suggested turn");
  o << "</g>";
  return o.str();
}

const char* SeverityColour(Priority p) {
  switch (p) {
    case Priority::kCritical:
      return kRed;
    case Priority::kHigh:
      return kOrange;
    case Priority::kMedium:
      return "#b8860b";
    case Priority::kLow:
      return "#666";
  }
  return "#666";
}

std::string Sightings(const std::vector<Sighting>& s) {
  std::string out;
  for (const auto& x : s) {
    out += (out.empty() ? "" : ", ") + x.camera_id + " (" + Num(x.density_px_per_m, 0) + " px/m)";
  }
  return out.empty() ? "-" : out;
}

// Millimetres are plenty for a site plan and keep the JSON short.
double Mm(double v) { return std::round(v * 1000) / 1000; }

nlohmann::json PointJson(Point p) { return nlohmann::json::array({Mm(p.x), Mm(p.y)}); }

nlohmann::json PolygonJson(const Polygon& poly) {
  nlohmann::json a = nlohmann::json::array();
  for (const Point& p : poly) a.push_back(PointJson(p));
  return a;
}

nlohmann::json SightingsJson(const std::vector<Sighting>& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : s) {
    a.push_back({{"camera", x.camera_id},
                 {"distance_m", Mm(x.distance_m)},
                 {"density_px_per_m", Mm(x.density_px_per_m)},
                 {"incidence_deg", Mm(x.incidence_deg)},
                 {"fraction", Mm(x.fraction)}});
  }
  return a;
}

}  // namespace

std::string RenderSvg(const CoverageReport& r) {
  const Marks marks = MarkFindings(r);
  double width = kMinSvgWidthPx, y = 60;
  for (const auto& fr : r.floors) width = std::max(width, FloorSize(fr).first);
  std::string floors;
  for (size_t fi = 0; fi < r.floors.size(); ++fi) {
    floors += FloorSvg(r, static_cast<int>(fi), marks, "f" + std::to_string(fi), 0, y);
    y += FloorSize(r.floors[fi]).second + 10;
  }
  std::ostringstream o;
  const int shown = std::min<int>(kMaxFindingsShown, static_cast<int>(r.findings.size()));
  double height = y + 50;
  for (int i = 0; i < shown; ++i) height += 15 * Wrap(r.findings[i].message, kWrapChars).size() + 1;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Num(width, 0) << "\" height=\""
    << Num(height, 0) << "\" viewBox=\"0 0 " << Num(width, 0) << " " << Num(height, 0)
    << "\" font-family=\"sans-serif\">";
  o << Defs("legend") << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  o << "<text x=\"" << kMarginPx << "\" y=\"22\" font-size=\"18\" font-weight=\"bold\">Coverage: "
    << XmlEscape(r.site->name.empty() ? r.site->source_file : r.site->name) << "</text>";
  o << LegendSvg(kMarginPx, 34) << floors;
  o << "<g font-family=\"sans-serif\" font-size=\"12\"><text x=\"" << kMarginPx << "\" y=\""
    << Num(y + 20, 0) << "\" font-weight=\"bold\" font-size=\"14\">Findings (" << r.findings.size()
    << ", uncovered first)</text>";
  double line_y = y + 40;
  for (int i = 0; i < shown; ++i) {
    const Finding& f = r.findings[i];
    const auto lines = Wrap(f.message, kWrapChars);
    o << "<text x=\"" << kMarginPx << "\" y=\"" << Num(line_y, 0) << "\"><tspan fill=\""
      << SeverityColour(f.severity) << "\" font-weight=\"bold\">#" << i + 1 << " "
      << PriorityName(f.severity) << "</tspan> " << XmlEscape(lines[0]) << "</text>";
    for (size_t k = 1; k < lines.size(); ++k) {
      line_y += 15;
      o << "<text x=\"" << kMarginPx + 40 << "\" y=\"" << Num(line_y, 0) << "\">"
        << XmlEscape(lines[k]) << "</text>";
    }
    line_y += 16;
  }
  o << "</g></svg>\n";
  return o.str();
}

std::string RenderHtml(const CoverageReport& r) {
  const Marks marks = MarkFindings(r);
  const std::string title = r.site->name.empty() ? r.site->source_file : r.site->name;
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Coverage: "
    << XmlEscape(title) << "</title><style>\n"
    << "body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
    << "table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}"
    << "th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}"
    << "th{background:#f0f0f0}.critical{color:#d62728;font-weight:bold}"
    << ".high{color:#ff7f0e;font-weight:bold}.medium{color:#b8860b}.low{color:#666}"
    << ".bad{background:#fde8e8}.warn{background:#fff3e0}.ok{background:#eef8ee}"
    << "svg{border:1px solid #ddd;margin:6px 0;max-width:100%;height:auto}"
    << ".summary td{border:none;padding:1px 10px 1px 0}\n</style></head><body>\n";
  o << "<h1>Coverage report: " << XmlEscape(title) << "</h1>\n";
  int unc_open = 0, unc_asset = 0, unc_sensor = 0;
  for (const auto& f : r.findings) {
    unc_open += f.kind == FindingKind::kOpeningUncovered;
    unc_asset += f.kind == FindingKind::kAssetUncovered;
    unc_sensor += f.kind == FindingKind::kSensorUnverified;
  }
  const auto& s = r.settings;
  o << "<table class=\"summary\"><tr><td>Site file</td><td>" << XmlEscape(r.site->source_file)
    << "</td></tr><tr><td>Uncovered</td><td>" << unc_open << " opening(s), " << unc_asset
    << " asset(s), " << unc_sensor << " sensor(s) without camera</td></tr>"
    << "<tr><td>Rules</td><td>grid " << Num(s.cell_size_m) << " m; min density "
    << Num(s.min_density_px_per_m) << " px/m; redundancy K=" << s.redundancy_k << "; approach "
    << Num(s.approach_depth_m) << " m ("
    << (s.approach_side == ApproachSide::kBoth ? "both sides" : "exterior side")
    << "), watched from " << Pct(s.min_approach_fraction) << "; openings seen at &ge; "
    << Num(s.min_grazing_deg) << "&deg; from their plane; blind spots from "
    << Num(s.min_blind_spot_m2) << " m&sup2;</td></tr></table>\n";

  o << "<h2>Findings</h2>\n<table><tr><th>#</th><th>Severity</th><th>Kind</th><th>Id</th>"
       "<th>Floor</th><th>Finding</th></tr>\n";
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    o << "<tr" << (f.uncovered ? " class=\"bad\"" : "") << "><td>" << i + 1 << "</td><td class=\""
      << PriorityName(f.severity) << "\">" << PriorityName(f.severity) << "</td><td>"
      << FindingKindName(f.kind) << "</td><td>" << XmlEscape(f.id) << "</td><td>"
      << XmlEscape(r.site->floors[f.floor].id) << "</td><td>" << XmlEscape(f.message)
      << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Floors</h2>\n";
  o << "<svg width=\"1000\" height=\"24\" viewBox=\"0 0 1000 24\" style=\"border:none\">"
    << Defs("legend") << LegendSvg(0, 4) << "</svg>\n";
  for (size_t fi = 0; fi < r.floors.size(); ++fi) {
    const FloorResult& fr = r.floors[fi];
    const auto [w, h] = FloorSize(fr);
    o << "<h3>" << XmlEscape(fr.floor->name) << " (level " << fr.floor->level << ")</h3>\n";
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Num(w, 0) << "\" height=\""
      << Num(h, 0) << "\" viewBox=\"0 0 " << Num(w, 0) << " " << Num(h, 0) << "\">"
      << FloorSvg(r, static_cast<int>(fi), marks, "f" + std::to_string(fi), 0, 0) << "</svg>\n";
    o << "<table><tr><th>Region</th><th>Area</th><th>Seen</th><th>Coverage</th></tr>"
      << "<tr><td>interior</td><td>" << Num(fr.area_m2, 1) << " m&sup2;</td><td>"
      << Num(fr.covered_m2, 1) << " m&sup2;</td><td>" << Pct(fr.fraction) << " ("
      << Pct(fr.redundant_fraction) << " by &ge; " << s.redundancy_k << " cameras)</td></tr>";
    for (const auto& a : r.areas) {
      if (a.floor != static_cast<int>(fi)) continue;
      o << "<tr><td>" << XmlEscape(a.area->id) << " (" << XmlEscape(a.area->kind) << ")</td><td>"
        << Num(a.area_m2, 1) << " m&sup2;</td><td>" << Num(a.covered_m2, 1) << " m&sup2;</td><td>"
        << Pct(a.fraction) << "</td></tr>";
    }
    o << "</table>\n";
    if (!fr.blind_spots.empty()) {
      o << "<table><tr><th>Blind spot</th><th>Area</th><th>Centre</th><th>In</th></tr>";
      for (size_t b = 0; b < fr.blind_spots.size(); ++b) {
        const auto& bs = fr.blind_spots[b];
        o << "<tr><td>" << b + 1 << "</td><td>" << Num(bs.area_m2, 1) << " m&sup2;</td><td>("
          << Num(bs.centroid.x, 1) << ", " << Num(bs.centroid.y, 1) << ")</td><td>"
          << XmlEscape(bs.where) << "</td></tr>";
      }
      o << "</table>\n";
    }
  }

  o << "<h2>Openings</h2>\n<table><tr><th>Id</th><th>Floor</th><th>Type</th><th>Side</th>"
       "<th>Priority</th><th>Seen by</th><th>Edge-on only</th><th>Approach watched</th>"
       "<th>Suggestion</th></tr>\n";
  for (const auto& op : r.openings) {
    const bool bad = op.seen_by.empty();
    const bool warn = op.approach_fraction < s.min_approach_fraction;
    std::string sug = "-";
    if (!op.suggestions.empty()) {
      const auto& sg = op.suggestions.front();
      sug = "turn " + sg.camera_id + " " + Num(sg.from_deg, 0) + "&deg; &rarr; " +
            Num(sg.to_deg, 0) + "&deg; (" + Num(sg.density_px_per_m, 0) + " px/m)";
      if (!sg.loses.empty()) {
        std::string l;
        for (const auto& x : sg.loses) l += (l.empty() ? "" : ", ") + XmlEscape(x);
        sug += "; uncovers " + l;
      }
    } else if (bad) {
      sug = "add a camera";
    }
    o << "<tr class=\"" << (bad ? "bad" : (warn ? "warn" : "ok")) << "\"><td>"
      << XmlEscape(op.opening->id) << "</td><td>" << XmlEscape(r.site->floors[op.floor].id)
      << "</td><td>" << OpeningTypeName(op.opening->type) << "</td><td>"
      << (op.exterior ? "exterior" : "interior") << "</td><td class=\"" << PriorityName(op.priority)
      << "\">" << PriorityName(op.priority) << "</td><td>" << XmlEscape(Sightings(op.seen_by))
      << "</td><td>" << XmlEscape(Sightings(op.grazing)) << "</td><td>" << Pct(op.approach_fraction)
      << "</td><td>" << sug << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Assets</h2>\n<table><tr><th>Id</th><th>Name</th><th>Floor</th><th>Priority</th>"
       "<th>Value</th><th>Seen by</th></tr>\n";
  for (const auto& a : r.assets) {
    const int n = static_cast<int>(a.seen_by.size());
    o << "<tr class=\"" << (n == 0 ? "bad" : (n < s.redundancy_k ? "warn" : "ok")) << "\"><td>"
      << XmlEscape(a.asset->id) << "</td><td>" << XmlEscape(a.asset->name) << "</td><td>"
      << XmlEscape(r.site->floors[a.floor].id) << "</td><td class=\"" << PriorityName(a.priority)
      << "\">" << PriorityName(a.priority) << "</td><td>" << Num(a.asset->value, 0) << "</td><td>"
      << XmlEscape(Sightings(a.seen_by)) << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Sensors</h2>\n<table><tr><th>Id</th><th>Type</th><th>Floor</th><th>Guards</th>"
       "<th>Seen by</th></tr>\n";
  for (const auto& se : r.sensors) {
    const std::string guards =
        se.sensor->opening + (se.sensor->asset.empty() ? "" : se.sensor->asset);
    o << "<tr class=\"" << (se.seen_by.empty() ? "bad" : "ok") << "\"><td>"
      << XmlEscape(se.sensor->id) << "</td><td>" << SensorTypeName(se.sensor->type) << "</td><td>"
      << XmlEscape(r.site->floors[se.floor].id) << "</td><td>"
      << XmlEscape(guards.empty() ? "-" : guards) << "</td><td>" << XmlEscape(Sightings(se.seen_by))
      << "</td></tr>\n";
  }
  o << "</table>\n";

  o << "<h2>Cameras</h2>\n<table><tr><th>Id</th><th>Config camera</th><th>Floor</th>"
       "<th>Position</th><th>Heading</th><th>HFOV</th><th>Range</th><th>Density range</th>"
       "<th>Near blind zone</th><th>Area seen</th></tr>\n";
  for (const auto& c : r.cameras) {
    const Camera& cam = *c.camera;
    o << "<tr><td>" << XmlEscape(cam.id) << "</td><td>" << XmlEscape(cam.config_camera)
      << "</td><td>" << XmlEscape(r.site->floors[c.floor].id) << "</td><td>(" << Num(cam.at.x)
      << ", " << Num(cam.at.y) << ")</td><td>" << Num(cam.heading_deg) << "&deg;</td><td>"
      << Num(cam.hfov_deg) << "&deg;</td><td>" << Num(cam.range_m, 1) << " m</td><td>"
      << (std::isfinite(c.density_range_m) ? Num(c.density_range_m, 1) + " m" : "-") << "</td><td>"
      << (std::isfinite(c.view.near_m) ? Num(c.view.near_m, 1) + " m" : "sees no floor")
      << "</td><td>" << Num(c.covered_m2, 1) << " m&sup2;</td></tr>\n";
  }
  o << "</table>\n</body></html>\n";
  return o.str();
}

nlohmann::json ReportToJson(const CoverageReport& r) {
  using nlohmann::json;
  const auto& s = r.settings;
  json j;
  j["site"] = {{"name", r.site->name}, {"file", r.site->source_file}};
  j["settings"] = {{"cell_size_m", s.cell_size_m},
                   {"min_density_px_per_m", s.min_density_px_per_m},
                   {"redundancy_k", s.redundancy_k},
                   {"approach_depth_m", s.approach_depth_m},
                   {"approach_side", s.approach_side == ApproachSide::kBoth ? "both" : "exterior"},
                   {"min_grazing_deg", s.min_grazing_deg},
                   {"min_blind_spot_m2", s.min_blind_spot_m2},
                   {"min_approach_fraction", s.min_approach_fraction}};
  json findings = json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"kind", FindingKindName(f.kind)},
                        {"severity", PriorityName(f.severity)},
                        {"uncovered", f.uncovered},
                        {"id", f.id},
                        {"floor", r.site->floors[f.floor].id},
                        {"message", f.message}});
  }
  j["findings"] = findings;
  json floors = json::array();
  for (const auto& fr : r.floors) {
    json spots = json::array();
    for (const auto& b : fr.blind_spots) {
      json rings = json::array();
      for (const auto& ring : b.rings) rings.push_back(PolygonJson(ring));
      spots.push_back({{"area_m2", Mm(b.area_m2)},
                       {"centroid", PointJson(b.centroid)},
                       {"where", b.where},
                       {"rings", rings}});
    }
    floors.push_back({{"id", fr.floor->id},
                      {"level", fr.floor->level},
                      {"area_m2", Mm(fr.area_m2)},
                      {"covered_m2", Mm(fr.covered_m2)},
                      {"coverage", Mm(fr.fraction)},
                      {"redundant_coverage", Mm(fr.redundant_fraction)},
                      {"blind_m2", Mm(fr.blind_m2)},
                      {"blind_spots", spots}});
  }
  j["floors"] = floors;
  json areas = json::array();
  for (const auto& a : r.areas) {
    areas.push_back({{"id", a.area->id},
                     {"floor", r.site->floors[a.floor].id},
                     {"kind", a.area->kind},
                     {"area_m2", Mm(a.area_m2)},
                     {"covered_m2", Mm(a.covered_m2)},
                     {"coverage", Mm(a.fraction)}});
  }
  j["areas"] = areas;
  json openings = json::array();
  for (const auto& op : r.openings) {
    json sug = json::array();
    for (const auto& sg : op.suggestions) {
      sug.push_back({{"camera", sg.camera_id},
                     {"from_deg", Mm(sg.from_deg)},
                     {"to_deg", Mm(sg.to_deg)},
                     {"density_px_per_m", Mm(sg.density_px_per_m)},
                     {"loses", sg.loses}});
    }
    openings.push_back({{"id", op.opening->id},
                        {"floor", r.site->floors[op.floor].id},
                        {"type", OpeningTypeName(op.opening->type)},
                        {"exterior", op.exterior},
                        {"priority", PriorityName(op.priority)},
                        {"seen_by", SightingsJson(op.seen_by)},
                        {"grazing", SightingsJson(op.grazing)},
                        {"approach_coverage", Mm(op.approach_fraction)},
                        {"suggestions", sug}});
  }
  j["openings"] = openings;
  json assets = json::array();
  for (const auto& a : r.assets) {
    assets.push_back({{"id", a.asset->id},
                      {"floor", r.site->floors[a.floor].id},
                      {"priority", PriorityName(a.priority)},
                      {"value", a.asset->value},
                      {"seen_by", SightingsJson(a.seen_by)}});
  }
  j["assets"] = assets;
  json sensors = json::array();
  for (const auto& se : r.sensors) {
    sensors.push_back({{"id", se.sensor->id},
                       {"floor", r.site->floors[se.floor].id},
                       {"type", SensorTypeName(se.sensor->type)},
                       {"priority", PriorityName(se.priority)},
                       {"seen_by", SightingsJson(se.seen_by)}});
  }
  j["sensors"] = sensors;
  json cameras = json::array();
  for (const auto& c : r.cameras) {
    cameras.push_back(
        {{"id", c.camera->id},
         {"camera", c.camera->config_camera},
         {"floor", r.site->floors[c.floor].id},
         {"near_blind_m", std::isfinite(c.view.near_m) ? json(Mm(c.view.near_m)) : json()},
         {"usable_range_m", Mm(c.view.far_m)},
         {"covered_m2", Mm(c.covered_m2)},
         {"visible", PolygonJson(c.visible)}});
  }
  j["cameras"] = cameras;
  return j;
}

std::string RenderText(const CoverageReport& r, int max_findings) {
  std::ostringstream o;
  for (const auto& fr : r.floors) {
    o << fr.floor->id << " (level " << fr.floor->level << "): " << Pct(fr.fraction)
      << " of interior seen, " << fr.blind_spots.size() << " blind spot(s)\n";
  }
  o << r.findings.size() << " finding(s)";
  if (!r.findings.empty()) o << ", uncovered first:";
  o << "\n";
  for (int i = 0; i < std::min<int>(max_findings, static_cast<int>(r.findings.size())); ++i) {
    const Finding& f = r.findings[i];
    o << "  #" << i + 1 << " [" << PriorityName(f.severity) << "] " << f.message << "\n";
  }
  return o.str();
}

nlohmann::json SiteMapJson(const CoverageReport& r) {
  using nlohmann::json;
  json floors = json::array();
  for (size_t fi = 0; fi < r.site->floors.size(); ++fi) {
    const Floor& f = r.site->floors[fi];
    json walls = json::array(), pillars = json::array(), openings = json::array();
    for (const Wall& w : f.walls) walls.push_back(PolygonJson(w.points));
    for (const Pillar& p : f.pillars) pillars.push_back(PolygonJson(p.polygon));
    for (const Opening& o : f.openings) {
      openings.push_back({{"id", o.id},
                          {"name", o.name},
                          {"type", OpeningTypeName(o.type)},
                          {"shape", PolygonJson(o.shape)}});
    }
    json assets = json::array(), sensors = json::array(), cameras = json::array();
    for (const AssetResult& a : r.assets) {
      if (a.floor != static_cast<int>(fi)) continue;
      assets.push_back({{"id", a.asset->id},
                        {"name", a.asset->name},
                        {"kind", a.asset->kind},
                        {"at", PointJson(a.asset->at)},
                        {"priority", PriorityName(a.priority)}});
    }
    for (const SensorResult& s : r.sensors) {
      if (s.floor != static_cast<int>(fi)) continue;
      sensors.push_back({{"id", s.sensor->id},
                         {"type", SensorTypeName(s.sensor->type)},
                         {"at", PointJson(s.sensor->at)}});
    }
    for (const CameraResult& c : r.cameras) {
      if (c.floor != static_cast<int>(fi)) continue;
      cameras.push_back({{"id", c.camera->id},
                         {"camera", c.camera->config_camera},
                         {"at", PointJson(c.camera->at)},
                         {"heading_deg", c.camera->heading_deg},
                         {"hfov_deg", c.camera->hfov_deg},
                         {"range_m", c.camera->range_m},
                         {"view", PolygonJson(c.visible)}});
    }
    floors.push_back({{"id", f.id},
                      {"name", f.name},
                      {"level", f.level},
                      {"outline", f.outline.empty() ? json() : PolygonJson(f.outline)},
                      {"walls", walls},
                      {"pillars", pillars},
                      {"openings", openings},
                      {"assets", assets},
                      {"sensors", sensors},
                      {"cameras", cameras}});
  }
  return {{"name", r.site->name}, {"floors", floors}};
}

}  // namespace argus::site
