#include "api/metrics.h"

#include <gtest/gtest.h>

#include "api/testing/metrics_lint.h"

namespace argus::api {
namespace {

using testing::MetricConventionProblems;

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

TEST(MetricConventions, RenderedMetricsFollowThem) {
  CameraStatus hall;
  hall.name = "hall";
  hall.status = "online";
  hall.detector_ms = 12.5;
  ServerCounters c;
  c.requests_by_code = {{200, 5}};
  const std::string m = RenderMetrics({hall}, c);
  EXPECT_EQ(Joined(MetricConventionProblems(m)), "");
  // Base units: the detector's milliseconds are exported as seconds.
  EXPECT_NE(m.find("argus_camera_detector_latency_seconds{camera=\"hall\"} 0.0125\n"),
            std::string::npos)
      << m;
}

TEST(MetricConventions, TheCheckFindsEachKindOfProblem) {
  const std::string bad =
      "# HELP argus_frames Frames.\n# TYPE argus_frames counter\nargus_frames 1\n"
      "# HELP argus_up_total Up.\n# TYPE argus_up_total gauge\nargus_up_total 1\n"
      "# HELP argus_latency_ms Latency.\n# TYPE argus_latency_ms gauge\nargus_latency_ms 3\n"
      "# TYPE argus_nohelp gauge\nargus_nohelp 1\n"
      "argus_untyped 2\n"
      "# HELP argus_w_seconds W.\n# TYPE argus_w_seconds histogram\n"
      "argus_w_seconds_bucket{le=\"+Inf\"} 1\nargus_w_seconds_sum 1\nargus_w_seconds_count 1\n"
      "argus_nohelp_count 1\n"  // _count of a gauge family, not of a histogram
      "# HELP Argus-Bad X.\n# TYPE Argus-Bad gauge\n";
  EXPECT_EQ(Joined(MetricConventionProblems(bad)),
            "argus_frames: a counter's name must end in _total\n"
            "argus_up_total: only counters end in _total\n"
            "argus_latency_ms: not a base unit (_ms)\n"
            "argus_nohelp: TYPE without HELP before it\n"
            "argus_untyped: sample before its TYPE\n"
            "argus_nohelp_count: sample before its TYPE\n"
            "Argus-Bad: not an argus_ snake_case name\n");
}

}  // namespace
}  // namespace argus::api
