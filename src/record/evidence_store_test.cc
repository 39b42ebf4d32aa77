#include "record/evidence_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "record/video_writer.h"

namespace argus::record {
namespace {

namespace fs = std::filesystem;
using events::Severity;
using std::chrono::hours;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("argus_evidence_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  fs::path path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// 2024-03-10 23:30:00 UTC.
core::WallTime SomeTime() { return core::WallTime(std::chrono::seconds(1710113400)); }

void Touch(const fs::path& p, core::WallTime mtime, const std::string& content = "data") {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << content;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch());
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = static_cast<time_t>(ns.count() / 1'000'000'000);
  ts[0].tv_nsec = ts[1].tv_nsec = static_cast<long>(ns.count() % 1'000'000'000);
  ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), ts, 0), 0);
}

std::set<std::string> Tree(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out.insert(e.path().lexically_relative(root).string() +
               (e.is_directory() && !e.is_symlink() ? "/" : ""));
  }
  return out;
}

TEST(EvidencePaths, LayoutIsCameraThenUtcDateThenAlertAndSeverity) {
  auto p = EvidencePathsFor("/var/ev", "lobby", "a42", Severity::kCritical, SomeTime());
  EXPECT_EQ(p.dir, "/var/ev/lobby/2024-03-10");
  EXPECT_EQ(p.snapshot, "/var/ev/lobby/2024-03-10/a42-critical.jpg");
  EXPECT_EQ(p.snapshot_blurred, "/var/ev/lobby/2024-03-10/a42-critical.blurred.jpg");
  EXPECT_EQ(p.clip, "/var/ev/lobby/2024-03-10/a42-critical.mp4");
  // An hour later is the next day in UTC, whatever the local time zone.
  EXPECT_EQ(EvidencePathsFor("/r", "c", "x", Severity::kInfo, SomeTime() + hours(1)).dir,
            "/r/c/2024-03-11");
}

TEST(EvidencePaths, NamesCannotLeaveTheRoot) {
  for (const char* evil_name : {"..", "../../etc", "/etc/passwd", ".hidden", "a/b", "", "."}) {
    const std::string evil = evil_name;
    SCOPED_TRACE(evil);
    auto p = EvidencePathsFor("/root_dir", evil, evil, Severity::kAlert, SomeTime());
    const fs::path dir(p.dir);
    EXPECT_EQ(dir.parent_path().parent_path(), fs::path("/root_dir"));
    const std::string cam = dir.parent_path().filename().string();
    EXPECT_FALSE(cam.empty());
    EXPECT_NE(cam[0], '.');
    EXPECT_EQ(cam.find('/'), std::string::npos);
    EXPECT_EQ(fs::path(p.clip).parent_path(), dir);
    EXPECT_EQ(fs::path(p.clip).lexically_normal(), fs::path(p.clip));
  }
  EXPECT_EQ(SanitizePathComponent("Cam 1: Entrée"), "Cam_1__Entr__e");
  EXPECT_EQ(SanitizePathComponent("gate-2_north.cam"), "gate-2_north.cam");
  EXPECT_EQ(SanitizePathComponent(std::string(1000, 'a')).size(), kMaxPathComponent);
}

TEST(EvidencePaths, CreateEvidenceDirMakesTheFolders) {
  TempDir tmp;
  auto p = EvidencePathsFor(tmp.str() + "/evidence", "cam", "a1", Severity::kAlert, SomeTime());
  ASSERT_TRUE(CreateEvidenceDir(p).ok());
  EXPECT_TRUE(fs::is_directory(p.dir));
  Touch(tmp.path() / "file", SomeTime());
  p.dir = (tmp.path() / "file" / "sub").string();
  EXPECT_EQ(CreateEvidenceDir(p).code(), core::StatusCode::kIoError);
}

TEST(DiskGuard, DisablesRecordingBelowTheMinimumAndSaysWhy) {
  core::FakeClock clock(SomeTime());
  std::atomic<uint64_t> free_bytes{uint64_t{5} << 30};
  int calls = 0;
  DiskGuard guard("/evidence", clock, /*min_free_bytes=*/uint64_t{1} << 30,
                  /*check_interval_s=*/10, [&](const std::string& path) {
                    EXPECT_EQ(path, "/evidence");
                    ++calls;
                    return core::Result<uint64_t>(free_bytes.load());
                  });
  DiskStatus s = guard.Check();
  EXPECT_TRUE(s.recording);
  EXPECT_TRUE(s.reason.empty());
  EXPECT_EQ(s.free_bytes, uint64_t{5} << 30);

  free_bytes = uint64_t{300} << 20;
  EXPECT_TRUE(guard.recording_allowed()) << "measured again only after the interval";
  EXPECT_EQ(calls, 1);
  clock.Advance(std::chrono::seconds(11));
  s = guard.Check();
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(s.recording);
  EXPECT_NE(s.reason.find("recording disabled"), std::string::npos) << s.reason;
  EXPECT_NE(s.reason.find("300.0 MiB"), std::string::npos) << s.reason;
  EXPECT_NE(s.reason.find("/evidence"), std::string::npos) << s.reason;

  free_bytes = uint64_t{2} << 30;  // space freed (retention ran)
  clock.Advance(std::chrono::seconds(11));
  EXPECT_TRUE(guard.recording_allowed());
}

