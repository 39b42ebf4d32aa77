#include "notify/sensor.h"

#include <gtest/gtest.h>

namespace argus::notify {
namespace {

constexpr char kTopic[] = "argus/sensors/wing-a/north-window-2";

TEST(ParseSensorMessageTest, ContactWithTimestamp) {
  auto r = ParseSensorMessage(
      kTopic, R"({"sensor":"north-window-2","type":"contact","state":"open","t":1760000000.5})",
      42);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->topic, kTopic);
  EXPECT_EQ(r->sensor, "north-window-2");
  EXPECT_EQ(r->type, SensorType::kContact);
  EXPECT_EQ(r->state, SensorState::kOpen);
  EXPECT_TRUE(r->active());
  EXPECT_DOUBLE_EQ(r->t, 1760000000.5);
  EXPECT_TRUE(r->t_from_sensor);
}

TEST(ParseSensorMessageTest, MissingTimeUsesArrivalTime) {
  auto r =
      ParseSensorMessage(kTopic, R"({"sensor":"vit-3","type":"glass_break","state":"ok"})", 1234.0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, SensorType::kGlassBreak);
  EXPECT_EQ(r->state, SensorState::kOk);
  EXPECT_FALSE(r->active());
  EXPECT_DOUBLE_EQ(r->t, 1234.0);
  EXPECT_FALSE(r->t_from_sensor);
}

TEST(ParseSensorMessageTest, AllTypes) {
  for (const char* type : {"vibration", "glass_break", "tamper"}) {
    auto r = ParseSensorMessage(
        kTopic, std::string(R"({"sensor":"s","type":")") + type + R"(","state":"triggered"})", 0);
    ASSERT_TRUE(r.ok()) << type;
    EXPECT_STREQ(ToString(r->type), type);
    EXPECT_TRUE(r->active());
  }
}

TEST(ParseSensorMessageTest, MalformedPayloadsAreErrorsNotCrashes) {
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      "{\"sensor\":\"s\",\"type\":\"contact\"",                        // truncated
      R"({"type":"contact","state":"open"})",                          // no sensor
      R"({"sensor":"","type":"contact","state":"open"})",              // empty sensor
      R"({"sensor":7,"type":"contact","state":"open"})",               // sensor not a string
      R"({"sensor":"s","type":"smoke","state":"open"})",               // unknown type
      R"({"sensor":"s","type":"contact","state":"ajar"})",             // unknown state
      R"({"sensor":"s","type":"contact","state":"triggered"})",        // state not for a contact
      R"({"sensor":"s","type":"vibration","state":"open"})",           // contact state, not contact
      R"({"sensor":"s","type":"contact","state":"open","t":"noon"})",  // t not a number
      R"({"sensor":"s","type":"contact","state":"open","t":-5})",
  };
  for (const char* p : bad) {
    auto r = ParseSensorMessage(kTopic, p, 0);
    EXPECT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << p;
  }
}

TEST(ParseSensorMessageTest, OversizedOrDeepPayloadsAreRefusedByName) {
  const std::string ok = R"({"sensor":"s","type":"contact","state":"open"})";
  ASSERT_TRUE(ParseSensorMessage(kTopic, ok, 0).ok());
  const std::string long_name = R"({"sensor":")" + std::string(kMaxSensorNameLength + 1, 'n') +
                                R"(","type":"contact","state":"open"})";
  auto r = ParseSensorMessage(kTopic, long_name, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"sensor\" of 1..128 bytes"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(ParseSensorMessage(kTopic,
                                 R"({"sensor":")" + std::string(kMaxSensorNameLength, 'n') +
                                     R"(","type":"contact","state":"open"})",
                                 0)
                  .ok());
  const std::string big = R"({"sensor":"s","type":"contact","state":"open","pad":")" +
                          std::string(kMaxSensorPayloadBytes, ' ') + "\"}";
  r = ParseSensorMessage(kTopic, big, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than 4096 bytes"), std::string::npos);
  const std::string deep = R"({"sensor":"s","type":"contact","state":"open","x":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  r = ParseSensorMessage(kTopic, deep.substr(0, 4000), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than 16 levels"), std::string::npos);
}

}  // namespace
}  // namespace argus::notify
