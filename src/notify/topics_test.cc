#include "notify/topics.h"

#include <gtest/gtest.h>

namespace argus::notify {
namespace {

TEST(TopicsTest, FixedTopics) {
  EXPECT_EQ(EventsTopic(), "argus/events");
  EXPECT_EQ(AlertsTopic(), "argus/alerts");
}

TEST(TopicsTest, CameraAndZoneTopics) {
  EXPECT_EQ(CameraStatusTopic("lobby-1"), "argus/cameras/lobby-1/status");
  EXPECT_EQ(ZoneCountTopic("lobby-1", "entrance"), "argus/zones/lobby-1/entrance/count");
}

TEST(TopicsTest, NamesCannotSplitLevelsOrActAsWildcards) {
  EXPECT_EQ(CameraStatusTopic("a/b"), "argus/cameras/a_b/status");
  EXPECT_EQ(ZoneCountTopic("c+", "#z"), "argus/zones/c_/_z/count");
  EXPECT_EQ(TopicLevel(""), "_");
  EXPECT_EQ(TopicLevel(std::string("a\nb", 3)), "a_b");
  EXPECT_EQ(TopicLevel("Salle des États"), "Salle des États");  // UTF-8 is fine in topics
}

}  // namespace
}  // namespace argus::notify
