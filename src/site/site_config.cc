#include "site/site_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "config/yaml_limits.h"
#include "config/yaml_reader.h"

namespace argus::site {

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kLow:
      return "low";
    case Priority::kMedium:
      return "medium";
    case Priority::kHigh:
      return "high";
    case Priority::kCritical:
      return "critical";
  }
  return "?";
}

const char* OpeningTypeName(OpeningType t) {
  switch (t) {
    case OpeningType::kWindow:
      return "window";
    case OpeningType::kDoor:
      return "door";
    case OpeningType::kSkylight:
      return "skylight";
    case OpeningType::kRoofHatch:
      return "roof_hatch";
  }
  return "?";
}

const char* SensorTypeName(SensorType t) {
  switch (t) {
    case SensorType::kDoorContact:
      return "door_contact";
    case SensorType::kWindowContact:
      return "window_contact";
    case SensorType::kVibration:
      return "vibration";
    case SensorType::kGlassBreak:
      return "glass_break";
    case SensorType::kMotion:
      return "motion";
  }
  return "?";
}

namespace {

// Polygons with less area than this (m^2) are degenerate.
constexpr double kMinPolygonAreaM2 = 1e-6;
constexpr double kMinSegmentLengthM = 1e-6;

// Collects errors as `file:line: field: message`.
class Errors {
 public:
  explicit Errors(std::string file) : file_(std::move(file)) {}
  void Add(const YAML::Node& at, const std::string& field, const std::string& message) {
    Add(at.Mark().line + 1, field, message);
  }
  void Add(int line, const std::string& field, const std::string& message) {
    std::ostringstream s;
    s << file_ << ":" << line << ": " << field << ": " << message;
    list_.emplace_back(line, s.str());
  }
  bool empty() const { return list_.empty(); }
  std::string Joined() const {
    auto sorted = list_;  // in file order, whatever order the checks ran in
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    for (const auto& e : sorted) out += (out.empty() ? "" : "\n") + e.second;
    return out;
  }

 private:
  std::string file_;
  std::vector<std::pair<int, std::string>> list_;
};

int Line(const YAML::Node& n) { return n.Mark().line + 1; }

// Reads a YAML map by key, remembering which keys the schema knows so that the
// rest can be reported as unknown.
class Fields {
 public:
  Fields(Errors& errors, const YAML::Node& node, std::string path)
      : errors_(errors), node_(node), path_(std::move(path)) {
    if (!node.IsMap()) {
      errors_.Add(node, path_, "expected a map");
      ok_ = false;
      return;
    }
    for (const auto& kv : node) {
      entries_.push_back({kv.first.Scalar(), kv.first, kv.second});
    }
  }
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;
  // Reports unknown keys.
  ~Fields() {
    if (!ok_) return;
    for (const auto& e : entries_) {
      if (known_.count(e.key)) continue;
      std::string allowed;
      for (const auto& k : order_) allowed += (allowed.empty() ? "" : ", ") + k;
      errors_.Add(e.key_node, Path(e.key), "unknown key (allowed: " + allowed + ")");
    }
  }

  bool ok() const { return ok_; }
  int line() const { return Line(node_); }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  // The value of `key`, or nullptr when absent.
  const YAML::Node* Get(const std::string& key) {
    if (known_.insert(key).second) order_.push_back(key);
    for (const auto& e : entries_) {
      if (e.key == key) return &e.value;
    }
    return nullptr;
  }
  const YAML::Node* Require(const std::string& key) {
    const YAML::Node* n = Get(key);
    if (n == nullptr && ok_) errors_.Add(node_, Path(key), "missing required field");
    return n;
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  Errors& errors_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = true;
  std::vector<Entry> entries_;
  std::set<std::string> known_;
  std::vector<std::string> order_;
};

class Loader {
 public:
  Loader(Errors& errors, std::filesystem::path base_dir)
      : e_(errors), base_dir_(std::move(base_dir)) {}

  bool Double(const YAML::Node& n, const std::string& field, double* out) {
    if (!n.IsScalar()) {
      e_.Add(n, field, "expected a number");
      return false;
    }
    try {
      const double v = n.as<double>();
      if (!std::isfinite(v)) {
        e_.Add(n, field, "expected a finite number");
        return false;
      }
      *out = v;
      return true;
    } catch (const YAML::Exception&) {
      e_.Add(n, field, "expected a number, got '" + n.Scalar() + "'");
      return false;
    }
  }

