#include "events/event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "events/jsonl_writer.h"

namespace argus::events {
namespace {

TEST(Event, JsonFollowsTheContract) {
  Event e;
  e.id = "cam/r/1";
  e.type = "intrusion";
  e.phase = Phase::kEnd;
  e.camera = "cam";
  e.rule = "r";
  e.severity = Severity::kCritical;
  e.t = 1.5;
  e.frame = 38;
  e.track_id = 7;
  e.label = "person";
  e.bbox = {1, 2, 3, 4};
  e.zone = "window";
  e.details["dwell_s"] = 2.5;
  const auto j = nlohmann::json::parse(ToJsonLine(e));
  EXPECT_EQ(j["phase"], "end");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["bbox"], nlohmann::json({1.0, 2.0, 3.0, 4.0}));
  EXPECT_EQ(j["frame"], 38);
  EXPECT_EQ(j["details"]["dwell_s"], 2.5);
  for (const char* key : {"id", "type", "phase", "camera", "rule", "severity", "t", "frame",
                          "track_id", "label", "bbox", "zone", "details"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 13u);
  Severity s;
  EXPECT_TRUE(ParseSeverity("warning", &s));
  EXPECT_EQ(s, Severity::kWarning);
  EXPECT_FALSE(ParseSeverity("loud", &s));
}

TEST(JsonlWriter, WritesOneEventPerLine) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "argus_jsonl_test.jsonl").string();
  auto w = JsonlWriter::Open(path);
  ASSERT_TRUE(w.ok());
  Event e;
  for (const char* id : {"a", "b"}) {
    e.id = id;
    ASSERT_TRUE((*w)->Write(e).ok());
  }
  EXPECT_EQ((*w)->count(), 2);
  ASSERT_TRUE((*w)->Commit().ok());
  std::ifstream in(path);
  std::string l1, l2, l3;
  std::getline(in, l1);
  std::getline(in, l2);
  EXPECT_EQ(nlohmann::json::parse(l1)["id"], "a");
  EXPECT_EQ(nlohmann::json::parse(l2)["id"], "b");
  EXPECT_FALSE(std::getline(in, l3));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace argus::events
