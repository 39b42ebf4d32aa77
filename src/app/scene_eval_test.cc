#include "app/scene_eval.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace argus::app {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SceneManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("scene_eval_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data" / "falls");
    for (const char* n : {"room_video10", "room_video2", "room_video1", "other_video3"}) {
      Touch(dir_ / "data" / "falls" / (std::string(n) + ".mp4"));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void Touch(const fs::path& p, const std::string& text = "") { std::ofstream(p) << text; }
  std::string Manifest(const std::string& yaml) {
    const fs::path p = dir_ / "bench" / "scenes.yaml";
    fs::create_directories(p.parent_path());
    Touch(p, yaml);
    return p.string();
  }
  fs::path dir_;
};

TEST_F(SceneManifestTest, ResolvesPathsAgainstRootAndExpandsGlobsInNaturalOrder) {
  const std::string m = Manifest(
      "root: ../data\n"
      "scenes:\n"
      "  - {name: a, video: /abs/a.avi, gt: a/gt.txt, frame_offset: 2}\n"
      "  - {glob: falls/room_video*.mp4, group: room, format: le2i}\n");
  auto scenes = LoadSceneManifest(m);
  ASSERT_TRUE(scenes.ok()) << scenes.status().message();
  ASSERT_EQ(scenes->size(), 4u);
  const SceneSpec& a = (*scenes)[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.group, "a");  // a scene alone is its own group
  EXPECT_EQ(a.video, "/abs/a.avi");
  EXPECT_EQ(a.gt, (dir_ / "data" / "a" / "gt.txt").string());
  EXPECT_EQ(a.frame_offset, 2);
  std::vector<std::string> names;
  for (size_t i = 1; i < scenes->size(); ++i) {
    names.push_back((*scenes)[i].name);
    EXPECT_EQ((*scenes)[i].group, "room");
    EXPECT_EQ((*scenes)[i].format, "le2i");
  }
  EXPECT_THAT(names, ElementsAre("room_video1", "room_video2", "room_video10"));
  EXPECT_EQ((*scenes)[3].gt, (dir_ / "data" / "falls" / "room_video10.txt").string());
}

TEST_F(SceneManifestTest, RootOverrideReplacesTheManifestsRoot) {
  const std::string m = Manifest("root: nowhere\nscenes:\n  - {glob: falls/other_*.mp4}\n");
  EXPECT_FALSE(LoadSceneManifest(m).ok());
  auto scenes = LoadSceneManifest(m, (dir_ / "data").string());
  ASSERT_TRUE(scenes.ok()) << scenes.status().message();
  ASSERT_EQ(scenes->size(), 1u);
  EXPECT_EQ((*scenes)[0].name, "other_video3");
}

TEST_F(SceneManifestTest, ErrorsNameFileAndLine) {
  const std::string m = Manifest(
      "scenes:\n"
      "  - {name: a, video: a.avi, gt: a.txt}\n"
      "  - {name: b, video: b.avi}\n");
  auto scenes = LoadSceneManifest(m);
  ASSERT_FALSE(scenes.ok());
  EXPECT_THAT(scenes.status().message(), HasSubstr("scenes.yaml:3: a scene needs name, video"));

  auto format =
      LoadSceneManifest(Manifest("scenes:\n  - {name: a, video: a, gt: b, format: csv}\n"));
  ASSERT_FALSE(format.ok());
  EXPECT_THAT(format.status().message(), HasSubstr(":2: format: expected mot or le2i"));

  auto twice =
      LoadSceneManifest(Manifest("root: ../data\nscenes:\n  - {glob: falls/room_video1*.mp4}\n  - "
                                 "{glob: falls/room_video1.mp4}\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("scene 'room_video1' twice"));

  auto none = LoadSceneManifest(Manifest("root: ../data\nscenes:\n  - {glob: falls/*.avi}\n"));
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr(":3: glob: matches no file"));

  EXPECT_FALSE(LoadSceneManifest(Manifest("scenes: []\n")).ok());
  EXPECT_EQ(LoadSceneManifest((dir_ / "missing.yaml").string()).status().code(),
            core::StatusCode::kNotFound);
}

TEST(Le2iAnnotationTest, KeepsAnnotatedFramesOnlyAsOnePersonInXywh) {
  auto gt = ParseLe2iAnnotation(
      "48\n80\n1,1,0,0,0,0\n2,1,10,20,40,120\n3,1,12,20,42,121\n\n4,1,0,0,0,0\n"
      "3,1,12,20,42,121\n2,1,0,0,9,9\n",  // repeated frames: the first line wins
      "v.txt");
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  EXPECT_THAT(gt->frames, ElementsAre(2, 3));
  EXPECT_EQ(gt->last_frame, 3);
  ASSERT_EQ(gt->rows.size(), 2u);
  EXPECT_EQ(gt->rows[0].id, 1);
  EXPECT_DOUBLE_EQ(gt->rows[0].box.x, 10);
  EXPECT_DOUBLE_EQ(gt->rows[0].box.w, 30);
  EXPECT_DOUBLE_EQ(gt->rows[0].box.h, 100);
}

TEST(Le2iAnnotationTest, MalformedLineNamesSourceAndLine) {
  auto gt = ParseLe2iAnnotation("0\n0\n1,1,0,0,0,0\n2,1,x\n", "v.txt");
  ASSERT_FALSE(gt.ok());
  EXPECT_THAT(gt.status().message(), HasSubstr("v.txt:4: expected frame,label,x1,y1,x2,y2"));
}

TEST(SceneGroundTruthTest, MotGroundTruthScoresEveryFrameAndDropsInactiveRows) {
  const fs::path p =
      fs::temp_directory_path() / ("scene_gt_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(p) << "1,1,10,10,5,10,1,-1,-1,-1\n3,1,11,10,5,10,0,-1,-1,-1\n4,2,0,0,5,10,1\n";
  SceneSpec s;
  s.gt = p.string();
  auto gt = ReadSceneGroundTruth(s);
  fs::remove(p);
  ASSERT_TRUE(gt.ok()) << gt.status().message();
  EXPECT_EQ(gt->rows.size(), 2u);
  EXPECT_THAT(gt->frames, ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(gt->last_frame, 4);
}

}  // namespace
}  // namespace argus::app