  // A number in [lo, hi] (open ends when the flags say so).
  void Ranged(Fields& f, const std::string& key, double lo, double hi, bool lo_open, bool hi_open,
              double* out, bool required = false) {
    const YAML::Node* n = required ? f.Require(key) : f.Get(key);
    if (n == nullptr) return;
    double v = 0;
    if (!Double(*n, f.Path(key), &v)) return;
    const bool below = lo_open ? v <= lo : v < lo;
    const bool above = hi_open ? v >= hi : v > hi;
    if (below || above) {
      std::ostringstream s;
      s << "must be in " << (lo_open ? "(" : "[") << lo << ", " << hi << (hi_open ? ")" : "]")
        << ", got " << v;
      e_.Add(*n, f.Path(key), s.str());
      return;
    }
    *out = v;
  }

  bool Int(const YAML::Node& n, const std::string& field, int* out) {
    if (!n.IsScalar()) {
      e_.Add(n, field, "expected an integer");
      return false;
    }
    try {
      *out = n.as<int>();
      return true;
    } catch (const YAML::Exception&) {
      e_.Add(n, field, "expected an integer, got '" + n.Scalar() + "'");
      return false;
    }
  }

  bool String(const YAML::Node& n, const std::string& field, std::string* out) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      e_.Add(n, field, "expected a non-empty string");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Bool(const YAML::Node& n, const std::string& field, bool* out) {
    try {
      if (n.IsScalar()) {
        *out = n.as<bool>();
        return true;
      }
    } catch (const YAML::Exception&) {
    }
    e_.Add(n, field, "expected true or false");
    return false;
  }

