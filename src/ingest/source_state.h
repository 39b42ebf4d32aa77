// States of a video source and the rules for moving between them.
// Thread safety: SourceStateMachine is internally synchronised; any thread may call it.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

namespace argus::ingest {

// kConnecting: first connection attempt (live) or opening; kRunning: frames flow;
// kReconnecting: the live connection was lost (or never made) and back-off is running;
// kEnded: end of file, or reconnects exhausted; kStopped: Stop() was called.
// kEnded and kStopped are final.
enum class SourceState { kConnecting, kRunning, kReconnecting, kEnded, kStopped };
const char* ToString(SourceState s);

// Whether `from -> to` is a legal transition (a state to itself is not a transition).
bool IsValidTransition(SourceState from, SourceState to);

class SourceStateMachine {
 public:
  using Listener = std::function<void(SourceState)>;
  explicit SourceStateMachine(SourceState initial = SourceState::kConnecting) : state_(initial) {}

  SourceState state() const { return state_.load(); }
  // Moves to `to` if legal and returns true; false (and no change) otherwise, e.g. after
  // Stop() made the state final while the reading thread was still reconnecting.
  bool TransitionTo(SourceState to);
  // Called after every successful transition, on the thread that made it, outside the
  // internal lock: a listener that takes a lock of its own must not deadlock with a
  // thread that holds that lock while it stops the source (the camera runner's Stop did
  // so: SIGTERM hung the daemon). Transitions of one thread reach it in order; those of
  // two threads at once may arrive in either order (state() is the truth). A listener
  // may read state() or cause a transition itself. Set before the machine is shared.
  void SetListener(Listener l) { listener_ = std::move(l); }

 private:
  std::mutex mu_;
  std::atomic<SourceState> state_;
  Listener listener_;
};

}  // namespace argus::ingest
