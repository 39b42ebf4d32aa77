#include "core/histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace argus::core {
namespace {

TEST(Histogram, BucketsAreCumulativeAndTheTailCountsInInfOnly) {
  Histogram h;
  h.Observe(0.0005);  // <= 1 ms
  h.Observe(0.003);   // <= 5 ms
  h.Observe(0.003);
  h.Observe(42);  // beyond every bound
  const std::string text = h.Prometheus("argus_x_seconds", "X.");
  EXPECT_NE(text.find("# TYPE argus_x_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("argus_x_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_bucket{le=\"0.0025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_bucket{le=\"0.005\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_bucket{le=\"10\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_sum 42.0065\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argus_x_seconds_count 4\n"), std::string::npos) << text;
}

TEST(Histogram, NegativeAndNanCountAsZero) {
  Histogram h;
  h.Observe(-1);
  h.Observe(std::nan(""));
  EXPECT_NE(h.Prometheus("m", "M.").find("m_bucket{le=\"0.001\"} 2\n"), std::string::npos);
  EXPECT_EQ(h.count(), 2u);
}

}  // namespace
}  // namespace argus::core
