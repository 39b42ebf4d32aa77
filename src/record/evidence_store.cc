#include "record/evidence_store.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/atomic_file.h"
#include "record/video_writer.h"

namespace argus::record {
namespace fs = std::filesystem;
namespace {

constexpr double kSecondsPerDay = 24 * 3600;

bool IsDateFolder(const std::string& name) {
  if (name.size() != 10 || name[4] != '-' || name[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

// "<alert_id>-<severity>.jpg|mp4|blurred.jpg" -> the severity; false for anything else.
bool ParseEvidenceName(std::string name, events::Severity* severity) {
  if (name.ends_with(kBlurredSnapshotSuffix)) {  // the twin expires with its snapshot
    name.resize(name.size() - std::strlen(kBlurredSnapshotSuffix));
    name += ".jpg";
  }
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string ext = name.substr(dot + 1);
  if (ext != "jpg" && ext != "mp4") return false;
  const size_t dash = name.rfind('-', dot);
  if (dash == std::string::npos || dash == 0) return false;
  return events::ParseSeverity(name.substr(dash + 1, dot - dash - 1), severity);
}

std::string HumanBytes(uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1 << 20));
  return buf;
}

double SecondsOf(core::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double MtimeS(const struct stat& st) {
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) * 1e-9;
}

// Entries of `dir`, read before anything is deleted; empty when it cannot be read.
std::vector<fs::path> ListDir(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    out.push_back(it->path());
  }
  return out;
}

bool IsRealDir(const fs::path& p) {  // not a symlink: retention never leaves the root
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void RemoveIfEmpty(const fs::path& dir, RetentionStats* stats) {
  if (::rmdir(dir.c_str()) == 0) {
    ++stats->dirs_removed;
  } else if (errno != ENOTEMPTY && errno != EEXIST) {
    ++stats->errors;
  }
}

}  // namespace

std::string SanitizePathComponent(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (out.size() == kMaxPathComponent) break;
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "_";
  if (out[0] == '.') out[0] = '_';  // no ".", "..", or hidden files
  return out;
}

EvidencePaths EvidencePathsFor(const std::string& root, const std::string& camera,
                               const std::string& alert_id, events::Severity severity,
                               core::WallTime when) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char date[48];  // room for any int the compiler can imagine
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  EvidencePaths p;
  p.dir = (fs::path(root) / SanitizePathComponent(camera) / date).string();
  const std::string base = (fs::path(p.dir) / SanitizePathComponent(alert_id)).string() + "-" +
                           events::ToString(severity);
  p.snapshot = base + ".jpg";
  p.snapshot_blurred = base + kBlurredSnapshotSuffix;
  p.clip = base + ".mp4";
  return p;
}

core::Status CreateEvidenceDir(const EvidencePaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (ec) return core::IoError("cannot create " + paths.dir + ": " + ec.message());
  return core::Status::Ok();
}

core::Result<uint64_t> StatvfsFreeBytes(const std::string& path) {
  fs::path p = path.empty() ? fs::path(".") : fs::path(path);
  std::error_code ec;
  // The root may not exist yet: its file system is that of its nearest existing parent.
  while (!fs::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
  struct statvfs sv {};
  if (::statvfs(p.c_str(), &sv) != 0) {
    return core::IoError("statvfs " + p.string() + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(sv.f_bavail) * static_cast<uint64_t>(sv.f_frsize);
}

DiskGuard::DiskGuard(std::string root, core::Clock& clock, uint64_t min_free_bytes,
                     double check_interval_s, FreeSpaceFn free_space)
    : root_(std::move(root)),
      clock_(clock),
      min_free_bytes_(min_free_bytes),
      check_interval_s_(check_interval_s),
      free_space_(std::move(free_space)) {}

DiskStatus DiskGuard::Check() {
  std::lock_guard<std::mutex> lock(mu_);
  const double now = clock_.Seconds();
  if (last_check_s_ && now - *last_check_s_ < check_interval_s_) return status_;
  const bool first = !last_check_s_;
  last_check_s_ = now;
  DiskStatus s;
  auto free = free_space_(root_);
  if (!free.ok()) {
    s.reason = "recording disabled: cannot measure free space: " + free.status().message();
  } else {
    s.free_bytes = *free;
    if (*free < min_free_bytes_) {
      s.reason = "recording disabled: " + HumanBytes(*free) + " free on " + root_ +
                 ", below the minimum of " + HumanBytes(min_free_bytes_);
    } else {
      s.recording = true;
    }
  }
  if (!s.recording && (first || status_.recording)) {
    spdlog::warn("evidence: {}; analysis continues", s.reason);
  } else if (s.recording && !first && !status_.recording) {
    spdlog::info("evidence: recording enabled again ({} free on {})", HumanBytes(*s.free_bytes),
                 root_);
  }
  status_ = s;
  return s;
}

bool MarkClipLost(const std::string& clip_path, const std::string& reason) {
  auto f = core::AtomicFile::Open(clip_path + kLostClipSuffix);
  return f.ok() && (*f)->Append(reason).ok() && (*f)->Commit().ok();
}

namespace {

// A restart never resumes a clip: the one being recorded when the process died is lost.
bool MarkInterruptedClipLost(const fs::path& clip, double interrupted_s) {
  const std::time_t t = static_cast<std::time_t>(interrupted_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return MarkClipLost(
      clip.string(),
      std::string("its recording was interrupted at about ") + when +
          " (the daemon was killed or the machine lost power before the clip was finished); "
          "no clip was saved");
}

RetentionStats Sweep(const std::string& root, const std::map<events::Severity, int>& days,
                     core::WallTime now, double stale_partial_age_s, bool mark_lost) {
  RetentionStats stats;
  const double now_s = SecondsOf(now);
  // Today's folder may be about to receive a clip, even when empty.
  const std::string today =
      fs::path(EvidencePathsFor("", "_", "_", events::Severity::kInfo, now).dir)
          .filename()
          .string();
  for (const fs::path& cam : ListDir(root)) {
    if (!IsRealDir(cam)) continue;
    for (const fs::path& day : ListDir(cam)) {
      const std::string day_name = day.filename().string();
      if (!IsDateFolder(day_name) || !IsRealDir(day)) continue;
      for (const fs::path& file : ListDir(day)) {
        struct stat st {};
        if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        std::string name = file.filename().string();
        // "x.mp4.part", or "x.mp4.part.part" from a re-encoded clip.
        bool partial = false;
        while (name.ends_with(kPartialSuffix)) {
          name.resize(name.size() - std::strlen(kPartialSuffix));
          partial = true;
        }
        // A lost clip's note expires with the clip it stands for.
        if (!partial && name.ends_with(kLostClipSuffix)) {
          name.resize(name.size() - std::strlen(kLostClipSuffix));
        }
        events::Severity sev;
        if (!ParseEvidenceName(name, &sev)) continue;
        const double age_s = now_s - MtimeS(st);
        bool expired;
        if (partial) {
          expired = age_s >= stale_partial_age_s;
        } else {
          auto it = days.find(sev);
          expired = it != days.end() && it->second > 0 && age_s > it->second * kSecondsPerDay;
        }
        if (!expired) continue;
        if (::unlink(file.c_str()) != 0) {
          ++stats.errors;
          continue;
        }
        ++(partial ? stats.partials_deleted : stats.files_deleted);
        stats.bytes_freed += static_cast<uint64_t>(st.st_size);
        if (partial && mark_lost && name.ends_with(".mp4") &&
            MarkInterruptedClipLost(day / name, MtimeS(st))) {
          ++stats.clips_lost;
        }
      }
      if (day_name < today) RemoveIfEmpty(day, &stats);
    }
    // Removing a date folder touched the camera folder: it goes on a later run, once no
    // writer can be about to create a date folder in it.
    struct stat st {};
    if (::lstat(cam.c_str(), &st) == 0 && MtimeS(st) < now_s - kEmptyDirGraceS) {
      RemoveIfEmpty(cam, &stats);
    }
  }
  if (stats.files_deleted || stats.partials_deleted || stats.errors) {
    spdlog::info("evidence retention: {} files and {} partial files deleted ({}), {} errors",
                 stats.files_deleted, stats.partials_deleted, HumanBytes(stats.bytes_freed),
                 stats.errors);
  }
  return stats;
}

}  // namespace

RetentionStats ApplyEvidenceRetention(const std::string& root,
                                      const std::map<events::Severity, int>& days,
                                      core::WallTime now) {
  return Sweep(root, days, now, kStalePartialAgeS, /*mark_lost=*/false);
}

RetentionStats RemovePartialEvidence(const std::string& root, core::WallTime now) {
  return Sweep(root, {}, now, 0, /*mark_lost=*/true);
}

core::Status CheckClipNotLost(const std::string& dir, const std::string& alert_id) {
  const std::string prefix = alert_id + "-";
  for (const fs::path& p : ListDir(dir)) {
    const std::string name = p.filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(std::string(".mp4") + kLostClipSuffix)) {
      continue;
    }
    std::ifstream in(p);
    std::string reason;
    std::getline(in, reason);
    return core::NotFound("the clip of alert " + alert_id + " was lost: " +
                          (reason.empty() ? "its recording was interrupted" : reason));
  }
  return core::Status::Ok();
}

}  // namespace argus::record
