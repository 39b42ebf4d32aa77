#include "app/retention_job.h"

#include <spdlog/spdlog.h>

#include "record/evidence_store.h"

namespace argus::app {

namespace {
core::WallTime After(core::WallTime t, double s) {
  return t + std::chrono::seconds(static_cast<int64_t>(s));
}
}  // namespace

RetentionJob::RetentionJob(store::Store& db, std::string evidence_root, core::Clock& clock,
                           std::map<events::Severity, int> days,
                           std::atomic<uint64_t>& store_errors)
    : db_(db),
      evidence_root_(std::move(evidence_root)),
      clock_(clock),
      store_errors_(store_errors),
      days_(std::move(days)) {
  last_.next_run = After(clock_.Now(), kFirstRetentionS);
}

void RetentionJob::RunNow() {
  const std::map<events::Severity, int> days = this->days();
  Run run;
  run.last_run = clock_.Now();
  run.next_run = After(clock_.Now(), kRetentionPeriodS);
  if (auto r = db_.ApplyRetention(store::RetentionPolicy{days}, clock_.Now()); r.ok()) {
    run.events_deleted = r->events_deleted;
    run.alerts_deleted = r->alerts_deleted;
  } else {
    ++store_errors_;
  }
  const record::RetentionStats s =
      record::ApplyEvidenceRetention(evidence_root_, days, clock_.Now());
  run.files_deleted = s.files_deleted;
  {
    std::lock_guard lock(mu_);
    last_ = run;
  }
  if (s.files_deleted > 0) {
    spdlog::info("retention: {} evidence files deleted ({} MiB)", s.files_deleted,
                 s.bytes_freed >> 20);
  }
}

void RetentionJob::SetDays(std::map<events::Severity, int> days) {
  std::lock_guard lock(mu_);
  days_ = std::move(days);
}

std::map<events::Severity, int> RetentionJob::days() const {
  std::lock_guard lock(mu_);
  return days_;
}

RetentionJob::Run RetentionJob::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace argus::app
