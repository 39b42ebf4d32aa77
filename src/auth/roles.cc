#include "auth/roles.h"

namespace argus::auth {

const char* ToString(Role r) {
  switch (r) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

bool ParseRole(std::string_view s, Role* out) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (s == ToString(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

}  // namespace argus::auth
