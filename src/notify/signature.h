// HMAC-SHA256 signatures for webhook bodies, so receivers can check that a
// request came from Argus. Pure; callable from any thread.
#pragma once

#include <string>
#include <string_view>

namespace argus::notify {

inline constexpr char kSignatureHeader[] = "X-Argus-Signature";

// Lower-case hex HMAC-SHA256 of `body` under `key` (any key length).
std::string HmacSha256Hex(std::string_view key, std::string_view body);
// The header value: "sha256=<hex>".
std::string SignatureHeaderValue(std::string_view key, std::string_view body);

}  // namespace argus::notify
