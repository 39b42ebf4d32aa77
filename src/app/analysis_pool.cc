#include "app/analysis_pool.h"

#include <algorithm>

namespace argus::app {

AnalysisPool::AnalysisPool(int threads, Work work) : work_(std::move(work)) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

AnalysisPool::~AnalysisPool() { Stop(); }

void AnalysisPool::Schedule(CameraRunner* camera) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || !scheduled_.insert(camera).second) return;
    ready_.push_back(camera);
  }
  cv_.notify_one();
}

void AnalysisPool::Remove(CameraRunner* camera) {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return !busy_.count(camera); });
  // After the wait: a worker that just finished may have queued it again.
  ready_.erase(std::remove(ready_.begin(), ready_.end(), camera), ready_.end());
  scheduled_.erase(camera);
}

void AnalysisPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void AnalysisPool::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !ready_.empty(); });
    if (stop_) return;
    CameraRunner* camera = ready_.front();
    ready_.pop_front();
    busy_.insert(camera);
    lock.unlock();
    QueuedFrame frame;
    if (camera->PopFrame(&frame)) work_(*camera, frame);
    lock.lock();
    busy_.erase(camera);
    // Checked under our lock, and Schedule() needs it too: a frame pushed after
    // this check finds the camera unscheduled and schedules it again.
    if (camera->HasFrames() && !stop_) {
      ready_.push_back(camera);
      cv_.notify_one();
    } else {
      scheduled_.erase(camera);
    }
    idle_cv_.notify_all();
  }
}

}  // namespace argus::app
