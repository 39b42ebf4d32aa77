#include "app/zone_history.h"

#include "api/backend.h"

namespace argus::app {

void ZoneHistory::Record(const std::string& camera, const std::string& zone, int count) {
  Sample& s = samples_[{camera, zone}];
  s.count = count;
  s.pending = true;
  Flush(false);
}

void ZoneHistory::Flush(bool all) {
  const double now = clock_.Seconds();
  for (auto& [key, s] : samples_) {
    if (!s.pending || (!all && now - s.written_s < kZoneHistoryMinPeriodS)) continue;
    store::SensorReading r;
    r.sensor = api::ZoneSensorName(key.first, key.second);
    r.kind = "zone_count";
    r.value = s.count;
    r.unit = "objects";
    r.at = clock_.Now();
    if (!db_.InsertSensorReading(r).ok()) ++store_errors_;
    s.written_s = now;
    s.pending = false;
  }
}

}  // namespace argus::app
