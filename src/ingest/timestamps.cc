#include "ingest/timestamps.h"

#include <algorithm>

namespace argus::ingest {

void TimestampRebaser::NewSession(double wall_gap_s) {
  new_session_ = true;
  pending_gap_ = std::max(wall_gap_s, 0.0);
  offset_.reset();
}

double TimestampRebaser::Map(std::optional<double> stream_t) {
  if (new_session_) {
    new_session_ = false;
    session_start_ = last_ ? *last_ + std::max(pending_gap_, interval_) : 0.0;
    if (stream_t) offset_ = session_start_ - *stream_t;
    last_ = session_start_;
    return *last_;
  }
  double t = *last_ + interval_;
  if (stream_t) {
    if (!offset_) offset_ = t - *stream_t;  // first timestamp of a session that began without
    double mapped = *stream_t + *offset_;
    if (mapped > *last_) t = mapped;
  }
  last_ = t;
  return t;
}

}  // namespace argus::ingest
