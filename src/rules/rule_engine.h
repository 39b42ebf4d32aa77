// RuleEngine: every rule of one camera, built from the config through the kind
// registry, with each rule's schedule (`when`) applied generically: a rule that
// is inactive now emits nothing and its open incidents are ended (the rule is
// destroyed and rebuilt fresh when its schedule opens again).
// Thread safety: one thread per instance (the camera's pipeline thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/diagnostics.h"
#include "core/status.h"
#include "events/event.h"
#include "rules/rule.h"
#include "rules/schedule.h"

namespace argus::rules {

struct RuleKind {
  const char* kind;
  RuleMaker make;
};
// Every kind this build knows, in registry order.
const std::vector<RuleKind>& RuleKinds();
// Null when `kind` is unknown.
RuleMaker FindRuleMaker(const std::string& kind);

class RuleEngine {
 public:
  // Copies the configs it needs. Every problem goes to `diag` (file:line: field:
  // message); the result is an error when any rule is invalid.
  static core::Result<std::unique_ptr<RuleEngine>> Build(const config::SiteConfig& site,
                                                         const config::CameraConfig& camera,
                                                         config::Diagnostics* diag);
  ~RuleEngine();

  void Process(const FrameInput& in, std::vector<events::Event>* out);
  // End of stream: closes every open incident.
  void Finish(const FrameInput& last, std::vector<events::Event>* out);

  size_t rule_count() const { return slots_.size(); }
  // The live rule named `name` (for accessors such as LineCrossingRule::Counts),
  // null when unknown or inactive now. Valid until the next Process/Finish.
  Rule* FindRule(const std::string& name) const;

 private:
  struct Slot;
  RuleEngine();
  std::unique_ptr<config::SiteConfig> site_;
  std::unique_ptr<config::CameraConfig> camera_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// Builds the rule `ctx.rule` describes, with the maker of its kind and the
// keys every rule shares; every problem goes to `diag`.
core::Result<std::unique_ptr<Rule>> MakeRule(const RuleContext& ctx, config::Diagnostics* diag);

// Validates every rule of every camera of `cfg` (and each camera's calibration)
// for `argus config check`. Every problem goes to `diag`; returns the first one
// as an InvalidArgument error.
core::Status ValidateRules(const config::Config& cfg, config::Diagnostics* diag);

}  // namespace argus::rules