  template <typename E>
  bool Enum(const YAML::Node& n, const std::string& field,
            const std::vector<std::pair<const char*, E>>& names, E* out) {
    std::string s;
    if (!String(n, field, &s)) return false;
    std::string allowed;
    for (const auto& [name, value] : names) {
      if (s == name) {
        *out = value;
        return true;
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    e_.Add(n, field, "unknown value '" + s + "' (allowed: " + allowed + ")");
    return false;
  }

  bool Prio(const YAML::Node& n, const std::string& field, Priority* out) {
    return Enum<Priority>(n, field,
                          {{"low", Priority::kLow},
                           {"medium", Priority::kMedium},
                           {"high", Priority::kHigh},
                           {"critical", Priority::kCritical}},
                          out);
  }

  bool PointAt(const YAML::Node& n, const std::string& field, Point* out) {
    if (!n.IsSequence() || n.size() != 2) {
      e_.Add(n, field, "expected a point [x, y] in metres");
      return false;
    }
    return Double(n[0], field, &out->x) && Double(n[1], field, &out->y);
  }

  bool Points(const YAML::Node& n, const std::string& field, std::vector<Point>* out) {
    if (!n.IsSequence()) {
      e_.Add(n, field, "expected a list of points [[x, y], ...]");
      return false;
    }
    bool ok = true;
    out->clear();
    for (size_t i = 0; i < n.size(); ++i) {
      Point p;
      ok = PointAt(n[i], field + "[" + std::to_string(i) + "]", &p) && ok;
      out->push_back(p);
    }
    return ok;
  }

  bool Polyline(const YAML::Node& n, const std::string& field, std::vector<Point>* out) {
    if (!Points(n, field, out)) return false;
    if (out->size() < 2) {
      e_.Add(n, field,
             "degenerate wall: " + std::to_string(out->size()) + " point(s), need at least 2");
      return false;
    }
    for (size_t i = 1; i < out->size(); ++i) {
      if (core::Distance((*out)[i - 1], (*out)[i]) < kMinSegmentLengthM) {
        e_.Add(n, field, "degenerate wall: segment " + std::to_string(i - 1) + " has zero length");
        return false;
      }
    }
    return true;
  }

  bool PolygonAt(const YAML::Node& n, const std::string& field, Polygon* out) {
    if (!Points(n, field, out)) return false;
    if (out->size() < 3) {
      e_.Add(n, field,
             "degenerate polygon: " + std::to_string(out->size()) + " point(s), need at least 3");
      return false;
    }
    // Before the area: a bowtie's halves cancel to zero area but its points are no line.
    if (size_t a = 0, b = 0; config::FindCrossingEdges(*out, &a, &b)) {
      e_.Add(n, field,
             "polygon edges cross each other (point " + std::to_string(a) + "->" +
                 std::to_string((a + 1) % out->size()) + " and point " + std::to_string(b) + "->" +
                 std::to_string((b + 1) % out->size()) +
                 "); list the points in order around the area");
      return false;
    }
    if (core::Area(*out) < kMinPolygonAreaM2) {
      e_.Add(n, field, "degenerate polygon: zero area (collinear or repeated points)");
      return false;
    }
    return true;
  }

  void Analysis(const YAML::Node& n, AnalysisSettings* a) {
    Fields f(e_, n, "analysis");
    if (!f.ok()) return;
    Ranged(f, "cell_size_m", 0.01, 10, false, false, &a->cell_size_m);
    Ranged(f, "min_density_px_per_m", 0, 1e4, false, false, &a->min_density_px_per_m);
    if (const auto* k = f.Get("redundancy_k")) {
      int v = 0;
      if (Int(*k, f.Path("redundancy_k"), &v)) {
        if (v < 1) {
          e_.Add(*k, f.Path("redundancy_k"), "must be at least 1");
        } else {
          a->redundancy_k = v;
        }
      }
    }
    Ranged(f, "approach_depth_m", 0, 100, true, false, &a->approach_depth_m);
    if (const auto* s = f.Get("approach_side")) {
      Enum<ApproachSide>(*s, f.Path("approach_side"),
                         {{"exterior", ApproachSide::kExterior}, {"both", ApproachSide::kBoth}},
                         &a->approach_side);
    }
    Ranged(f, "min_grazing_deg", 0, 90, false, true, &a->min_grazing_deg);
    Ranged(f, "min_blind_spot_m2", 0, 1e9, false, false, &a->min_blind_spot_m2);
    Ranged(f, "min_approach_fraction", 0, 1, false, false, &a->min_approach_fraction);
    Ranged(f, "min_opening_seen_fraction", 0, 1, true, false, &a->min_opening_seen_fraction);
  }

  // Marks ids seen twice anywhere in the site (ids name objects in reports).
  void UniqueId(const std::string& id, const YAML::Node& at, const std::string& field) {
    auto [it, inserted] = ids_.emplace(id, Line(at));
    if (!inserted) {
      e_.Add(at, field,
             "duplicate id '" + id + "' (first used on line " + std::to_string(it->second) + ")");
    }
  }

  void Plan(const YAML::Node& n, const std::string& path, FloorPlan* plan) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    if (const auto* img = f.Require("image")) {
      std::string s;
      if (String(*img, f.Path("image"), &s)) {
        std::filesystem::path p(s);
        if (p.is_relative()) p = base_dir_ / p;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec)) {
          e_.Add(*img, f.Path("image"), "file not found: " + p.string());
        } else if (p.extension() != ".png" && p.extension() != ".PNG") {
          e_.Add(*img, f.Path("image"), "only PNG floor plans are supported");
        }
        plan->image_path = p.string();
      }
    }
    Ranged(f, "px_per_m", 0, 1e5, true, false, &plan->px_per_m, true);
    if (const auto* o = f.Get("origin")) PointAt(*o, f.Path("origin"), &plan->origin);
  }

  void WallEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Wall w;
    w.line = Line(n);
    if (Polyline(n, path, &w.points)) floor->walls.push_back(std::move(w));
  }

