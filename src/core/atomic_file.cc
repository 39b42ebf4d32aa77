#include "core/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace argus::core {

Result<std::unique_ptr<AtomicFile>> AtomicFile::Open(const std::string& path) {
  FILE* f = std::fopen((path + ".part").c_str(), "w");
  if (!f) return IoError(path + ": cannot write: " + std::strerror(errno));
  return std::unique_ptr<AtomicFile>(new AtomicFile(path, f));
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::remove((path_ + ".part").c_str());
  }
}

Status AtomicFile::Append(std::string_view data) {
  if (!file_) return Internal(path_ + ": write after commit");
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    return IoError(path_ + ": write failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (!file_) return Internal(path_ + ": committed twice");
  const bool ok = std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  const int err = errno;
  std::fclose(file_);
  file_ = nullptr;
  const std::string part = path_ + ".part";
  if (!ok || std::rename(part.c_str(), path_.c_str()) != 0) {
    std::remove(part.c_str());
    return IoError(path_ + ": cannot finish writing: " + std::strerror(ok ? errno : err));
  }
  return Status::Ok();
}

}  // namespace argus::core
