// Password hashing and random secrets, on libsodium.
// Passwords: Argon2id via crypto_pwhash_str (the salt and cost live in the string).
// Session ids and API tokens: 32 random bytes; only a BLAKE2b digest of them is
// ever stored or kept in memory, so a leaked database or core dump holds nothing
// that logs in.
// Thread safety: free functions; libsodium is initialised once, thread-safely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace argus::auth {

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr size_t kSecretBytes = 32;

// Argon2id work factors. kInteractive is libsodium's recommendation for logins
// (64 MiB, ~0.1 s); kMinimal exists for unit tests that hash many passwords.
struct PasswordCost {
  unsigned long long ops;
  size_t mem_bytes;
  static PasswordCost Interactive();
  static PasswordCost Minimal();
};

// kInvalidArgument when the password is too short or too long.
core::Status CheckPasswordPolicy(std::string_view password);
// kInvalidArgument (policy) or kInternal (out of memory).
core::Result<std::string> HashPassword(std::string_view password,
                                       PasswordCost cost = PasswordCost::Interactive());
// False for a wrong password and for anything that is not an Argon2 hash string.
bool VerifyPassword(const std::string& hash, std::string_view password);
// A fresh random secret, URL- and cookie-safe (base64url, no padding).
std::string NewSecret();
// Hex BLAKE2b-256 of a secret: what is stored in place of the secret.
std::string HashSecret(std::string_view secret);

}  // namespace argus::auth
