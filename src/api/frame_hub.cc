#include "api/frame_hub.h"

#include <utility>

namespace argus::api {

std::shared_ptr<FrameHub::Slot> FrameHub::FindSlot(const std::string& camera, bool create) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(camera);
  if (it != slots_.end()) return it->second;
  if (!create) return nullptr;
  auto slot = std::make_shared<Slot>();
  slots_.emplace(camera, slot);
  return slot;
}

void FrameHub::Set(const std::string& camera, std::shared_ptr<const std::string> jpeg) {
  auto slot = FindSlot(camera, /*create=*/true);
  {
    std::lock_guard<std::mutex> lock(slot->mu);
    slot->frame.jpeg = std::move(jpeg);
    ++slot->frame.seq;
  }
  slot->cv.notify_all();
}

bool FrameHub::Has(const std::string& camera) const {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return false;
  std::lock_guard<std::mutex> lock(slot->mu);
  return slot->frame.jpeg != nullptr;
}

std::optional<FrameHub::Frame> FrameHub::Latest(const std::string& camera) const {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return std::nullopt;
  std::lock_guard<std::mutex> lock(slot->mu);
  if (!slot->frame.jpeg) return std::nullopt;
  return slot->frame;
}

std::optional<FrameHub::Frame> FrameHub::WaitNewer(const std::string& camera, uint64_t after_seq,
                                                   std::chrono::milliseconds timeout) {
  // Creating the slot lets a viewer wait for a camera that has not sent a frame
  // yet; callers only wait for cameras they know exist.
  auto slot = FindSlot(camera, /*create=*/true);
  std::unique_lock<std::mutex> lock(slot->mu);
  if (!slot->cv.wait_for(lock, timeout, [&] {
        return slot->frame.jpeg != nullptr && slot->frame.seq > after_seq;
      })) {
    return std::nullopt;
  }
  return slot->frame;
}

std::vector<std::string> FrameHub::cameras() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, slot] : slots_) out.push_back(name);
  return out;
}

}  // namespace argus::api
