#include "rules/rule_engine.h"

#include <algorithm>

#include "config/yaml_reader.h"
#include "core/log.h"
#include "rules/calibration.h"
#include "rules/crowd.h"
#include "rules/intrusion.h"
#include "rules/line_crossing.h"
#include "rules/loitering.h"
#include "rules/motion_rule.h"
#include "rules/person_down.h"
#include "rules/proximity.h"
#include "rules/running.h"
#include "rules/vehicle_near_facade.h"
// The rules2 kinds, registered as soon as their files exist.
#if __has_include("rules/abandoned_object.h")
#include "rules/abandoned_object.h"
#define ARGUS_HAVE_ABANDONED_OBJECT 1
#endif
#if __has_include("rules/object_removed.h")
#include "rules/object_removed.h"
#define ARGUS_HAVE_OBJECT_REMOVED 1
#endif
#if __has_include("rules/tamper.h")
#include "rules/tamper.h"
#define ARGUS_HAVE_TAMPER 1
#endif

namespace argus::rules {

const std::vector<RuleKind>& RuleKinds() {
  static const std::vector<RuleKind> kinds = {
      {"intrusion", &MakeIntrusionRule},
      {"line_crossing", &MakeLineCrossingRule},
      {"proximity", &MakeProximityRule},
      {"loitering", &MakeLoiteringRule},
      {"crowd", &MakeCrowdRule},
      {"running", &MakeRunningRule},
      {"motion", &MakeMotionRule},
      {"vehicle_near_facade", &MakeVehicleNearFacadeRule},
      {"person_down", &MakePersonDownRule},
#ifdef ARGUS_HAVE_ABANDONED_OBJECT
      {"abandoned_object", &MakeAbandonedObjectRule},
#endif
#ifdef ARGUS_HAVE_OBJECT_REMOVED
      {"object_removed", &MakeObjectRemovedRule},
#endif
#ifdef ARGUS_HAVE_TAMPER
      {"tamper", &MakeTamperRule},
#endif
  };
  return kinds;
}

RuleMaker FindRuleMaker(const std::string& kind) {
  for (const RuleKind& k : RuleKinds()) {
    if (kind == k.kind) return k.make;
  }
  return nullptr;
}

namespace {

std::string KnownKinds() {
  std::string s;
  for (const RuleKind& k : RuleKinds()) s += (s.empty() ? "" : ", ") + std::string(k.kind);
  return s;
}

void CheckCalibration(const config::CameraConfig& cam, config::Diagnostics* diag) {
  if (!cam.calibration) return;
  auto g = GroundPlane::Make(*cam.calibration);
  if (!g.ok())
    diag->Add(cam.where.file, cam.where.line, cam.path + ".calibration", g.status().message());
}

}  // namespace

core::Result<std::unique_ptr<Rule>> MakeRule(const RuleContext& ctx, config::Diagnostics* diag) {
  const config::RuleConfig& rc = *ctx.rule;
  const size_t before = diag->items().size();
  config::MapReader fields(rc.node, rc.path, rc.where.file, diag);
  if (!fields.valid()) return core::InvalidArgument(diag->items().back().ToString());
  fields.MarkKnown({"name", "kind", "when", "severity", "cooldown_s", "labels"});
  RuleMaker make = FindRuleMaker(rc.kind);
  if (!make) {
    fields.Error("kind", "unknown rule kind '" + rc.kind + "' (known: " + KnownKinds() + ")");
    fields.SkipUnknownCheck();  // the keys of an unknown kind mean nothing
    return core::InvalidArgument(diag->items().back().ToString());
  }
  auto rule = make(ctx, fields);
  fields.Finish();
  if (diag->items().size() > before) return core::InvalidArgument(diag->items()[before].ToString());
  if (!rule.ok()) {
    diag->Add(rc.where.file, rc.where.line, rc.path, rule.status().message());
    return rule.status();
  }
  return rule;
}

struct RuleEngine::Slot {
  Slot(const config::SiteConfig& site, const config::RuleConfig& rc) : schedule(site, rc.when) {}
  RuleContext ctx;
  Schedule schedule;
  std::unique_ptr<Rule> rule;
  int64_t counter = 0;
};

RuleEngine::RuleEngine() = default;
RuleEngine::~RuleEngine() = default;

core::Result<std::unique_ptr<RuleEngine>> RuleEngine::Build(const config::SiteConfig& site,
                                                            const config::CameraConfig& camera,
                                                            config::Diagnostics* diag) {
  const size_t before = diag->items().size();
  std::unique_ptr<RuleEngine> engine(new RuleEngine());
  engine->site_ = std::make_unique<config::SiteConfig>(site);
  engine->camera_ = std::make_unique<config::CameraConfig>(camera);
  CheckCalibration(*engine->camera_, diag);
  for (const config::RuleConfig& rc : engine->camera_->rules) {
    auto slot = std::make_unique<Slot>(*engine->site_, rc);
    slot->ctx = {engine->site_.get(), engine->camera_.get(), &rc, &slot->counter};
    auto rule = MakeRule(slot->ctx, diag);
    if (rule.ok()) slot->rule = std::move(rule).value();
    engine->slots_.push_back(std::move(slot));
  }
  if (diag->items().size() > before) return core::InvalidArgument(diag->items()[before].ToString());
  return engine;
}

void RuleEngine::Process(const FrameInput& in, std::vector<events::Event>* out) {
  for (auto& slot : slots_) {
    const bool active = slot->schedule.Active(in.wall);
    if (!active) {
      if (slot->rule) {
        slot->rule->Finish(in, out);
        slot->rule.reset();
      }
      continue;
    }
    if (!slot->rule) {
      config::Diagnostics scratch;  // validated at Build: cannot fail differently now
      auto rule = MakeRule(slot->ctx, &scratch);
      if (!rule.ok()) {
        spdlog::error("rule {} cannot be rebuilt: {}", slot->ctx.rule->name,
                      rule.status().message());
        continue;
      }
      slot->rule = std::move(rule).value();
    }
    slot->rule->Process(in, out);
  }
}

void RuleEngine::Finish(const FrameInput& last, std::vector<events::Event>* out) {
  for (auto& slot : slots_) {
    if (slot->rule) slot->rule->Finish(last, out);
    slot->rule.reset();  // a later Process starts afresh
  }
}

Rule* RuleEngine::FindRule(const std::string& name) const {
  for (const auto& slot : slots_) {
    if (slot->ctx.rule->name == name) return slot->rule.get();
  }
  return nullptr;
}

core::Status ValidateRules(const config::Config& cfg, config::Diagnostics* diag) {
  const size_t before = diag->items().size();
  for (const config::CameraConfig& cam : cfg.cameras) {
    CheckCalibration(cam, diag);
    for (const config::RuleConfig& rc : cam.rules) {
      int64_t counter = 0;
      RuleContext ctx{&cfg.site, &cam, &rc, &counter};
      (void)MakeRule(ctx, diag);
    }
  }
  if (diag->items().size() > before) return core::InvalidArgument(diag->items()[before].ToString());
  return core::Status::Ok();
}

}  // namespace argus::rules
