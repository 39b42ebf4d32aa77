// Events as JSON Lines, written atomically (see core::AtomicFile).
// Thread safety: one thread.
#pragma once

#include <memory>
#include <string>

#include "core/atomic_file.h"
#include "core/status.h"
#include "events/event.h"

namespace argus::events {

class JsonlWriter {
 public:
  static core::Result<std::unique_ptr<JsonlWriter>> Open(const std::string& path);
  core::Status Write(const Event& e);
  core::Status Commit() { return file_->Commit(); }
  int64_t count() const { return count_; }

 private:
  explicit JsonlWriter(std::unique_ptr<core::AtomicFile> f) : file_(std::move(f)) {}
  std::unique_ptr<core::AtomicFile> file_;
  int64_t count_ = 0;
};

}  // namespace argus::events
