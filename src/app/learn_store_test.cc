#include "app/learn_store.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/test_util.h"

namespace argus::app {
namespace {

using store::testing::kT0;

std::unique_ptr<learn::CameraLearner> LearningCamera() {
  config::CameraConfig cam;
  cam.name = "cam";
  cam.learn.enabled = true;
  config::SiteConfig site;
  site.timezone = "Europe/Paris";
  auto l = MakeCameraLearner(site, cam);
  EXPECT_NE(l, nullptr);
  return l;
}

// One person walking across a 640x480 frame, 10 frames per second, for `n` frames.
void Walk(learn::CameraLearner* l, int id, double t0, int n, std::vector<events::Event>* out) {
  for (int i = 0; i < n; ++i) {
    track::Track tr;
    tr.id = id;
    tr.label = "person";
    tr.box = {20.0 + 6 * i, 200, 40, 100};
    const double t = t0 + i / 10.0;
    l->Process({tr}, 640, 480, t, static_cast<int64_t>(t * 10),
               kT0 + std::chrono::milliseconds(int64_t(t * 1000)), out);
  }
}

TEST(LearnStore, ModelSurvivesARestartAndIsSavedPeriodically) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  core::FakeClock clock(kT0);

  auto first = LearningCamera();
  AttachLearnedModel(**db, clock, "cam", first.get());
  EXPECT_EQ(first->learner().model().total_tracks(), 0) << "nothing stored yet";
  std::vector<events::Event> out;
  for (int k = 0; k < 3; ++k) Walk(first.get(), k + 1, k * 12.0, 90, &out);
  EXPECT_EQ((*db)->LoadLearnedModel("cam").status().code(), core::StatusCode::kNotFound)
      << "not saved before the period";
  // Eleven minutes later (wall clock of the frames): the periodic save.
  Walk(first.get(), 9, 660, 5, &out);
  auto saved = (*db)->LoadLearnedModel("cam");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  auto periodic = learn::ActivityModel::Parse(*saved);
  ASSERT_TRUE(periodic.ok());
  EXPECT_DOUBLE_EQ(periodic->total_tracks(), 3);

  first->Finish(661, 6610, &out);  // the camera stops: saved again
  auto final_text = (*db)->LoadLearnedModel("cam");
  ASSERT_TRUE(final_text.ok());
  EXPECT_DOUBLE_EQ(learn::ActivityModel::Parse(*final_text)->total_tracks(), 4);

  auto second = LearningCamera();  // restart
  AttachLearnedModel(**db, clock, "cam", second.get());
  const learn::ActivityModel& m = second->learner().model();
  EXPECT_DOUBLE_EQ(m.total_tracks(), 4);
  EXPECT_EQ(m.Serialize(), *final_text);
}

TEST(LearnStore, NoLearnerWithoutLearnSection) {
  config::CameraConfig cam;
  cam.name = "cam";
  EXPECT_EQ(MakeCameraLearner({}, cam), nullptr);
}

TEST(LearnStore, UnreadableModelMeansLearningAfresh) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->SaveLearnedModel("cam", "not a model", kT0).ok());
  core::FakeClock clock(kT0);
  auto p = LearningCamera();
  AttachLearnedModel(**db, clock, "cam", p.get());
  EXPECT_EQ(p->learner().model().total_tracks(), 0);
  std::vector<events::Event> out;
  Walk(p.get(), 1, 0, 30, &out);
  p->Finish(5, 50, &out);
  auto text = (*db)->LoadLearnedModel("cam");
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(learn::ActivityModel::Parse(*text).ok()) << "replaced by a good model";
}

TEST(LearnStore, ThePictureOfWhatACameraLearnedComesFromItsStoredModel) {
  store::testing::TempDir dir;
  auto db = store::SqliteStore::Open(dir.File("argus.db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto none = LearnedPicture(**db, "cam");
  EXPECT_EQ(none.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("needs a `learn:` section"), std::string::npos);
  auto l = LearningCamera();
  std::vector<events::Event> out;
  Walk(l.get(), 1, 0, 60, &out);
  l->Finish(6, 60, &out);
  ASSERT_TRUE((*db)->SaveLearnedModel("cam", l->learner().model().Serialize(), kT0).ok());
  auto svg = LearnedPicture(**db, "cam");
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_EQ(svg->rfind("<svg ", 0), 0u);
  EXPECT_NE(svg->find("cam — 1 tracks learned"), std::string::npos) << svg->substr(0, 2000);
  ASSERT_TRUE((*db)->SaveLearnedModel("cam", "not a model", kT0).ok());
  EXPECT_EQ(LearnedPicture(**db, "cam").status().code(), core::StatusCode::kInternal);
}

}  // namespace
}  // namespace argus::app
