// Where evidence lives on disk, when there is room for it, and how long it stays.
//
// Layout: <root>/<camera>/<YYYY-MM-DD>/<alert_id>-<severity>.{jpg,blurred.jpg,mp4}, the date
// in UTC (a change of time zone or daylight saving never reorders or merges folders). Camera
// names and alert ids are sanitised so neither can leave the root.
//
// A full disk stops recording, not analysis: DiskGuard tells the daemon whether to write
// evidence and why not, and the daemon keeps analysing and says so.
//
// Thread safety: the free functions are reentrant; DiskGuard may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "events/event.h"

namespace argus::record {

// The snapshot with every person blurred, for viewers: "<alert_id>-<severity>.blurred.jpg".
inline constexpr const char* kBlurredSnapshotSuffix = ".blurred.jpg";
// "<alert_id>-<severity>.mp4.lost": the clip's recording was interrupted (kill -9, power
// cut); the file says so in one line. Expires with the clip it stands for.
inline constexpr const char* kLostClipSuffix = ".lost";
inline constexpr uint64_t kDefaultMinFreeBytes = uint64_t{1} << 30;  // 1 GiB
// Running clips ask before every write: at ~1 MB/s of evidence, a second's worth is all
// that can slip past a check.
inline constexpr double kDefaultDiskCheckIntervalS = 1;
// Kept free for the store beyond evidence.min_free_mb: alerts must still be written when
// evidence has stopped.
inline constexpr uint64_t kStoreReserveBytes = uint64_t{8} << 20;  // 8 MiB
inline constexpr size_t kMaxPathComponent = 128;
// Partial files (".part") older than this are left over from a crash: retention removes them.
inline constexpr double kStalePartialAgeS = 24 * 3600;
// An empty camera folder touched more recently than this may be about to receive a date
// folder: retention keeps it. Empty date folders go once their day is over.
inline constexpr double kEmptyDirGraceS = 3600;

// A single path component: keeps [A-Za-z0-9._-], turns anything else into '_', never
// starts with '.', never empty, at most kMaxPathComponent characters.
std::string SanitizePathComponent(const std::string& name);

struct EvidencePaths {
  std::string dir;               // <root>/<camera>/<YYYY-MM-DD>
  std::string snapshot;          // <dir>/<alert_id>-<severity>.jpg
  std::string snapshot_blurred;  // <dir>/<alert_id>-<severity>.blurred.jpg
  std::string clip;              // <dir>/<alert_id>-<severity>.mp4
};
EvidencePaths EvidencePathsFor(const std::string& root, const std::string& camera,
                               const std::string& alert_id, events::Severity severity,
                               core::WallTime when);
// Creates `paths.dir` and its parents.
core::Status CreateEvidenceDir(const EvidencePaths& paths);

// Bytes available to an unprivileged writer on the file system holding `path` (or its
// nearest existing parent).
core::Result<uint64_t> StatvfsFreeBytes(const std::string& path);

struct DiskStatus {
  bool recording = false;
  std::string reason;  // why recording is off; empty when on
  std::optional<uint64_t> free_bytes;
};

class DiskGuard {
 public:
  using FreeSpaceFn = std::function<core::Result<uint64_t>(const std::string& path)>;

  DiskGuard(std::string root, core::Clock& clock, uint64_t min_free_bytes = kDefaultMinFreeBytes,
            double check_interval_s = kDefaultDiskCheckIntervalS,
            FreeSpaceFn free_space = StatvfsFreeBytes);

  // Measures again when the last measurement is older than the check interval. Logs a
  // warning when recording turns off and a note when it comes back.
  DiskStatus Check();
  bool recording_allowed() { return Check().recording; }

 private:
  const std::string root_;
  core::Clock& clock_;
  const uint64_t min_free_bytes_;
  const double check_interval_s_;
  const FreeSpaceFn free_space_;
  std::mutex mu_;
  std::optional<double> last_check_s_;
  DiskStatus status_;
};

struct RetentionStats {
  int files_deleted = 0;     // expired evidence
  int partials_deleted = 0;  // stale ".part" files
  int clips_lost = 0;        // RemovePartialEvidence: clips marked lost (kLostClipSuffix)
  int dirs_removed = 0;      // empty date and camera folders
  int errors = 0;            // files or folders that could not be removed
  uint64_t bytes_freed = 0;
};

// Deletes evidence files (the layout above, blurred snapshots included) whose modification
// time is more than `days[severity]` days before `now`; a severity that is absent or has
// days <= 0 is kept forever. Also deletes ".part" files of evidence older than
// kStalePartialAgeS (a crash mid-write). Removes empty date folders of past days and camera
// folders empty for longer than kEmptyDirGraceS. Leaves every other file and folder alone,
// and follows no symlink.
RetentionStats ApplyEvidenceRetention(const std::string& root,
                                      const std::map<events::Severity, int>& days,
                                      core::WallTime now);

// At start-up, before any writer runs: every ".part" file of evidence is a leftover of a
// process that died mid-write (kill -9, power cut), whatever its age. Deletes them all,
// with the same layout rules and empty-folder clean-up as retention, and marks each clip
// among them lost. (An MP4 cut before its index was written holds nothing a player or
// FFmpeg can read back, so there is nothing to recover.)
RetentionStats RemovePartialEvidence(const std::string& root, core::WallTime now);

// Leaves "<clip>.lost" beside where the clip at `clip_path` would have been, holding
// `reason`, so the API can tell "lost" from "not yet". False when it cannot be written.
bool MarkClipLost(const std::string& clip_path, const std::string& reason);

// kNotFound saying why when the clip of `alert_id` in evidence folder `dir` was marked
// lost; Ok otherwise (present, or not yet recorded).
core::Status CheckClipNotLost(const std::string& dir, const std::string& alert_id);

}  // namespace argus::record
