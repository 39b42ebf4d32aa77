// Roles of dashboard users and API tokens. Each role can do everything the one
// before it can: viewer (live video with people blurred, alerts, events),
// operator (+ acknowledge and resolve, clips, unblurred video), admin (+ users,
// tokens, the audit log, metrics).
#pragma once

#include <string_view>

namespace argus::auth {

enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };

const char* ToString(Role r);
// "viewer" | "operator" | "admin"; false for anything else.
bool ParseRole(std::string_view s, Role* out);
// True when `have` includes the rights of `need`.
inline bool Includes(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

}  // namespace argus::auth
