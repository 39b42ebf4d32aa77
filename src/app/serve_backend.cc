#include "app/serve_backend.h"

#include "api/json_format.h"

namespace argus::app {

core::Result<std::string> ServeBackend::EvidencePath(int64_t id, Evidence kind, int incident) {
  auto a = p_.db.GetAlert(id);
  if (!a.ok()) return a.status();
  return FindEvidenceFile(p_.evidence.root(), a->camera, id, a->opened_at, kind, incident);
}

nlohmann::json ServeBackend::System() {
  nlohmann::json days = nlohmann::json::object();
  for (const auto& [sev, d] : p_.retention.days()) days[events::ToString(sev)] = d;
  const RetentionJob::Run r = p_.retention.last();
  const record::DiskStatus disk = p_.evidence.disk().Check();
  return {
      {"retention",
       {{"days", days},
        {"last_run", r.last_run ? nlohmann::json(api::FormatTime(*r.last_run)) : nlohmann::json()},
        {"next_run", api::FormatTime(r.next_run)},
        {"events_deleted", r.events_deleted},
        {"alerts_deleted", r.alerts_deleted},
        {"files_deleted", r.files_deleted}}},
      {"recording", {{"enabled", p_.evidence.enabled()}, {"paused_low_disk", !disk.recording}}}};
}

core::Result<nlohmann::json> ServeBackend::ReloadConfig(const std::string& who,
                                                        const std::string& from) {
  if (!p_.config) return api::Backend::ReloadConfig(who, from);
  const ConfigSync::Outcome o = p_.config->Reload({"api", who, from});
  if (!o.status.ok() && o.status.code() != core::StatusCode::kInvalidArgument) return o.status;
  return o.ToJson();  // a config with problems: its error in the answer (400)
}

std::vector<std::string> ServeBackend::Problems() {
  std::vector<std::string> out =
      HealthProblems(p_.alerts.unsaved(), p_.evidence.disk(), p_.evidence.enabled());
  if (p_.config) {
    if (std::string problem = p_.config->Problem(); !problem.empty()) out.push_back(problem);
  }
  return out;
}

std::string ServeBackend::ExtraMetrics() {
  const record::DiskStatus disk = p_.evidence.disk().Check();
  return MetricLines("argus_store_errors_total", "Store writes that failed.",
                     p_.store_errors.load(), "counter") +
         MetricLines("argus_evidence_errors_total", "Snapshots or clips that could not be written.",
                     p_.evidence.errors(), "counter") +
         MetricLines("argus_alerts_unsaved",
                     "Alerts the store refused, kept in memory and retried.",
                     static_cast<double>(p_.alerts.unsaved().size()), "gauge") +
         MetricLines("argus_degraded", "1 when the store or evidence cannot write (see /healthz).",
                     Problems().empty() ? 0 : 1, "gauge") +
         MetricLines("argus_alerts_opened_total", "Alerts opened since start.", p_.alerts.opened(),
                     "counter") +
         MetricLines("argus_evidence_recording",
                     "1 when evidence is recorded, 0 when the disk is full.",
                     disk.recording ? 1 : 0, "gauge") +
         p_.delivery.Metrics() + (p_.config ? p_.config->Metrics() : "") +
         MetricLines("argus_event_loop_queued_messages", "Messages waiting for the event loop.",
                     static_cast<double>(p_.loop.queued()), "gauge") +
         p_.loop.store_writes().Prometheus("argus_store_write_seconds",
                                           "Time to store one batch of a camera's events.");
}

}  // namespace argus::app
