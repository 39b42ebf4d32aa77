#include "api/frame_hub.h"

#include <utility>

namespace argus::api {
namespace {

size_t Index(FrameVariant v) { return static_cast<size_t>(v); }

}  // namespace

FrameHub::FrameHub(const core::Clock& clock) : clock_(clock) {}

std::shared_ptr<FrameHub::Slot> FrameHub::FindSlot(const std::string& camera, bool create) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(camera);
  if (it != slots_.end()) return it->second;
  if (!create) return nullptr;
  auto slot = std::make_shared<Slot>();
  slots_.emplace(camera, slot);
  return slot;
}

void FrameHub::Set(const std::string& camera, std::shared_ptr<const std::string> jpeg,
                   FrameVariant variant) {
  auto slot = FindSlot(camera, /*create=*/true);
  {
    std::lock_guard<std::mutex> lock(slot->mu);
    Frame& f = slot->variants[Index(variant)].frame;
    f.jpeg = std::move(jpeg);
    ++f.seq;
  }
  slot->cv.notify_all();
}

void FrameHub::Clear(const std::string& camera, FrameVariant variant) {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return;
  std::lock_guard<std::mutex> lock(slot->mu);
  slot->variants[Index(variant)].frame.jpeg.reset();
}

bool FrameHub::Has(const std::string& camera, FrameVariant variant) const {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return false;
  std::lock_guard<std::mutex> lock(slot->mu);
  return slot->variants[Index(variant)].frame.jpeg != nullptr;
}

std::optional<FrameHub::Frame> FrameHub::Latest(const std::string& camera,
                                                FrameVariant variant) const {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return std::nullopt;
  std::lock_guard<std::mutex> lock(slot->mu);
  const Frame& f = slot->variants[Index(variant)].frame;
  if (!f.jpeg) return std::nullopt;
  return f;
}

std::optional<FrameHub::Frame> FrameHub::WaitNewer(const std::string& camera, uint64_t after_seq,
                                                   std::chrono::milliseconds timeout,
                                                   FrameVariant variant) {
  // Creating the slot lets a viewer wait for a camera that has not sent a frame
  // yet; callers only wait for cameras they know exist.
  auto slot = FindSlot(camera, /*create=*/true);
  std::unique_lock<std::mutex> lock(slot->mu);
  Variant& v = slot->variants[Index(variant)];
  v.last_asked_s = clock_.Seconds();
  ++v.waiters;
  const bool got = slot->cv.wait_for(
      lock, timeout, [&] { return v.frame.jpeg != nullptr && v.frame.seq > after_seq; });
  --v.waiters;
  v.last_asked_s = clock_.Seconds();  // a long wait counts until its end
  if (!got) return std::nullopt;
  return v.frame;
}

bool FrameHub::Wanted(const std::string& camera, FrameVariant variant, double within_s) const {
  auto slot = FindSlot(camera, /*create=*/false);
  if (!slot) return false;
  std::lock_guard<std::mutex> lock(slot->mu);
  const Variant& v = slot->variants[Index(variant)];
  return v.waiters > 0 || (v.last_asked_s && clock_.Seconds() - *v.last_asked_s <= within_s);
}

std::vector<std::string> FrameHub::cameras() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, slot] : slots_) out.push_back(name);
  return out;
}

}  // namespace argus::api
