#include "config/yaml_reader.h"

#include <algorithm>
#include <cmath>

namespace argus::config {

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool ToDouble(const YAML::Node& n, double* out) {
  if (!n.IsScalar()) return false;
  try {
    *out = n.as<double>();
    return std::isfinite(*out);
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace

bool FindCrossingEdges(const core::Polygon& poly, size_t* first, size_t* second) {
  const size_t n = poly.size();
  for (size_t i = 0; i < n; ++i) {
    const core::Segment a{poly[i], poly[(i + 1) % n]};
    for (size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // the closing edge is adjacent to the first
      if (core::SegmentsIntersect(a, {poly[j], poly[(j + 1) % n]})) {
        *first = i;
        *second = j;
        return true;
      }
    }
  }
  return false;
}

MapReader::MapReader(const YAML::Node& node, std::string path, std::string file, Diagnostics* diag)
    : node_(node), path_(std::move(path)), file_(std::move(file)), diag_(diag) {
  if (!node_.IsMap()) {
    valid_ = false;
    diag_->Add(file_, config::LineOf(node_), path_.empty() ? "(document)" : path_,
               node_.IsNull() || !node_.IsDefined() ? "must be a mapping, found nothing"
                                                    : "must be a mapping of key: value");
  }
}

MapReader::~MapReader() { Finish(); }

namespace {
// A map key's text; empty for a key that is a list or a map (`? [a, b]: x`).
std::string KeyText(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : std::string(); }
}  // namespace

std::string MapReader::FieldPath(const char* key) const {
  if (!key || !*key) return path_;
  return path_.empty() ? key : path_ + "." + key;
}

int MapReader::LineOf(const char* key) const {
  if (valid_ && key && *key) {
    for (const auto& kv : node_) {
      if (KeyText(kv.first) == key) return config::LineOf(kv.first);
    }
  }
  return config::LineOf(node_);
}

void MapReader::Error(const char* key, const std::string& message) {
  diag_->Add(file_, LineOf(key), FieldPath(key), message);
}

bool MapReader::Has(const char* key) const { return valid_ && node_[key].IsDefined(); }

YAML::Node MapReader::Lookup(const char* key) {
  known_.insert(key);
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  return node_[key];
}

YAML::Node MapReader::Child(const char* key) { return Lookup(key); }

bool MapReader::GetString(const char* key, std::string* out, bool required) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(key, "is required");
    return false;
  }
  if (!n.IsScalar()) {
    Error(key, "must be a string");
    return false;
  }
  *out = n.as<std::string>();
  return true;
}

bool MapReader::GetName(const char* key, std::string* out) {
  std::string v;
  if (!GetString(key, &v, true)) return false;
  if (v.find_first_not_of(" \t") == std::string::npos) {
    Error(key, "must not be empty");
    return false;
  }
  if (v.size() > kMaxNameLength) {
    Error(key, "is too long (" + std::to_string(v.size()) + " characters, at most " +
                   std::to_string(kMaxNameLength) + ")");
    return false;
  }
  if (std::any_of(v.begin(), v.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    Error(key, "must not contain control characters");
    return false;
  }
  *out = v;
  return true;
}

bool MapReader::GetBool(const char* key, bool* out) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return false;
  try {
    *out = n.as<bool>();
    return true;
  } catch (const YAML::Exception&) {
    Error(key, "must be true or false");
    return false;
  }
}

bool MapReader::GetDouble(const char* key, double* out, double min, double max, bool required) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(key, "is required");
    return false;
  }
  double v = 0;
  if (!ToDouble(n, &v)) {
    Error(key, "must be a number, found '" + (n.IsScalar() ? n.Scalar() : "a list or map") + "'");
    return false;
  }
  if (v < min || v > max) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "must be between %g and %g, found %g", min, max, v);
    Error(key, buf);
    return false;
  }
  *out = v;
  return true;
}