  void AreaEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Area a;
    a.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &a.id)) {
      UniqueId(a.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Get("name")) String(*v, f.Path("name"), &a.name);
    if (const auto* v = f.Get("kind")) {
      if (String(*v, f.Path("kind"), &a.kind) && a.kind != "room" && a.kind != "exterior" &&
          a.kind != "restricted") {
        e_.Add(*v, f.Path("kind"),
               "unknown value '" + a.kind + "' (allowed: room, exterior, restricted)");
      }
    }
    if (const auto* v = f.Get("priority")) Prio(*v, f.Path("priority"), &a.priority);
    bool ok = false;
    if (const auto* v = f.Require("polygon")) ok = PolygonAt(*v, f.Path("polygon"), &a.polygon);
    if (ok) floor->areas.push_back(std::move(a));
  }

  void OpeningEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Opening o;
    o.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &o.id)) {
      UniqueId(o.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Get("name")) String(*v, f.Path("name"), &o.name);
    if (const auto* v = f.Require("type")) {
      Enum<OpeningType>(*v, f.Path("type"),
                        {{"window", OpeningType::kWindow},
                         {"door", OpeningType::kDoor},
                         {"skylight", OpeningType::kSkylight},
                         {"roof_hatch", OpeningType::kRoofHatch}},
                        &o.type);
    }
    bool ok = false;
    if (const auto* v = f.Require("at")) {
      if (Points(*v, f.Path("at"), &o.shape)) {
        if (o.shape.size() == 2) {
          ok = core::Distance(o.shape[0], o.shape[1]) >= kMinSegmentLengthM;
          if (!ok) e_.Add(*v, f.Path("at"), "degenerate opening: zero width");
        } else {
          ok = PolygonAt(*v, f.Path("at"), &o.shape);
        }
      }
    }
    if (const auto* v = f.Get("exterior")) {
      bool b = false;
      if (Bool(*v, f.Path("exterior"), &b)) o.exterior = b;
    }
    if (const auto* v = f.Get("approach")) {
      Enum<ApproachSide>(*v, f.Path("approach"),
                         {{"exterior", ApproachSide::kExterior},
                          {"interior", ApproachSide::kInterior},
                          {"both", ApproachSide::kBoth}},
                         &o.approach);
    }
    if (const auto* v = f.Get("priority")) {
      Priority p{};
      if (Prio(*v, f.Path("priority"), &p)) o.priority = p;
    }
    if (ok) floor->openings.push_back(std::move(o));
  }

  void AssetEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Asset a;
    a.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &a.id)) {
      UniqueId(a.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Get("name")) String(*v, f.Path("name"), &a.name);
    if (const auto* v = f.Get("kind")) String(*v, f.Path("kind"), &a.kind);
    bool ok = false;
    if (const auto* v = f.Require("at")) ok = PointAt(*v, f.Path("at"), &a.at);
    Ranged(f, "value", 0, 1e15, false, false, &a.value);
    if (const auto* v = f.Get("priority")) {
      Priority p{};
      if (Prio(*v, f.Path("priority"), &p)) a.priority = p;
    }
    if (ok) floor->assets.push_back(std::move(a));
  }

  void SensorEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Sensor s;
    s.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &s.id)) {
      UniqueId(s.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Require("type")) {
      Enum<SensorType>(*v, f.Path("type"),
                       {{"door_contact", SensorType::kDoorContact},
                        {"window_contact", SensorType::kWindowContact},
                        {"vibration", SensorType::kVibration},
                        {"glass_break", SensorType::kGlassBreak},
                        {"motion", SensorType::kMotion}},
                       &s.type);
    }
    bool ok = false;
    if (const auto* v = f.Require("at")) ok = PointAt(*v, f.Path("at"), &s.at);
    if (const auto* v = f.Get("opening")) {
      if (String(*v, f.Path("opening"), &s.opening))
        refs_.push_back({s.opening, Line(*v), f.Path("opening")});
    }
    if (const auto* v = f.Get("asset")) {
      if (String(*v, f.Path("asset"), &s.asset))
        refs_.push_back({s.asset, Line(*v), f.Path("asset")});
    }
    if (ok) floor->sensors.push_back(std::move(s));
  }

  void CameraEntry(const YAML::Node& n, const std::string& path, Floor* floor) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Camera c;
    c.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &c.id)) {
      UniqueId(c.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Get("camera")) String(*v, f.Path("camera"), &c.config_camera);
    if (c.config_camera.empty()) c.config_camera = c.id;
    bool ok = false;
    if (const auto* v = f.Require("at")) ok = PointAt(*v, f.Path("at"), &c.at);
    Ranged(f, "height", 0, 200, false, false, &c.height_m);
    Ranged(f, "heading", -360, 360, false, false, &c.heading_deg, true);
    Ranged(f, "hfov", 0, 360, true, false, &c.hfov_deg, true);
    Ranged(f, "vfov", 0, 180, true, true, &c.vfov_deg);
    Ranged(f, "tilt", -90, 90, false, false, &c.tilt_deg);
    Ranged(f, "range", 0, 10000, true, false, &c.range_m);
    if (const auto* v = f.Get("resolution")) {
      if (!v->IsSequence() || v->size() != 2) {
        e_.Add(*v, f.Path("resolution"), "expected [width, height] in pixels");
      } else if (Int((*v)[0], f.Path("resolution"), &c.res_w) &&
                 Int((*v)[1], f.Path("resolution"), &c.res_h) && (c.res_w <= 0 || c.res_h <= 0)) {
        e_.Add(*v, f.Path("resolution"), "width and height must be positive");
      }
    }
    if (!c.id.empty()) camera_ids_.insert(c.id);
    if (c.vfov_deg == 0 && c.res_w > 0 && c.res_h > 0 && c.hfov_deg < 180) {
      // Square pixels: the vertical field follows from the aspect ratio.
      const double half = c.hfov_deg * M_PI / 360;
      c.vfov_deg = 2 * std::atan(std::tan(half) * c.res_h / c.res_w) * 180 / M_PI;
    } else if (c.vfov_deg == 0) {
      c.vfov_deg = 90;  // panoramic lens without a stated vertical field
    }
    if (ok) floor->cameras.push_back(std::move(c));
  }

  // `{cameras: [A, B], max_transit_s: S}`: checked once every camera is known.
  void LinkEntry(const YAML::Node& n, const std::string& path, Site* site) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    CameraLink link;
    link.line = f.line();
    Ranged(f, "max_transit_s", 0, 86400, true, false, &link.max_transit_s);
    const YAML::Node* cams = f.Require("cameras");
    if (cams == nullptr) return;
    const std::string field = f.Path("cameras");
    if (!cams->IsSequence() || cams->size() != 2) {
      e_.Add(*cams, field, "expected two camera ids [A, B]");
      return;
    }
    if (!String((*cams)[0], field, &link.a) || !String((*cams)[1], field, &link.b)) return;
    if (link.a == link.b) {
      e_.Add(*cams, field, "a camera is not adjacent to itself ('" + link.a + "')");
      return;
    }
    for (const CameraLink& other : site->adjacency) {
      if ((other.a == link.a && other.b == link.b) || (other.a == link.b && other.b == link.a)) {
        e_.Add(*cams, field,
               "cameras " + link.a + " and " + link.b + " are already adjacent (line " +
                   std::to_string(other.line) + ")");
        return;
      }
    }
    links_.push_back({Line(*cams), field});
    site->adjacency.push_back(std::move(link));
  }

  template <typename Fn>
  void List(Fields& f, const std::string& key, Fn fn) {
    const YAML::Node* n = f.Get(key);
    if (n == nullptr || n->IsNull()) return;
    if (!n->IsSequence()) {
      e_.Add(*n, f.Path(key), "expected a list");
      return;
    }
    for (size_t i = 0; i < n->size(); ++i) {
      fn((*n)[i], f.Path(key) + "[" + std::to_string(i) + "]");
    }
  }

  void FloorEntry(const YAML::Node& n, const std::string& path, Site* site) {
    Fields f(e_, n, path);
    if (!f.ok()) return;
    Floor floor;
    floor.line = f.line();
    if (const auto* id = f.Require("id"); id && String(*id, f.Path("id"), &floor.id)) {
      UniqueId(floor.id, *id, f.Path("id"));
    }
    if (const auto* v = f.Get("name")) String(*v, f.Path("name"), &floor.name);
    if (floor.name.empty()) floor.name = floor.id;
    if (const auto* v = f.Require("level")) Int(*v, f.Path("level"), &floor.level);
    if (const auto* v = f.Require("outline")) PolygonAt(*v, f.Path("outline"), &floor.outline);
    if (const auto* v = f.Get("plan")) {
      FloorPlan plan;
      Plan(*v, f.Path("plan"), &plan);
      floor.plan = plan;
    }
    List(f, "walls", [&](const YAML::Node& w, const std::string& p) { WallEntry(w, p, &floor); });
    List(f, "pillars", [&](const YAML::Node& w, const std::string& p) {
      Pillar pillar;
      pillar.line = Line(w);
      if (PolygonAt(w, p, &pillar.polygon)) floor.pillars.push_back(std::move(pillar));
    });
    List(f, "areas", [&](const YAML::Node& w, const std::string& p) { AreaEntry(w, p, &floor); });
    List(f, "openings",
         [&](const YAML::Node& w, const std::string& p) { OpeningEntry(w, p, &floor); });
    List(f, "assets", [&](const YAML::Node& w, const std::string& p) { AssetEntry(w, p, &floor); });
    List(f, "sensors",
         [&](const YAML::Node& w, const std::string& p) { SensorEntry(w, p, &floor); });
    List(f, "cameras",
         [&](const YAML::Node& w, const std::string& p) { CameraEntry(w, p, &floor); });
    site->floors.push_back(std::move(floor));
  }

  void Root(const YAML::Node& root, Site* site) {
    Fields f(e_, root, "");
    if (!f.ok()) return;
    if (const auto* s = f.Get("site")) {
      Fields sf(e_, *s, "site");
      if (sf.ok()) {
        if (const auto* v = sf.Get("name")) String(*v, sf.Path("name"), &site->name);
        if (const auto* v = sf.Get("units")) {
          std::string u;
          if (String(*v, sf.Path("units"), &u) && u != "m") {
            e_.Add(*v, sf.Path("units"), "only metres ('m') are supported");
          }
        }
      }
    }
    if (const auto* a = f.Get("analysis")) Analysis(*a, &site->analysis);
    const YAML::Node* floors = f.Require("floors");
    if (floors != nullptr) {
      if (!floors->IsSequence() || floors->size() == 0) {
        e_.Add(*floors, "floors", "expected a non-empty list of floors");
      } else {
        for (size_t i = 0; i < floors->size(); ++i) {
          FloorEntry((*floors)[i], "floors[" + std::to_string(i) + "]", site);
        }
      }
    }
    List(f, "adjacency", [&](const YAML::Node& n, const std::string& p) { LinkEntry(n, p, site); });
    // References are checked once every id is known.
    for (const auto& r : refs_) {
      if (!ids_.count(r.id)) e_.Add(r.line, r.field, "unknown id '" + r.id + "'");
    }
    for (size_t i = 0; i < links_.size(); ++i) {
      for (const std::string& id : {site->adjacency[i].a, site->adjacency[i].b}) {
        if (!camera_ids_.count(id))
          e_.Add(links_[i].line, links_[i].field, "unknown camera id '" + id + "'");
      }
    }
  }

 private:
  struct Ref {
    std::string id;
    int line;
    std::string field;
  };
  Errors& e_;
  std::filesystem::path base_dir_;
  std::map<std::string, int> ids_;
  std::vector<Ref> refs_;
  std::set<std::string> camera_ids_;
  struct LinkRef {
    int line;
    std::string field;
  };
  std::vector<LinkRef> links_;  // where each site->adjacency entry was read
};

}  // namespace

core::Result<Site> LoadSiteYaml(const std::string& yaml, const std::string& file_name) {
  Errors errors(file_name);
  YAML::Node root;
  config::YamlProblem problem;
  if (!config::LoadYamlBounded(yaml, &root, &problem)) {
    return core::InvalidArgument(file_name + ":" + std::to_string(problem.line) +
                                 ": yaml: " + problem.message);
  }
  Site site;
  site.source_file = file_name;
  try {
    Loader loader(errors, std::filesystem::path(file_name).parent_path());
    loader.Root(root, &site);
  } catch (const YAML::Exception& ex) {  // a shape the schema did not foresee
    errors.Add(ex.mark.line + 1, "yaml", ex.msg);
  }
  if (!errors.empty()) return core::InvalidArgument(errors.Joined());
  return site;
}

core::Result<Site> LoadSiteFile(const std::string& path) {
  std::string text;
  config::YamlProblem problem;
  if (!config::ReadYamlFile(path, &text, &problem)) {
    return core::InvalidArgument(path + ":0: file: " + problem.message);
  }
  return LoadSiteYaml(text, path);
}

}  // namespace argus::site
