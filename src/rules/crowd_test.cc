#include "rules/crowd.h"

#include <gtest/gtest.h>

#include "rules/test_support.h"

namespace argus::rules {
namespace {

using events::Phase;
using testing::CameraYaml;
using testing::Harness;

const char* kRule =
    "      - {name: r, kind: crowd, zone: room, max_count: 3, clear_count: 1,"
    " min_duration_s: 1, cooldown_s: 0}\n";

std::vector<track::Track> People(Harness& h, int n) {
  std::vector<track::Track> v;
  for (int i = 0; i < n; ++i) v.push_back(h.At(i + 1, {250.0 + 30 * i, 400}));
  return v;
}

// A frame where exactly these people exist (the tracker holds nobody else).
void Step(Harness& h, int n) {
  const std::vector<track::Track> v = People(h, n);
  h.Step(v, &v);
}

TEST(CrowdTest, HysteresisKeepsOneIncident) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int i = 0; i < 20; ++i) Step(h, 4);  // 2 s over 3
  ASSERT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.events()[0].details["count"], 4);
  EXPECT_EQ(h.events()[0].details["max_count"], 3);
  EXPECT_EQ(h.events()[0].zone, "room");
  // Down to 2 (between clear 1 and max 3) for 5 s: stays crowded, 4 then 3 again.
  for (int i = 0; i < 50; ++i) Step(h, i % 10 < 5 ? 2 : 4);
  EXPECT_EQ(h.Count(Phase::kStart), 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 0);
  // At or below 1 for more than 1 s: cleared.
  for (int i = 0; i < 15; ++i) Step(h, 1);
  EXPECT_EQ(h.Count(Phase::kEnd), 1);
  auto* rule = dynamic_cast<CrowdRule*>(h.engine().FindRule("r"));
  ASSERT_NE(rule, nullptr);
  EXPECT_FALSE(rule->crowded());
  ASSERT_FALSE(rule->Series().empty());
  EXPECT_EQ(rule->Series().back().count, 1);
  int max_seen = 0;
  for (const CountSample& s : rule->Series()) max_seen = std::max(max_seen, s.count);
  EXPECT_EQ(max_seen, 4);
}

TEST(CrowdTest, ShortPeakIsIgnored) {
  Harness h(CameraYaml(kRule));
  ASSERT_TRUE(h.ok());
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < 5; ++i) Step(h, 5);  // 0.5 s over
    for (int i = 0; i < 5; ++i) Step(h, 2);
  }
  EXPECT_TRUE(h.events().empty());
}

TEST(CrowdTest, ClearFractionDefaultsAndValidation) {
  Harness h(CameraYaml("      - {name: r, kind: crowd, max_count: 10, clear_fraction: 0.5}\n"));
  EXPECT_TRUE(h.ok());
  config::Diagnostics diag;
  auto cfg = config::ParseConfig(
      CameraYaml("      - {name: r, kind: crowd, max_count: 3, clear_count: 3}\n"), "c.yaml",
      &diag);
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(RuleEngine::Build(cfg->site, cfg->cameras[0], &diag).ok());
  EXPECT_NE(diag.ToString().find("clear_count: must be smaller than max_count (3)"),
            std::string::npos)
      << diag.ToString();
}

}  // namespace
}  // namespace argus::rules
