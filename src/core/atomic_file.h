// A file written under `path.part` and renamed to `path` only by Commit(), so
// a crash or an error never leaves a half-written file under the final name.
// Thread safety: one thread.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace argus::core {

class AtomicFile {
 public:
  static Result<std::unique_ptr<AtomicFile>> Open(const std::string& path);
  ~AtomicFile();  // without Commit(): removes the partial file
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status Append(std::string_view data);
  // Flushes, syncs and renames into place.
  Status Commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, FILE* f) : path_(std::move(path)), file_(f) {}
  std::string path_;
  FILE* file_;
};

}  // namespace argus::core
