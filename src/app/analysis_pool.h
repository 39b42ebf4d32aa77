// The bounded pool of analysis threads shared by all cameras of `argus serve`
// (not a thread per camera per stage). A camera with frames waiting is
// scheduled once; a worker analyses one of its frames and puts it back at the
// end of the line if more wait, so cameras take turns and one camera's frames
// are never analysed by two workers at once (its pipeline is single-threaded).
// Thread safety: all methods from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "app/camera_runner.h"

namespace argus::app {

class AnalysisPool {
 public:
  // Analyses one frame of the camera (the pool calls it on a worker thread).
  using Work = std::function<void(CameraRunner&, QueuedFrame&)>;

  // `threads` <= 0: one per core.
  AnalysisPool(int threads, Work work);
  ~AnalysisPool();
  AnalysisPool(const AnalysisPool&) = delete;
  AnalysisPool& operator=(const AnalysisPool&) = delete;

  // The camera has a frame waiting (CameraRunner's frame_ready).
  void Schedule(CameraRunner* camera);
  // Forgets the camera and waits until no worker is analysing it; after this
  // the camera may be destroyed. Stop the camera first, so it schedules no more.
  void Remove(CameraRunner* camera);
  // Stops the workers (frames still queued are not analysed).
  void Stop();
  int threads() const { return static_cast<int>(workers_.size()); }

 private:
  void WorkerLoop();

  Work work_;
  std::mutex mu_;
  std::condition_variable cv_;       // work to do, or stop
  std::condition_variable idle_cv_;  // a camera finished a frame
  std::deque<CameraRunner*> ready_;
  std::set<CameraRunner*> scheduled_;  // in ready_ or being analysed
  std::set<CameraRunner*> busy_;       // being analysed
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace argus::app
