// Waiting for a condition in tests that run threads or processes (header-only, tests only).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace argus::core::testing {

// Polls `pred` every 10 ms until it holds or `timeout_s` passed; the last answer of
// `pred` decides, so a condition met just at the deadline counts.
inline bool WaitUntil(const std::function<bool()>& pred, double timeout_s) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace argus::core::testing