TEST(DiskGuard, AFailedMeasurementDisablesRecording) {
  core::FakeClock clock;
  DiskGuard guard("/x", clock, 1, 10, [](const std::string&) {
    return core::Result<uint64_t>(core::IoError("statvfs /x: No such device"));
  });
  DiskStatus s = guard.Check();
  EXPECT_FALSE(s.recording);
  EXPECT_FALSE(s.free_bytes);
  EXPECT_NE(s.reason.find("No such device"), std::string::npos) << s.reason;
}

TEST(DiskGuard, StatvfsMeasuresTheRealFileSystemEvenBeforeTheRootExists) {
  TempDir tmp;
  auto direct = StatvfsFreeBytes(tmp.str());
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  auto missing = StatvfsFreeBytes(tmp.str() + "/not/yet/created");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  // Same file system; other processes may write meanwhile.
  EXPECT_NEAR(static_cast<double>(*missing), static_cast<double>(*direct), 256.0 * (1 << 20));
  core::FakeClock clock;
  EXPECT_TRUE(DiskGuard(tmp.str(), clock, /*min_free_bytes=*/1).recording_allowed());
  EXPECT_FALSE(DiskGuard(tmp.str(), clock, /*min_free_bytes=*/~uint64_t{0}).recording_allowed());
}

TEST(Retention, DeletesExactlyTheExpiredEvidence) {
  TempDir tmp;
  const fs::path root = tmp.path();
  const core::WallTime now = SomeTime();
  const auto day = hours(24);
  const std::map<Severity, int> days = {
      {Severity::kInfo, 1}, {Severity::kWarning, 7}, {Severity::kAlert, 30}};  // critical: forever
  // Expired.
  Touch(root / "lobby/2024-03-08/a1-info.jpg", now - 2 * day, "12345");
  Touch(root / "lobby/2024-03-08/a1-info.mp4", now - 2 * day, "1234567890");
  Touch(root / "lobby/2024-03-01/a2-warning.mp4", now - 9 * day);
  Touch(root / "gate/2024-01-01/a3-alert.jpg", now - 31 * day);
  Touch(root / "gate/2024-03-09/a11-alert.mp4.part", now - 2 * day);
  Touch(root / "gate/2024-03-09/a12-alert.mp4.part.part", now - 2 * day);
  // Kept: young enough, kept forever, or not ours.
  Touch(root / "lobby/2024-03-10/a4-info.jpg", now - hours(23));
  Touch(root / "lobby/2024-03-01/a5-warning.jpg", now - 6 * day);
  Touch(root / "gate/2024-01-01/a6-alert.mp4", now - 29 * day);
  Touch(root / "gate/2023-01-01/a7-critical.mp4", now - 400 * day);
  Touch(root / "gate/2024-03-10/writing-alert.mp4.part", now - hours(1));
  Touch(root / "lobby/2024-03-08/notes.txt", now - 100 * day);
  Touch(root / "lobby/2024-03-08/a8-unknown.jpg", now - 100 * day);
  Touch(root / "lobby/other/a9-info.jpg", now - 100 * day);
  Touch(root / "a10-info.jpg", now - 100 * day);
  fs::create_directories(root / "gate/2020-01-01");   // empty, of a past day
  fs::create_directories(root / "gate/2024-03-10/");  // today's (UTC): may get a clip soon
  // A symlink is never followed.
  TempDir outside;
  Touch(outside.path() / "2024-01-01/x-info.jpg", now - 100 * day);
  fs::create_directory_symlink(outside.path(), root / "linked");

  RetentionStats st = ApplyEvidenceRetention(root.string(), days, now);
  EXPECT_EQ(st.files_deleted, 4);
  EXPECT_EQ(st.partials_deleted, 2);
  EXPECT_EQ(st.bytes_freed, 5u + 10u + 4 + 4 + 4 + 4);
  EXPECT_EQ(st.errors, 0);
  EXPECT_EQ(st.dirs_removed, 2);  // gate/2024-03-09 and gate/2020-01-01
  EXPECT_EQ(Tree(root), (std::set<std::string>{
                            "a10-info.jpg",
                            "gate/",
                            "gate/2023-01-01/",
                            "gate/2023-01-01/a7-critical.mp4",
                            "gate/2024-01-01/",
                            "gate/2024-01-01/a6-alert.mp4",
                            "gate/2024-03-10/",
                            "gate/2024-03-10/writing-alert.mp4.part",
                            "linked",
                            "lobby/",
                            "lobby/2024-03-01/",
                            "lobby/2024-03-01/a5-warning.jpg",
                            "lobby/2024-03-08/",
                            "lobby/2024-03-08/a8-unknown.jpg",
                            "lobby/2024-03-08/notes.txt",
                            "lobby/2024-03-10/",
                            "lobby/2024-03-10/a4-info.jpg",
                            "lobby/other/",
                            "lobby/other/a9-info.jpg",
                        }));
  EXPECT_TRUE(fs::exists(outside.path() / "2024-01-01/x-info.jpg"));

  // Running again changes nothing; a week later more has expired.
  st = ApplyEvidenceRetention(root.string(), days, now);
  EXPECT_EQ(st.files_deleted + st.partials_deleted + st.dirs_removed, 0);
  st = ApplyEvidenceRetention(root.string(), days, now + 7 * day);
  EXPECT_EQ(st.files_deleted, 3);  // a4-info (1 day), a5-warning (7), a6-alert (30)
  EXPECT_FALSE(fs::exists(root / "lobby/2024-03-01"));
  EXPECT_FALSE(fs::exists(root / "gate/2024-01-01"));
  EXPECT_TRUE(fs::exists(root / "gate/2023-01-01/a7-critical.mp4"));
}

