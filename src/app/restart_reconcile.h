// What a process killed mid-work (kill -9, power cut) leaves behind, put right at the next
// start before any camera runs: incidents it counted as running will never send their
// end, and evidence files it was writing will never be finished.
//
// Thread safety: called once, from the thread that creates the daemon.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "events/alert.h"
#include "store/store.h"

namespace argus::app {

struct ReconcileStats {
  int alerts_closed = 0;     // alerts whose running incidents were set to 0 in the store
  int partials_removed = 0;  // unfinished evidence files deleted
  int clips_lost = 0;        // clips among them, marked lost (record::CheckClipNotLost)
};

// `restored`: the open and acknowledged alerts just read from `db`; those with running
// incidents get 0 both in `restored` and in the store (the dashboard and /api read the
// store). Removes every ".part" evidence file under `evidence_root`, marking the clips lost.
core::Result<ReconcileStats> ReconcileAfterRestart(store::Store& db,
                                                   std::vector<events::Alert>* restored,
                                                   const std::string& evidence_root,
                                                   core::WallTime now);

}  // namespace argus::app
