// Bounds on JSON that arrives from outside (HTTP bodies, MQTT sensor payloads),
// checked on the raw text before a parser builds a tree from it.
// Pure functions; callable from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace argus::core {

// No request or message of ours needs more than a few levels; a client that sends
// thousands of nested arrays gets a clear 400 instead of a tree built for nothing.
inline constexpr int kMaxJsonDepth = 16;

// The deepest nesting of [ and { in `text`, ignoring brackets inside strings.
// Stops counting (and returns) as soon as it exceeds `stop_above`.
int JsonNestingDepth(std::string_view text, int stop_above = kMaxJsonDepth);

}  // namespace argus::core