bool MapReader::GetInt(const char* key, int* out, int min, int max, bool required) {
  double v = 0;
  if (!GetDouble(key, &v, min, max, required)) return false;
  if (v != std::floor(v)) {
    Error(key, "must be a whole number");
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool MapReader::GetStringList(const char* key, std::vector<std::string>* out) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return false;
  if (n.IsScalar()) {
    *out = {n.Scalar()};
    return true;
  }
  if (!n.IsSequence()) {
    Error(key, "must be a list of strings");
    return false;
  }
  std::vector<std::string> v;
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      Error(key, "must be a list of strings");
      return false;
    }
    v.push_back(item.Scalar());
  }
  *out = std::move(v);
  return true;
}

bool MapReader::GetEnum(const char* key, std::string* out, const std::vector<std::string>& choices,
                        bool required) {
  std::string v;
  if (!GetString(key, &v, required)) return false;
  if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
    Error(key, "must be one of " + Join(choices) + ", found '" + v + "'");
    return false;
  }
  *out = v;
  return true;
}

bool ParsePoint(const YAML::Node& n, const std::string& field, const std::string& file,
                bool relative, Diagnostics* diag, core::Point* out) {
  double x = 0, y = 0;
  if (!n.IsSequence() || n.size() != 2 || !ToDouble(n[0], &x) || !ToDouble(n[1], &y)) {
    diag->Add(file, LineOf(n), field, "must be a point [x, y]");
    return false;
  }
  if (relative && (x < 0 || x > 1 || y < 0 || y > 1)) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "coordinates are relative to the frame and must be within 0..1, found [%g, %g]",
                  x, y);
    diag->Add(file, LineOf(n), field, buf);
    return false;
  }
  *out = {x, y};
  return true;
}

bool ParsePolygon(const YAML::Node& n, const std::string& field, const std::string& file,
                  bool relative, Diagnostics* diag, core::Polygon* out) {
  if (!n.IsSequence()) {
    diag->Add(file, LineOf(n), field, "must be a list of points [[x, y], ...]");
    return false;
  }
  core::Polygon poly;
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    core::Point p;
    ok = ParsePoint(n[i], field + "[" + std::to_string(i) + "]", file, relative, diag, &p) && ok;
    poly.push_back(p);
  }
  if (!ok) return false;
  if (poly.size() < 3) {
    diag->Add(file, LineOf(n), field,
              "a polygon needs at least 3 points, found " + std::to_string(poly.size()));
    return false;
  }
  // Crossing edges first: a bowtie's two halves cancel to zero signed area, and calling it
  // "all points on one line" would send the reader looking for the wrong mistake.
  size_t e1 = 0, e2 = 0;
  if (FindCrossingEdges(poly, &e1, &e2)) {
    auto edge = [&](size_t i) {
      return "point " + std::to_string(i) + "->" + std::to_string((i + 1) % poly.size());
    };
    diag->Add(file, LineOf(n), field,
              "polygon edges cross each other (" + edge(e1) + " and " + edge(e2) +
                  "); list the points in order around the area");
    return false;
  }
  if (core::Area(poly) <= 0) {
    diag->Add(file, LineOf(n), field, "polygon has zero area (all points on one line)");
    return false;
  }
  *out = std::move(poly);
  return true;
}

bool MapReader::GetPoint(const char* key, core::Point* out, bool relative, bool required) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(key, "is required");
    return false;
  }
  return ParsePoint(n, FieldPath(key), file_, relative, diag_, out);
}

bool MapReader::GetPolygon(const char* key, core::Polygon* out, bool relative, bool required) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(key, "is required");
    return false;
  }
  return ParsePolygon(n, FieldPath(key), file_, relative, diag_, out);
}

void MapReader::MarkKnown(std::initializer_list<const char*> keys) {
  for (const char* k : keys) known_.insert(k);
}

void MapReader::Finish() {
  if (finished_ || !valid_) return;
  finished_ = true;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      diag_->Add(file_, config::LineOf(kv.first), path_, "a key must be a plain name");
      continue;
    }
    const std::string key = KeyText(kv.first);
    if (!known_.count(key)) {
      std::vector<std::string> k(known_.begin(), known_.end());
      diag_->Add(file_, config::LineOf(kv.first), FieldPath(key.c_str()),
                 "unknown key (expected one of: " + Join(k) + ")");
    }
  }
}

}  // namespace argus::config
