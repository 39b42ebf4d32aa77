#include "app/restart_reconcile.h"

#include <spdlog/spdlog.h>

#include "record/evidence_store.h"

namespace argus::app {

core::Result<ReconcileStats> ReconcileAfterRestart(store::Store& db,
                                                   std::vector<events::Alert>* restored,
                                                   const std::string& evidence_root,
                                                   core::WallTime now) {
  ReconcileStats stats;
  for (events::Alert& a : *restored) {
    if (a.active_incidents == 0) continue;
    a.active_incidents = 0;
    ARGUS_RETURN_IF_ERROR(db.UpsertAlert(a));
    ++stats.alerts_closed;
  }
  const record::RetentionStats swept = record::RemovePartialEvidence(evidence_root, now);
  stats.partials_removed = swept.partials_deleted;
  stats.clips_lost = swept.clips_lost;
  if (stats.alerts_closed || stats.partials_removed) {
    spdlog::info(
        "start-up: {} alerts had incidents still running when the last process stopped "
        "(now 0), {} unfinished evidence files removed ({} clips marked lost)",
        stats.alerts_closed, stats.partials_removed, stats.clips_lost);
  }
  return stats;
}

}  // namespace argus::app
