#include "events/escalation.h"

#include <cmath>

namespace argus::events {

EscalationPolicy EscalationPolicy::Default() {
  return {{{"operator", 0},
           {"supervisor", kDefaultSupervisorAfterS},
           {"duty_manager", kDefaultDutyManagerAfterS}}};
}

core::Status EscalationPolicy::Validate() const {
  double prev = 0;
  for (size_t i = 0; i < tiers.size(); ++i) {
    const EscalationTier& t = tiers[i];
    const std::string where = "escalation tier " + std::to_string(i);
    if (t.target.empty()) return core::InvalidArgument(where + ": empty target");
    if (!std::isfinite(t.after_s) || t.after_s < 0) {
      return core::InvalidArgument(where + " (" + t.target + "): after_s must be >= 0");
    }
    if (t.after_s < prev) {
      return core::InvalidArgument(where + " (" + t.target +
                                   "): after_s must not be smaller than the previous tier's");
    }
    prev = t.after_s;
  }
  return core::Status::Ok();
}

int EscalationPolicy::DueTiers(double elapsed_s) const {
  int n = 0;
  while (n < static_cast<int>(tiers.size()) && tiers[n].after_s <= elapsed_s) ++n;
  return n;
}

}  // namespace argus::events
