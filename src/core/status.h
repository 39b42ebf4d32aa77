// Status and Result<T>: how errors cross module and thread boundaries.
// "End of stream" and "camera offline" are states, not errors; they never
// travel as a Status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace argus::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input or config: exit code 1
  kNotFound,
  kIoError,
  kUnavailable,  // a peer (stream, broker, store) cannot be reached now
  kInternal,
  kUnauthenticated,    // no or bad credentials (HTTP 401)
  kPermissionDenied,   // known caller, not allowed (HTTP 403)
  kResourceExhausted,  // a rate limit or quota (HTTP 429)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}

// A value or the Status that explains its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace argus::core

// Returns early from a function returning Status or Result<T>.
#define ARGUS_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::argus::core::Status argus_status_ = (expr);  \
    if (!argus_status_.ok()) return argus_status_; \
  } while (0)