// The viewers' blurred twin of a snapshot goes when its snapshot goes, and only then.
TEST(Retention, BlurredSnapshotTwinExpiresWithItsSnapshot) {
  TempDir tmp;
  const fs::path root = tmp.path();
  const core::WallTime now = SomeTime();
  const auto day = hours(24);
  const std::map<Severity, int> days = {{Severity::kInfo, 1}, {Severity::kAlert, 30}};
  const EvidencePaths old_p =
      EvidencePathsFor(root.string(), "hall", "7", Severity::kInfo, now - 2 * day);
  const EvidencePaths young_p =
      EvidencePathsFor(root.string(), "hall", "8", Severity::kAlert, now - 2 * day);
  Touch(old_p.snapshot, now - 2 * day, "12");
  Touch(old_p.snapshot_blurred, now - 2 * day, "345");
  Touch(old_p.snapshot_blurred + kPartialSuffix, now - 2 * day, "6789");  // a crash mid-write
  Touch(young_p.snapshot, now - 2 * day);
  Touch(young_p.snapshot_blurred, now - 2 * day);
  Touch(root / "hall/2024-03-08/9-unknown.blurred.jpg", now - 100 * day);  // not ours
  Touch(root / "hall/2024-03-08/9-info.blurred.png", now - 100 * day);

  RetentionStats st = ApplyEvidenceRetention(root.string(), days, now);
  EXPECT_EQ(st.files_deleted, 2);
  EXPECT_EQ(st.partials_deleted, 1);
  EXPECT_EQ(st.bytes_freed, 2u + 3u + 4u);
  EXPECT_EQ(st.errors, 0);
  EXPECT_FALSE(fs::exists(old_p.snapshot));
  EXPECT_FALSE(fs::exists(old_p.snapshot_blurred));
  EXPECT_FALSE(fs::exists(old_p.snapshot_blurred + kPartialSuffix));
  EXPECT_TRUE(fs::exists(young_p.snapshot));
  EXPECT_TRUE(fs::exists(young_p.snapshot_blurred));
  EXPECT_TRUE(fs::exists(root / "hall/2024-03-08/9-unknown.blurred.jpg"));
  EXPECT_TRUE(fs::exists(root / "hall/2024-03-08/9-info.blurred.png"));
}

