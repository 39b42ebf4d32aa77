#include "ingest/source_state.h"

namespace argus::ingest {

const char* ToString(SourceState s) {
  switch (s) {
    case SourceState::kConnecting:
      return "connecting";
    case SourceState::kRunning:
      return "running";
    case SourceState::kReconnecting:
      return "reconnecting";
    case SourceState::kEnded:
      return "ended";
    case SourceState::kStopped:
      return "stopped";
  }
  return "unknown";
}

bool IsValidTransition(SourceState from, SourceState to) {
  using S = SourceState;
  if (from == to) return false;
  switch (from) {
    case S::kConnecting:
    case S::kRunning:
    case S::kReconnecting:
      // Any live state may end or stop; Connecting is only ever the first state.
      return to != S::kConnecting;
    case S::kEnded:
    case S::kStopped:
      return false;
  }
  return false;
}

bool SourceStateMachine::TransitionTo(SourceState to) {
  {
    std::lock_guard lock(mu_);
    if (!IsValidTransition(state_.load(), to)) return false;
    state_.store(to);
  }
  if (listener_) listener_(to);
  return true;
}

}  // namespace argus::ingest
