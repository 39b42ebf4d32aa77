#include "site/coverage.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace argus::site {
namespace {

constexpr double kRadToDeg = 180.0 / M_PI;
// Probe distance used to tell which side of an opening is inside the outline.
constexpr double kSideProbeM = 0.1;
// Value thresholds that make an asset without explicit priority high / critical.
constexpr double kCriticalValue = 1e6;
constexpr double kHighValue = 1e5;
// Sample grid (per axis) for polygon openings (skylights, hatches).
constexpr int kPolygonOpeningSamples = 5;

std::string Fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// Calls fn(i, j) for every grid cell whose centre lies inside the polygon
// (scanline, even-odd).
template <typename Fn>
void FillPolygon(const CoverageGrid& g, const Polygon& poly, Fn fn) {
  if (poly.size() < 3) return;
  double ylo = poly[0].y, yhi = poly[0].y;
  for (const Point& p : poly) {
    ylo = std::min(ylo, p.y);
    yhi = std::max(yhi, p.y);
  }
  const int j0 = std::max(0, static_cast<int>(std::ceil((ylo - g.origin.y) / g.cell - 0.5)));
  const int j1 =
      std::min(g.ny - 1, static_cast<int>(std::floor((yhi - g.origin.y) / g.cell - 0.5)));
  std::vector<double> xs;
  for (int j = j0; j <= j1; ++j) {
    const double yc = g.origin.y + (j + 0.5) * g.cell;
    xs.clear();
    for (size_t a = 0, n = poly.size(), b = n - 1; a < n; b = a++) {
      const Point p = poly[b], q = poly[a];
      if ((p.y > yc) != (q.y > yc)) xs.push_back(p.x + (yc - p.y) * (q.x - p.x) / (q.y - p.y));
    }
    std::sort(xs.begin(), xs.end());
    for (size_t k = 0; k + 1 < xs.size(); k += 2) {
      const int i0 = std::max(0, static_cast<int>(std::ceil((xs[k] - g.origin.x) / g.cell - 0.5)));
      const int i1 =
          std::min(g.nx - 1, static_cast<int>(std::floor((xs[k + 1] - g.origin.x) / g.cell - 0.5)));
      for (int i = i0; i <= i1; ++i) fn(i, j);
    }
  }
}

Point Unit(Point d) {
  const double n = core::Norm(d);
  return n > 0 ? d * (1.0 / n) : Point{};
}

Point Normal(const Opening& o) {  // left normal of the opening segment
  const Point d = Unit(o.shape[1] - o.shape[0]);
  return {-d.y, d.x};
}

Point Middle(const Opening& o) {
  Point m;
  for (const Point& p : o.shape) m = m + p;
  return m * (1.0 / o.shape.size());
}

bool IsSegment(const Opening& o) { return o.shape.size() == 2; }

std::vector<Point> PolygonSamples(const Polygon& poly) {
  double xlo = poly[0].x, xhi = xlo, ylo = poly[0].y, yhi = ylo;
  for (const Point& p : poly) {
    xlo = std::min(xlo, p.x);
    xhi = std::max(xhi, p.x);
    ylo = std::min(ylo, p.y);
    yhi = std::max(yhi, p.y);
  }
  std::vector<Point> out;
  for (int a = 0; a < kPolygonOpeningSamples; ++a) {
    for (int b = 0; b < kPolygonOpeningSamples; ++b) {
      const Point p{xlo + (xhi - xlo) * (a + 0.5) / kPolygonOpeningSamples,
                    ylo + (yhi - ylo) * (b + 0.5) / kPolygonOpeningSamples};
      if (core::PointInPolygon(p, poly)) out.push_back(p);
    }
  }
  if (out.empty()) {
    Point c;
    for (const Point& p : poly) c = c + p;
    out.push_back(c * (1.0 / poly.size()));
  }
  return out;
}

Sighting PointSighting(const Camera& cam, const CameraView& v, Point q) {
  Sighting s;
  s.camera_id = cam.id;
  s.distance_m = core::Distance(v.at, q);
  s.density_px_per_m = DensityAt(cam, s.distance_m);
  return s;
}

bool ByPriorityThenDensity(const Sighting& a, const Sighting& b) {
  return a.density_px_per_m > b.density_px_per_m;
}

void CountCovered(const CoverageGrid& g, const Polygon& poly, int* total, int* covered) {
  FillPolygon(g, poly, [&](int i, int j) {
    const size_t c = static_cast<size_t>(j) * g.nx + i;
    ++*total;
    if (g.count[c] > 0) ++*covered;
  });
}

// Connected unseen cells of the watched region, traced into rings.
std::vector<BlindSpot> FindBlindSpots(const CoverageGrid& g, int floor_index, const Floor& floor,
                                      double min_area, double* total_m2) {
  const size_t n = g.count.size();
  std::vector<int> label(n, -1);
  std::vector<BlindSpot> out;
  const double cell_area = g.cell * g.cell;
  *total_m2 = 0;
  std::vector<int> comp;
  std::deque<int> queue;
  int comp_id = -1;
  for (size_t start = 0; start < n; ++start) {
    if (!g.mask[start] || g.count[start] > 0 || label[start] >= 0) continue;
    comp.clear();
    label[start] = ++comp_id;
    queue.push_back(static_cast<int>(start));
    while (!queue.empty()) {
      const int c = queue.front();
      queue.pop_front();
      comp.push_back(c);
      const int i = c % g.nx, j = c / g.nx;
      const int nb[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
      for (const auto& q : nb) {
        if (q[0] < 0 || q[1] < 0 || q[0] >= g.nx || q[1] >= g.ny) continue;
        const int d = q[1] * g.nx + q[0];
        if (!g.mask[d] || g.count[d] > 0 || label[d] >= 0) continue;
        label[d] = comp_id;
        queue.push_back(d);
      }
    }
    const double area = comp.size() * cell_area;
    *total_m2 += area;
    if (area < min_area) continue;

    BlindSpot spot;
    spot.floor = floor_index;
    spot.area_m2 = area;
    Point sum;
    // Directed boundary edges on the lattice of cell corners, interior on the left.
    struct Edge {
      int64_t from, to;
    };
    std::vector<Edge> edges;
    const int64_t stride = g.nx + 1;
    auto key = [&](int i, int j) { return static_cast<int64_t>(j) * stride + i; };
    for (int c : comp) {
      const int i = c % g.nx, j = c / g.nx;
      sum = sum + g.Center(i, j);
      auto inside = [&](int a, int b) {
        return a >= 0 && b >= 0 && a < g.nx && b < g.ny && label[b * g.nx + a] == comp_id;
      };
      if (!inside(i, j - 1)) edges.push_back({key(i, j), key(i + 1, j)});
      if (!inside(i + 1, j)) edges.push_back({key(i + 1, j), key(i + 1, j + 1)});
      if (!inside(i, j + 1)) edges.push_back({key(i + 1, j + 1), key(i, j + 1)});
      if (!inside(i - 1, j)) edges.push_back({key(i, j + 1), key(i, j)});
    }
    spot.centroid = sum * (1.0 / comp.size());
    std::unordered_multimap<int64_t, int> from;
    for (size_t e = 0; e < edges.size(); ++e) from.emplace(edges[e].from, static_cast<int>(e));
    std::vector<bool> used(edges.size(), false);
    for (size_t e0 = 0; e0 < edges.size(); ++e0) {
      if (used[e0]) continue;
      std::vector<int64_t> ring;
      int e = static_cast<int>(e0);
      while (e >= 0) {
        used[e] = true;
        ring.push_back(edges[e].from);
        if (edges[e].to == edges[e0].from) break;
        int next = -1;
        auto range = from.equal_range(edges[e].to);
        for (auto it = range.first; it != range.second; ++it) {
          if (!used[it->second]) {
            next = it->second;
            break;
          }
        }
        e = next;
      }
      Polygon poly;
      for (size_t k = 0; k < ring.size(); ++k) {
        const int64_t prev = ring[(k + ring.size() - 1) % ring.size()];
        const int64_t next = ring[(k + 1) % ring.size()];
        const int64_t cur = ring[k];
        // Keep corners only: drop points in the middle of a straight run.
        const bool same_row = prev / stride == cur / stride && cur / stride == next / stride;
        const bool same_col = prev % stride == cur % stride && cur % stride == next % stride;
        if (same_row || same_col) continue;
        poly.push_back(
            {g.origin.x + (cur % stride) * g.cell, g.origin.y + (cur / stride) * g.cell});
      }
      if (poly.size() >= 3) spot.rings.push_back(std::move(poly));
    }
    spot.where = "interior";
    for (const auto& a : floor.areas) {
      if (core::PointInPolygon(spot.centroid, a.polygon)) {
        spot.where = a.id;
        break;
      }
    }
    out.push_back(std::move(spot));
  }
  std::sort(out.begin(), out.end(),
            [](const BlindSpot& a, const BlindSpot& b) { return a.area_m2 > b.area_m2; });
  return out;
}

struct FloorContext {
  const Floor* floor;
  int index;
  WallIndex walls;
  std::vector<const Camera*> cameras;
  std::vector<CameraView> views;
};

std::string DescribeSightings(const std::vector<Sighting>& s) {
  std::string out;
  for (const auto& x : s) {
    out +=
        (out.empty() ? "" : ", ") + x.camera_id + " (" + Fmt("%.0f", x.density_px_per_m) + " px/m)";
  }
  return out;
}

}  // namespace

const char* FindingKindName(FindingKind k) {
  switch (k) {
    case FindingKind::kOpeningUncovered:
      return "opening_uncovered";
    case FindingKind::kAssetUncovered:
      return "asset_uncovered";
    case FindingKind::kSensorUnverified:
      return "sensor_without_camera";
    case FindingKind::kApproachUnwatched:
      return "approach_unwatched";
    case FindingKind::kAssetLowRedundancy:
      return "asset_low_redundancy";
    case FindingKind::kBlindSpot:
      return "blind_spot";
  }
  return "?";
}

int CoverageGrid::CountAt(Point p) const {
  const int i = static_cast<int>(std::floor((p.x - origin.x) / cell));
  const int j = static_cast<int>(std::floor((p.y - origin.y) / cell));
  if (i < 0 || j < 0 || i >= nx || j >= ny) return 0;
  return count[static_cast<size_t>(j) * nx + i];
}

Priority OpeningPriority(const Opening& o, int level, bool exterior) {
  if (o.priority) return *o.priority;
  if (!exterior) return Priority::kMedium;
  // A lift or a ladder reaches an upper-floor window out of sight of the street
  // door guards: the Louvre, October 2025.
  const bool climbable = o.type != OpeningType::kDoor;
  if (level >= 1 && climbable) return Priority::kCritical;
  return Priority::kHigh;
}

Priority AssetPriority(const Asset& a) {
  if (a.priority) return *a.priority;
  if (a.value >= kCriticalValue) return Priority::kCritical;
  if (a.value >= kHighValue) return Priority::kHigh;
  return Priority::kMedium;
}

OpeningSight SeeOpening(const Camera& cam, const CameraView& view, const WallIndex& walls,
                        const Opening& o, const AnalysisSettings& s) {
  OpeningSight out;
  out.sighting = PointSighting(cam, view, Middle(o));
  std::vector<Point> probes;
  if (IsSegment(o)) {
    const Point a = o.shape[0], b = o.shape[1];
    const double side = core::SideOfLine(view.at, {a, b});
    const Point to_cam = Unit(view.at - Middle(o));
    out.sighting.incidence_deg =
        std::asin(std::min(1.0, std::abs(core::Cross(to_cam, Unit(b - a))))) * kRadToDeg;
    if (side == 0) out.sighting.incidence_deg = 0;
    const Point normal = Normal(o) * (side >= 0 ? kOpeningProbeOffsetM : -kOpeningProbeOffsetM);
    const int n =
        std::max(3, static_cast<int>(std::ceil(core::Distance(a, b) / kOpeningSampleStepM)));
    for (int k = 0; k < n; ++k) probes.push_back(a + (b - a) * ((k + 0.5) / n) + normal);
  } else {
    probes = PolygonSamples(o.shape);
  }
  int seen = 0;
  for (const Point& p : probes) seen += Sees(view, walls, p) ? 1 : 0;
  out.sighting.fraction = static_cast<double>(seen) / probes.size();
  const bool enough = seen > 0 && out.sighting.fraction >= s.min_opening_seen_fraction;
  const bool square = out.sighting.incidence_deg >= s.min_grazing_deg;
  out.seen = enough && square;
  out.grazing = enough && !square;
  return out;
}

core::Result<CoverageReport> AnalyzeCoverage(const Site& site, const AnalysisSettings& settings,
                                             const ProgressFn& progress) {
  if (settings.cell_size_m <= 0) return core::InvalidArgument("cell size must be positive");
  CoverageReport rep;
  rep.site = &site;
  rep.settings = settings;
  const double cell_area = settings.cell_size_m * settings.cell_size_m;

  int64_t total_work = 0, done = 0;
  for (const auto& f : site.floors) {
    total_work += static_cast<int64_t>(f.cameras.size()) + 1 + f.openings.size() / 8;
  }
  auto tick = [&](int64_t n) {
    done += n;
    if (progress) progress(done, total_work);
  };

  std::vector<FloorContext> ctx;
  ctx.reserve(site.floors.size());
  for (size_t fi = 0; fi < site.floors.size(); ++fi) {
    const Floor& floor = site.floors[fi];
    FloorContext c{&floor, static_cast<int>(fi), WallIndex(BlockingSegments(floor)), {}, {}};
    FloorResult fr;
    fr.floor = &floor;

    // Grid over everything on the floor, plus the approach strips.
    Point lo{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    Point hi{-lo.x, -lo.y};
    auto grow = [&](Point p, double pad) {
      lo = {std::min(lo.x, p.x - pad), std::min(lo.y, p.y - pad)};
      hi = {std::max(hi.x, p.x + pad), std::max(hi.y, p.y + pad)};
    };
    for (const Point& p : floor.outline) grow(p, 0);
    for (const auto& a : floor.areas) {
      for (const Point& p : a.polygon) grow(p, 0);
    }
    for (const auto& o : floor.openings) {
      for (const Point& p : o.shape) grow(p, settings.approach_depth_m);
    }
    for (const auto& a : floor.assets) grow(a.at, 0);
    for (const auto& s : floor.sensors) grow(s.at, 0);
    for (const auto& cam : floor.cameras) grow(cam.at, 0);
    CoverageGrid& g = fr.grid;
    g.cell = settings.cell_size_m;
    g.origin = lo - Point{g.cell, g.cell};
    g.nx = static_cast<int>(std::ceil((hi.x - lo.x) / g.cell)) + 2;
    g.ny = static_cast<int>(std::ceil((hi.y - lo.y) / g.cell)) + 2;
    if (static_cast<int64_t>(g.nx) * g.ny > kMaxGridCells) {
      return core::InvalidArgument(site.source_file + ":" + std::to_string(floor.line) +
                                   ": floors." + floor.id + ": " + std::to_string(g.nx) + "x" +
                                   std::to_string(g.ny) +
                                   " grid cells is too many; use a larger analysis.cell_size_m");
    }
    const size_t ncells = static_cast<size_t>(g.nx) * g.ny;
    g.count.assign(ncells, 0);
    g.mask.assign(ncells, 0);
    auto at = [&](int i, int j) { return static_cast<size_t>(j) * g.nx + i; };
    FillPolygon(g, floor.outline, [&](int i, int j) { g.mask[at(i, j)] = 1; });
    std::vector<uint8_t> interior = g.mask;
    for (const auto& a : floor.areas) {
      FillPolygon(g, a.polygon, [&](int i, int j) { g.mask[at(i, j)] = 1; });
    }
    for (const auto& p : floor.pillars) {
      FillPolygon(g, p.polygon, [&](int i, int j) {
        g.mask[at(i, j)] = 0;
        interior[at(i, j)] = 0;
      });
    }

    // Cameras: visibility polygons rasterised into per-cell counts.
    for (const auto& cam : floor.cameras) {
      CameraResult cr;
      cr.camera = &cam;
      cr.floor = c.index;
      cr.view = MakeView(cam, settings.min_density_px_per_m);
      cr.density_range_m = DensityRange(cam, settings.min_density_px_per_m);
      cr.visible = VisibilityPolygon(cr.view, c.walls);
      const double near2 = cr.view.near_m * cr.view.near_m;
      int cells = 0;
      FillPolygon(g, cr.visible, [&](int i, int j) {
        const Point d = g.Center(i, j) - cr.view.at;
        if (core::Dot(d, d) < near2) return;
        uint16_t& n = g.count[at(i, j)];
        if (n < UINT16_MAX) ++n;
        ++cells;
      });
      cr.covered_m2 = cells * cell_area;
      c.cameras.push_back(&cam);
      c.views.push_back(cr.view);
      rep.cameras.push_back(std::move(cr));
      tick(1);
    }

    int inside = 0, covered = 0, redundant = 0;
    for (size_t k = 0; k < ncells; ++k) {
      if (!interior[k]) continue;
      ++inside;
      covered += g.count[k] > 0;
      redundant += g.count[k] >= settings.redundancy_k;
    }
    fr.area_m2 = inside * cell_area;
    fr.covered_m2 = covered * cell_area;
    fr.fraction = inside ? static_cast<double>(covered) / inside : 0;
    fr.redundant_fraction = inside ? static_cast<double>(redundant) / inside : 0;

    for (const auto& a : floor.areas) {
      AreaResult ar;
      ar.area = &a;
      ar.floor = c.index;
      int total = 0, cov = 0;
      CountCovered(g, a.polygon, &total, &cov);
      ar.area_m2 = total * cell_area;
      ar.covered_m2 = cov * cell_area;
      ar.fraction = total ? static_cast<double>(cov) / total : 0;
      rep.areas.push_back(ar);
    }
    fr.blind_spots = FindBlindSpots(g, c.index, floor, settings.min_blind_spot_m2, &fr.blind_m2);

    // Openings.
    for (const auto& o : floor.openings) {
      OpeningResult orr;
      orr.opening = &o;
      orr.floor = c.index;
      std::vector<Point> sides;  // normals of the approach strips
      if (IsSegment(o)) {
        const Point m = Middle(o), nrm = Normal(o);
        const bool left_in = core::PointInPolygon(m + nrm * kSideProbeM, floor.outline);
        const bool right_in = core::PointInPolygon(m - nrm * kSideProbeM, floor.outline);
        const bool known = left_in != right_in;
        const Point out_n = left_in ? nrm * -1.0 : nrm;
        orr.exterior = o.exterior.value_or(known || (!left_in && !right_in));
        ApproachSide side = o.approach;
        if (side == ApproachSide::kAuto) side = settings.approach_side;
        if ((side == ApproachSide::kExterior || side == ApproachSide::kInterior) && known) {
          sides.push_back(side == ApproachSide::kExterior ? out_n : out_n * -1.0);
        } else {
          sides = {nrm, nrm * -1.0};
        }
        for (const Point& n : sides) {
          const Point d = n * settings.approach_depth_m;
          orr.approach.push_back({o.shape[0], o.shape[1], o.shape[1] + d, o.shape[0] + d});
        }
      } else {
        orr.exterior = o.exterior.value_or(o.type == OpeningType::kSkylight ||
                                           o.type == OpeningType::kRoofHatch);
        orr.approach.push_back(o.shape);
      }
      orr.priority = OpeningPriority(o, floor.level, orr.exterior);
      int total = 0, cov = 0;
      for (const auto& strip : orr.approach) CountCovered(g, strip, &total, &cov);
      orr.approach_fraction = total ? static_cast<double>(cov) / total : 0;
      for (size_t k = 0; k < c.cameras.size(); ++k) {
        const OpeningSight s = SeeOpening(*c.cameras[k], c.views[k], c.walls, o, settings);
        if (s.seen) orr.seen_by.push_back(s.sighting);
        if (s.grazing) orr.grazing.push_back(s.sighting);
      }
      std::sort(orr.seen_by.begin(), orr.seen_by.end(), ByPriorityThenDensity);
      rep.openings.push_back(std::move(orr));
    }

    auto point_sightings = [&](Point q) {
      std::vector<Sighting> out;
      for (size_t k = 0; k < c.cameras.size(); ++k) {
        if (Sees(c.views[k], c.walls, q))
          out.push_back(PointSighting(*c.cameras[k], c.views[k], q));
      }
      std::sort(out.begin(), out.end(), ByPriorityThenDensity);
      return out;
    };
    for (const auto& a : floor.assets) {
      AssetResult ar;
      ar.asset = &a;
      ar.floor = c.index;
      ar.priority = AssetPriority(a);
      ar.seen_by = point_sightings(a.at);
      rep.assets.push_back(std::move(ar));
    }
    rep.floors.push_back(std::move(fr));
    ctx.push_back(std::move(c));
    tick(1);
  }

  // Sensors take the priority of what they guard, so index openings and assets.
  std::map<std::string, Priority> priority_of;
  for (const auto& o : rep.openings) priority_of[o.opening->id] = o.priority;
  for (const auto& a : rep.assets) priority_of[a.asset->id] = a.priority;
  for (const auto& c : ctx) {
    for (const auto& s : c.floor->sensors) {
      SensorResult sr;
      sr.sensor = &s;
      sr.floor = c.index;
      sr.priority = Priority::kMedium;
      if (!s.opening.empty() && priority_of.count(s.opening)) sr.priority = priority_of[s.opening];
      if (!s.asset.empty() && priority_of.count(s.asset)) {
        sr.priority = std::max(sr.priority, priority_of[s.asset]);
      }
      for (size_t k = 0; k < c.cameras.size(); ++k) {
        if (Sees(c.views[k], c.walls, s.at)) {
          sr.seen_by.push_back(PointSighting(*c.cameras[k], c.views[k], s.at));
        }
      }
      std::sort(sr.seen_by.begin(), sr.seen_by.end(), ByPriorityThenDensity);
      rep.sensors.push_back(std::move(sr));
    }
  }

  // Suggestions: which camera on the floor could turn to see an uncovered opening,
  // and what it alone covers today that it would lose.
  std::map<std::string, int> seen_count;                        // object id -> cameras seeing it
  std::map<std::string, std::vector<std::string>> seen_by_cam;  // camera -> objects
  for (const auto& o : rep.openings) {
    seen_count[o.opening->id] = static_cast<int>(o.seen_by.size());
    for (const auto& s : o.seen_by) seen_by_cam[s.camera_id].push_back(o.opening->id);
  }
  for (const auto& a : rep.assets) {
    seen_count[a.asset->id] = static_cast<int>(a.seen_by.size());
    for (const auto& s : a.seen_by) seen_by_cam[s.camera_id].push_back(a.asset->id);
  }
  int64_t suggestion_work = 0;
  for (auto& orr : rep.openings) {
    if (++suggestion_work % 8 == 0) tick(1);
    if (!orr.seen_by.empty()) continue;
    const FloorContext& c = ctx[orr.floor];
    const Opening& o = *orr.opening;
    const Point mid = Middle(o);
    for (size_t k = 0; k < c.cameras.size(); ++k) {
      const Camera& cam = *c.cameras[k];
      const CameraView& v = c.views[k];
      const double d = core::Distance(v.at, mid);
      if (d > v.far_m || d < v.near_m) continue;
      // Candidate headings: centred on the opening, and the smallest turn that
      // brings the whole opening inside the field of view with a margin.
      const double centred = std::atan2(mid.y - v.at.y, mid.x - v.at.x) * kRadToDeg;
      std::vector<double> headings = {centred};
      if (!v.full_circle) {
        double lo_rel = 1e9, hi_rel = -1e9;
        for (const Point& p : o.shape) {
          const double r = RelativeAngle(v, p - v.at) * kRadToDeg;
          lo_rel = std::min(lo_rel, r);
          hi_rel = std::max(hi_rel, r);
        }
        const double half = v.half_fov_rad * kRadToDeg - kSuggestionMarginDeg;
        if (hi_rel - lo_rel < 180 && half > 0) {
          if (hi_rel > half) headings.push_back(cam.heading_deg + hi_rel - half);
          if (lo_rel < -half) headings.push_back(cam.heading_deg + lo_rel + half);
        }
      }
      for (double h : headings) {
        h = std::fmod(h + 360.0, 360.0);
        const CameraView turned = WithHeading(v, h);
        const OpeningSight s = SeeOpening(cam, turned, c.walls, o, settings);
        if (!s.seen) continue;
        Suggestion sg;
        sg.camera_id = cam.id;
        sg.from_deg = cam.heading_deg;
        sg.to_deg = h;
        sg.density_px_per_m = s.sighting.density_px_per_m;
        for (const auto& id : seen_by_cam[cam.id]) {
          if (seen_count[id] != 1) continue;
          bool still = false;
          for (const auto& o2 : c.floor->openings) {
            if (o2.id == id) still = SeeOpening(cam, turned, c.walls, o2, settings).seen;
          }
          for (const auto& a2 : c.floor->assets) {
            if (a2.id == id) still = Sees(turned, c.walls, a2.at);
          }
          if (!still) sg.loses.push_back(id);
        }
        orr.suggestions.push_back(std::move(sg));
      }
    }
    auto turn = [](const Suggestion& s) {
      return std::abs(std::remainder(s.to_deg - s.from_deg, 360.0));
    };
    std::sort(orr.suggestions.begin(), orr.suggestions.end(),
              [&](const Suggestion& a, const Suggestion& b) {
                if (a.loses.size() != b.loses.size()) return a.loses.size() < b.loses.size();
                return turn(a) < turn(b);
              });
    // One suggestion per camera: its best heading.
    std::set<std::string> seen_cam;
    std::erase_if(orr.suggestions,
                  [&](const Suggestion& s) { return !seen_cam.insert(s.camera_id).second; });
  }

  // Findings.
  const int k_red = settings.redundancy_k;
  auto floor_name = [&](int fi) {
    const Floor& f = site.floors[fi];
    return f.name + " (level " + std::to_string(f.level) + ")";
  };
  auto lower = [](Priority p) {
    return p == Priority::kLow ? p : static_cast<Priority>(static_cast<int>(p) - 1);
  };
  for (const auto& o : rep.openings) {
    const Opening& op = *o.opening;
    const std::string what =
        std::string(o.exterior ? "exterior " : "interior ") + OpeningTypeName(op.type) + " " +
        op.id + (op.name.empty() ? "" : " '" + op.name + "'") + " on " + floor_name(o.floor);
    const std::string approach = "approach " + Fmt("%.0f", 100 * o.approach_fraction) + "% watched";
    if (o.seen_by.empty()) {
      std::string msg = what + ": no camera sees it; " + approach;
      if (!o.grazing.empty()) msg += "; seen only edge-on by " + DescribeSightings(o.grazing);
      for (const auto& s : rep.sensors) {
        if (s.sensor->opening == op.id) {
          msg += "; its " + std::string(SensorTypeName(s.sensor->type)) + " " + s.sensor->id +
                 " would alarm with no picture";
        }
      }
      if (!o.suggestions.empty()) {
        const auto& sg = o.suggestions.front();
        msg += "; suggestion: turn " + sg.camera_id + " from " + Fmt("%.0f", sg.from_deg) + " to " +
               Fmt("%.0f", sg.to_deg) + " deg (" + Fmt("%.0f", sg.density_px_per_m) + " px/m)";
        if (!sg.loses.empty()) {
          std::string l;
          for (const auto& x : sg.loses) l += (l.empty() ? "" : ", ") + x;
          msg += ", which would uncover " + l;
        }
      } else {
        msg += "; no existing camera on this floor can be turned to see it: add one";
      }
      rep.findings.push_back(
          {FindingKind::kOpeningUncovered, o.priority, true, op.id, o.floor, msg});
    } else if (o.approach_fraction < settings.min_approach_fraction) {
      rep.findings.push_back(
          {FindingKind::kApproachUnwatched, lower(o.priority), false, op.id, o.floor,
           what + ": seen by " + DescribeSightings(o.seen_by) + ", but only " +
               Fmt("%.0f", 100 * o.approach_fraction) + "% of its " +
               Fmt("%.1f", settings.approach_depth_m) + " m approach strip is watched"});
    }
  }
  for (const auto& a : rep.assets) {
    const Asset& as = *a.asset;
    const std::string what = as.kind + " " + as.id + (as.name.empty() ? "" : " '" + as.name + "'") +
                             " on " + floor_name(a.floor);
    if (a.seen_by.empty()) {
      rep.findings.push_back({FindingKind::kAssetUncovered, a.priority, true, as.id, a.floor,
                              what + ": no camera sees it", as.value});
    } else if (static_cast<int>(a.seen_by.size()) < k_red) {
      rep.findings.push_back(
          {FindingKind::kAssetLowRedundancy, lower(a.priority), false, as.id, a.floor,
           what + ": seen by " + std::to_string(a.seen_by.size()) + " camera(s), fewer than " +
               std::to_string(k_red) + ": " + DescribeSightings(a.seen_by),
           as.value});
    }
  }
  for (const auto& s : rep.sensors) {
    if (!s.seen_by.empty()) continue;
    const Sensor& se = *s.sensor;
    std::string msg = std::string(SensorTypeName(se.type)) + " sensor " + se.id + " on " +
                      floor_name(s.floor) + ": no camera sees it, an alarm cannot be verified";
    rep.findings.push_back({FindingKind::kSensorUnverified, s.priority, true, se.id, s.floor, msg});
  }
  for (const auto& fr : rep.floors) {
    const int fi = static_cast<int>(&fr - rep.floors.data());
    for (size_t b = 0; b < fr.blind_spots.size(); ++b) {
      const auto& bs = fr.blind_spots[b];
      Priority p = Priority::kLow;
      for (const auto& a : fr.floor->areas) {
        if (a.id == bs.where) p = lower(a.priority);
      }
      rep.findings.push_back({FindingKind::kBlindSpot, p, false,
                              fr.floor->id + "/blind-" + std::to_string(b + 1), fi,
                              "blind spot of " + Fmt("%.1f", bs.area_m2) + " m2 around (" +
                                  Fmt("%.1f", bs.centroid.x) + ", " + Fmt("%.1f", bs.centroid.y) +
                                  ") in " + bs.where + " on " + floor_name(fi)});
    }
  }
  auto kind_rank = [](FindingKind k) { return static_cast<int>(k); };
  std::stable_sort(rep.findings.begin(), rep.findings.end(),
                   [&](const Finding& a, const Finding& b) {
                     if (a.uncovered != b.uncovered) return a.uncovered;
                     if (a.severity != b.severity) return a.severity > b.severity;
                     if (kind_rank(a.kind) != kind_rank(b.kind))
                       return kind_rank(a.kind) < kind_rank(b.kind);
                     if (a.value != b.value) return a.value > b.value;
                     const int la = site.floors[a.floor].level, lb = site.floors[b.floor].level;
                     if (la != lb) return la > lb;
                     return a.id < b.id;
                   });
  if (progress) progress(total_work, total_work);
  return rep;
}

}  // namespace argus::site
