#include "notify/signature.h"

#include <sodium.h>

#include <cstdlib>

namespace argus::notify {

std::string HmacSha256Hex(std::string_view key, std::string_view body) {
  // sodium_init is idempotent and thread-safe; -1 only if no entropy source.
  if (sodium_init() < 0) std::abort();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
  return hex;
}

std::string SignatureHeaderValue(std::string_view key, std::string_view body) {
  return "sha256=" + HmacSha256Hex(key, body);
}

}  // namespace argus::notify