// A kill -9 mid-clip leaves fresh ".part" files that retention keeps for a day (another
// writer might own them); at start-up nothing writes yet, so they all go, whatever their age.
TEST(Retention, StartUpRemovesEveryPartialFileAndKeepsFinishedEvidence) {
  TempDir tmp;
  const fs::path root = tmp.path();
  const core::WallTime now = SomeTime();
  const EvidencePaths p = EvidencePathsFor(root.string(), "hall", "5", Severity::kWarning, now);
  Touch(p.snapshot, now);
  Touch(p.clip + kPartialSuffix, now - std::chrono::seconds(3), "12345");
  Touch(p.clip + kPartialSuffix + kPartialSuffix, now, "123");  // written by older versions
  Touch(root / "hall" / "notes.txt.part", now);                 // not evidence: not ours

  EXPECT_EQ(ApplyEvidenceRetention(root.string(), {}, now).partials_deleted, 0);
  const RetentionStats st = RemovePartialEvidence(root.string(), now);
  EXPECT_EQ(st.partials_deleted, 2);
  EXPECT_EQ(st.files_deleted, 0);
  EXPECT_EQ(st.bytes_freed, 8u);
  EXPECT_EQ(st.clips_lost, 2) << "one per partial clip file";
  const std::string day = fs::path(p.dir).filename().string();
  EXPECT_EQ(Tree(root),
            (std::set<std::string>{"hall/", "hall/" + day + "/", "hall/" + day + "/5-warning.jpg",
                                   "hall/" + day + "/5-warning.mp4.lost", "hall/notes.txt.part"}));
}

// Issue 16.6: the clip of a killed recording answered 404 "not yet" for ever. Now the
// start-up sweep leaves a note and the lookup says the clip was lost, and when.
TEST(Retention, AnInterruptedClipIsMarkedLostAndTheNoteExpiresWithIt) {
  TempDir tmp;
  const fs::path root = tmp.path();
  const core::WallTime now = SomeTime();
  const EvidencePaths p = EvidencePathsFor(root.string(), "hall", "5", Severity::kWarning, now);
  const EvidencePaths other = EvidencePathsFor(root.string(), "hall", "6", Severity::kWarning, now);
  Touch(p.clip + kPartialSuffix, now, "12345");
  Touch(p.snapshot + kPartialSuffix, now, "1");  // a snapshot is not a clip
  Touch(other.clip, now, "finished");
  EXPECT_TRUE(CheckClipNotLost(p.dir, "5").ok()) << "still recording: not lost";
  ASSERT_EQ(RemovePartialEvidence(root.string(), now).clips_lost, 1);
  const core::Status st = CheckClipNotLost(p.dir, "5");
  EXPECT_EQ(st.code(), core::StatusCode::kNotFound);
  EXPECT_NE(st.message().find("the clip of alert 5 was lost: its recording was interrupted"),
            std::string::npos)
      << st.message();
  EXPECT_TRUE(CheckClipNotLost(p.dir, "6").ok());
  EXPECT_TRUE(CheckClipNotLost(p.dir, "55").ok()) << "another alert's prefix";
  // A second start changes nothing.
  EXPECT_EQ(RemovePartialEvidence(root.string(), now).clips_lost, 0);
  // Kept as long as a warning clip is, then gone with it.
  const fs::path note = p.clip + kLostClipSuffix;
  ASSERT_TRUE(fs::exists(note));
  Touch(note, now - hours(24 * 3));
  EXPECT_EQ(ApplyEvidenceRetention(root.string(), {{Severity::kWarning, 7}}, now).files_deleted, 0);
  EXPECT_EQ(ApplyEvidenceRetention(root.string(), {{Severity::kWarning, 2}}, now).files_deleted, 1);
  EXPECT_FALSE(fs::exists(note));
  EXPECT_TRUE(fs::exists(other.clip)) << "new, kept";
}

TEST(Retention, EmptyCameraFolderGoesOnceItHasBeenEmptyAWhile) {
  TempDir tmp;
  const core::WallTime now = SomeTime();
  Touch(tmp.path() / "old_cam/2024-01-01/a-info.jpg", now - hours(24 * 10));
  auto st = ApplyEvidenceRetention(tmp.str(), {{Severity::kInfo, 1}}, now);
  EXPECT_EQ(st.files_deleted, 1);
  EXPECT_FALSE(fs::exists(tmp.path() / "old_cam/2024-01-01"));
  // Its folder was just modified (the date folder went): kept for now...
  EXPECT_TRUE(fs::exists(tmp.path() / "old_cam"));
  // ...and removed by a later run.
  st = ApplyEvidenceRetention(tmp.str(), {{Severity::kInfo, 1}},
                              std::chrono::system_clock::now() + hours(2));
  EXPECT_EQ(st.dirs_removed, 1);
  EXPECT_FALSE(fs::exists(tmp.path() / "old_cam"));
  EXPECT_TRUE(fs::exists(tmp.path()));
}

}  // namespace
}  // namespace argus::record
