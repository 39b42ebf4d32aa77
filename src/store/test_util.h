// Test helpers shared by the store tests (header-only, tests only).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "events/event.h"

namespace argus::store::testing {

// A fresh directory under the gtest temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("argus_store_" + std::to_string(getpid()) + "_" + info->test_suite_name() + "_" +
             info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// 2026-01-01T00:00:00Z.
inline const core::WallTime kT0{std::chrono::seconds(1767225600)};

inline events::Event MakeEvent(const std::string& id, const std::string& camera,
                               const std::string& type, events::Severity sev) {
  events::Event e;
  e.id = id;
  e.type = type;
  e.camera = camera;
  e.rule = type + "_rule";
  e.severity = sev;
  e.t = 12.5;
  e.frame = 313;
  e.track_id = 4;
  e.label = "person";
  e.bbox = {10, 20, 30, 40};
  e.zone = "vitrine";
  e.details["dwell_s"] = 3.25;
  return e;
}

// Runs one SQL statement on a separate raw connection; returns the SQLite result code
// and the error text in *err.
inline int RawExec(const std::string& path, const std::string& sql, std::string* err) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  char* msg = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  if (err) *err = msg ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  return rc;
}

}  // namespace argus::store::testing
