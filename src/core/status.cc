#include "core/status.h"

namespace argus::core {

std::string Status::ToString() const {
  switch (code_) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument: " + message_;
    case StatusCode::kNotFound:
      return "not found: " + message_;
    case StatusCode::kIoError:
      return "i/o error: " + message_;
    case StatusCode::kUnavailable:
      return "unavailable: " + message_;
    case StatusCode::kInternal:
      return "internal: " + message_;
    case StatusCode::kUnauthenticated:
      return "unauthenticated: " + message_;
    case StatusCode::kPermissionDenied:
      return "permission denied: " + message_;
    case StatusCode::kResourceExhausted:
      return "resource exhausted: " + message_;
  }
  return message_;
}

}  // namespace argus::core
