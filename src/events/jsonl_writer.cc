#include "events/jsonl_writer.h"

namespace argus::events {

core::Result<std::unique_ptr<JsonlWriter>> JsonlWriter::Open(const std::string& path) {
  auto f = core::AtomicFile::Open(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<JsonlWriter>(new JsonlWriter(std::move(f).value()));
}

core::Status JsonlWriter::Write(const Event& e) {
  ARGUS_RETURN_IF_ERROR(file_->Append(ToJsonLine(e) + "\n"));
  ++count_;
  return core::Status::Ok();
}

}  // namespace argus::events
