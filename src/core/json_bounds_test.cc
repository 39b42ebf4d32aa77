#include "core/json_bounds.h"

#include <gtest/gtest.h>

#include <string>

namespace argus::core {
namespace {

TEST(JsonBoundsTest, CountsNestingOutsideStrings) {
  EXPECT_EQ(JsonNestingDepth(""), 0);
  EXPECT_EQ(JsonNestingDepth("42"), 0);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[1,{"b":2}]})"), 3);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[{{{{"})"), 1);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"\"[[[["})"), 1);
  EXPECT_EQ(JsonNestingDepth("[][][]"), 1);
  EXPECT_EQ(JsonNestingDepth("]]]][["), 2);
}

TEST(JsonBoundsTest, StopsOnceTheLimitIsPassed) {
  const std::string deep(1000000, '[');
  EXPECT_EQ(JsonNestingDepth(deep), kMaxJsonDepth + 1);
  EXPECT_EQ(JsonNestingDepth(deep, 3), 4);
}

}  // namespace
}  // namespace argus::core
