#include "events/escalation.h"

#include <gtest/gtest.h>

#include <limits>

namespace argus::events {
namespace {

TEST(EscalationPolicy, DefaultIsOperatorSupervisorDutyManager) {
  const EscalationPolicy p = EscalationPolicy::Default();
  ASSERT_EQ(p.tiers.size(), 3u);
  EXPECT_EQ(p.tiers[0].target, "operator");
  EXPECT_EQ(p.tiers[0].after_s, 0);
  EXPECT_EQ(p.tiers[1].after_s, 60);
  EXPECT_EQ(p.tiers[2].after_s, 180);
  EXPECT_TRUE(p.Validate().ok());
}

TEST(EscalationPolicy, DueTiersIsThePrefixWhoseDelayPassed) {
  const EscalationPolicy p = EscalationPolicy::Default();
  EXPECT_EQ(p.DueTiers(0), 1);
  EXPECT_EQ(p.DueTiers(59.9), 1);
  EXPECT_EQ(p.DueTiers(60), 2);
  EXPECT_EQ(p.DueTiers(179), 2);
  EXPECT_EQ(p.DueTiers(1e6), 3);
  EXPECT_EQ(EscalationPolicy{}.DueTiers(1e6), 0);
  EXPECT_EQ((EscalationPolicy{{{"supervisor", 10}}}).DueTiers(5), 0);
}

TEST(EscalationPolicy, ValidateRejectsBadTiers) {
  EXPECT_TRUE(EscalationPolicy{}.Validate().ok());
  EXPECT_FALSE((EscalationPolicy{{{"", 0}}}).Validate().ok());
  EXPECT_FALSE((EscalationPolicy{{{"a", -1}}}).Validate().ok());
  EXPECT_FALSE(
      (EscalationPolicy{{{"a", std::numeric_limits<double>::quiet_NaN()}}}).Validate().ok());
  const core::Status s = EscalationPolicy{{{"a", 60}, {"b", 30}}}.Validate();
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tier 1"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace argus::events
