// Typed, validating access to one YAML mapping. Every problem becomes a
// Diagnostic naming the file, the line and the full field path
// (e.g. "cameras[0].zones[1].polygon"); keys nobody asked for are reported as
// unknown by Finish(), so a typo never silently disables a rule.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "core/geometry.h"

namespace argus::config {

// Names (cameras, zones, lines, rules, sensors) appear in paths, logs and the dashboard.
inline constexpr size_t kMaxNameLength = 128;

class MapReader {
 public:
  // `path` is the field path of `node` itself ("" for the document root).
  MapReader(const YAML::Node& node, std::string path, std::string file, Diagnostics* diag);
  ~MapReader();
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  bool valid() const { return valid_; }
  bool Has(const char* key) const;
  // The child node (marked as known); undefined node when absent.
  YAML::Node Child(const char* key);

  // Each getter leaves *out untouched when the key is absent and returns
  // whether a valid value was read. A missing required key is an error.
  bool GetString(const char* key, std::string* out, bool required = false);
  // A required, non-blank name of at most kMaxNameLength characters, no control characters.
  bool GetName(const char* key, std::string* out);
  bool GetBool(const char* key, bool* out);
  bool GetDouble(const char* key, double* out, double min, double max, bool required = false);
  bool GetInt(const char* key, int* out, int min, int max, bool required = false);
  bool GetStringList(const char* key, std::vector<std::string>* out);
  // A string that must be one of `choices`.
  bool GetEnum(const char* key, std::string* out, const std::vector<std::string>& choices,
               bool required = false);
  // [x, y]; with `relative`, both in 0..1.
  bool GetPoint(const char* key, core::Point* out, bool relative, bool required = false);
  // [[x, y], ...] with at least 3 points, no crossing edges and non-zero area.
  bool GetPolygon(const char* key, core::Polygon* out, bool relative, bool required = false);

  // Reports an error about `key` (or the map itself when key is empty).
  void Error(const char* key, const std::string& message);
  std::string FieldPath(const char* key) const;
  int LineOf(const char* key) const;
  const std::string& file() const { return file_; }
  Diagnostics* diagnostics() const { return diag_; }

  // Declares keys as known without reading them (another module reads them).
  void MarkKnown(std::initializer_list<const char*> keys);
  // Leaves the unknown-key check to another reader of the same node.
  void SkipUnknownCheck() { finished_ = true; }
  // Reports keys that no getter asked for. Called by the destructor if not before.
  void Finish();

 private:
  YAML::Node Lookup(const char* key);
  YAML::Node node_;
  std::string path_;
  std::string file_;
  Diagnostics* diag_;
  std::set<std::string> known_;
  bool valid_ = true;
  bool finished_ = false;
};

// Parses one [x, y] sequence node; the helper behind GetPoint, also used for
// lists of points.
bool ParsePoint(const YAML::Node& node, const std::string& field, const std::string& file,
                bool relative, Diagnostics* diag, core::Point* out);
bool ParsePolygon(const YAML::Node& node, const std::string& field, const std::string& file,
                  bool relative, Diagnostics* diag, core::Polygon* out);

// The first pair of non-adjacent edges that cross or touch, as edge indices (edge i runs
// from point i to point i+1); false for a simple polygon.
bool FindCrossingEdges(const core::Polygon& poly, size_t* first, size_t* second);

inline int LineOf(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

}  // namespace argus::config
