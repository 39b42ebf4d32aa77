// Small helpers every rule kind shares: reading zone/line references from the
// rule's YAML with clear messages, label filters, ground-plane access and the
// foot speed of a track.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "rules/calibration.h"
#include "rules/incident.h"
#include "rules/rule.h"
#include "track/track.h"

namespace argus::rules {

// Window over which foot speed is measured (smooths detector jitter).
inline constexpr double kSpeedWindowSeconds = 0.5;

// Reads `key` naming a zone of the camera. Reports "is required" or "zone 'x'
// does not exist on camera 'c' (zones: ...)" and returns null on error.
const config::Zone* ReadZone(const RuleContext& ctx, config::MapReader& fields, const char* key,
                             bool required);
const config::Line* ReadLine(const RuleContext& ctx, config::MapReader& fields, const char* key,
                             bool required);

// The rule's `labels`, or `defaults` when the config gives none.
class LabelFilter {
 public:
  LabelFilter(const RuleContext& ctx, std::vector<std::string> defaults);
  bool Matches(const std::string& label) const;
  bool any() const { return labels_.empty(); }

 private:
  std::vector<std::string> labels_;  // empty: every label
};

// The camera's ground plane, when it has a valid calibration.
std::optional<GroundPlane> CameraGround(const RuleContext& ctx);

// Status of a maker: an error when `fields` reported anything since `before`
// (the diagnostics count at the start of the maker).
core::Status FieldsStatus(const config::MapReader& fields, size_t before);

// Foot speed of `tr` over the last kSpeedWindowSeconds of its history (falls back
// to its velocity): metres per second with a ground plane, else box heights per
// second (so the threshold does not depend on the distance to the camera).
double FootSpeed(const track::Track& tr, const FrameInput& in, const GroundPlane* ground);

// An observation about one track in this frame.
Observation TrackObservation(const track::Track& tr, const FrameInput& in, const std::string& zone);

// Frame diagonal in pixels.
double FrameDiagonal(const FrameInput& in);

}  // namespace argus::rules
