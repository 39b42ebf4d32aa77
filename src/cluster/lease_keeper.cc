#include "cluster/lease_keeper.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace argus::cluster {
namespace {

core::WallTime Plus(core::WallTime t, double s) {
  return t + std::chrono::duration_cast<core::WallTime::duration>(std::chrono::duration<double>(s));
}

}  // namespace

LeaseKeeper::LeaseKeeper(store::Store& db, core::Clock& clock, NodeOptions options,
                         std::vector<CameraWant> cameras, OnChange on_change)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      on_change_(std::move(on_change)),
      started_at_(clock.Now()),
      fence_(std::make_shared<store::FenceTokens>(options_.id)),
      cameras_(std::move(cameras)) {
  for (const CameraWant& c : cameras_) fence_->Manage(c.name);
}

LeaseKeeper::~LeaseKeeper() { Stop(false); }

void LeaseKeeper::SetCameras(std::vector<CameraWant> cameras) {
  std::lock_guard lock(mu_);
  for (const CameraWant& c : cameras) fence_->Manage(c.name);
  cameras_ = std::move(cameras);
}

void LeaseKeeper::SetConfig(std::string hash, std::string version, bool may_hold) {
  std::lock_guard lock(mu_);
  config_hash_ = std::move(hash);
  config_version_ = std::move(version);
  may_hold_ = may_hold;
}

std::set<std::string> LeaseKeeper::Owned() const {
  std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [camera, h] : held_) out.insert(camera);
  return out;
}

void LeaseKeeper::Lose(std::map<std::string, Held>& held, const std::string& camera,
                       const char* why) {
  fence_->Set(camera, 0);
  held.erase(camera);
  spdlog::warn("node {}: camera {} lost ({})", options_.id, camera, why);
}

core::Status LeaseKeeper::Round() {
  std::lock_guard round(round_mu_);  // held_ changes only here and in Stop
  core::Status first;
  auto note = [&first](const core::Status& st) {
    if (!st.ok() && first.ok() && !store::IsFencedOut(st)) first = st;
  };
  const core::WallTime now = clock_.Now();
  const core::WallTime until = Plus(now, options_.lease_s);
  std::vector<CameraWant> cameras;
  std::map<std::string, Held> held;
  std::map<std::string, Held> awaiting_release;  // handed over, camera still stopping
  std::string hash, version;
  bool may_hold = true;
  {
    std::lock_guard lock(mu_);
    cameras = cameras_;
    held = held_;
    awaiting_release = pending_.released;
    hash = config_hash_;
    version = config_version_;
    may_hold = may_hold_;
  }
  note(db_.UpsertNode({options_.id, options_.address, options_.version, started_at_, now,
                       static_cast<double>(held.size()), hash, version}));
  core::Result<std::vector<store::NodeRecord>> nodes = db_.ListNodes();
  core::Result<std::vector<store::LeaseRecord>> leases = db_.ListLeases();
  std::map<std::string, Held> released;  // handed over this round
  std::set<std::string> taken;
  if (nodes.ok() && leases.ok()) {
    // A node running another config takes no camera: assign none to it.
    std::erase_if(*nodes, [&](const store::NodeRecord& n) { return n.config_hash != hash; });
    LeasePlan plan = PlanLeases(
        {options_.id, now, options_.lease_s, std::move(*nodes), std::move(*leases), cameras});
    if (!may_hold) {
      plan.release.insert(plan.release.end(), plan.renew.begin(), plan.renew.end());
      plan.renew.clear();
      plan.acquire.clear();
    }
    std::set<std::string> configured;
    for (const CameraWant& c : cameras) configured.insert(c.name);
    for (const auto& [camera, h] : held) {
      if (!configured.contains(camera)) plan.release.push_back(camera);  // gone from the config
    }
    for (const std::string& camera : plan.release) {
      // Fenced and released once on_change stopped the camera (ApplyPending).
      if (auto it = held.find(camera); it != held.end()) {
        released[camera] = it->second;
        held.erase(it);
        spdlog::info("node {}: handing camera {} over", options_.id, camera);
      }
    }
    // Held here, but the store names another holder: lost (while this node was paused).
    std::set<std::string> planned(plan.renew.begin(), plan.renew.end());
    std::vector<std::string> taken_over;
    for (const auto& [camera, h] : held) {
      if (!planned.contains(camera)) taken_over.push_back(camera);
    }
    for (const std::string& camera : taken_over) Lose(held, camera, "taken over");
    for (const std::string& camera : plan.renew) {
      auto it = held.find(camera);
      if (it == held.end()) {
        // Ours in the store, not in this process: a restart (or a hand-over whose camera
        // is still stopping, released once it stopped).
        if (!awaiting_release.contains(camera)) plan.acquire.push_back(camera);
        continue;
      }
      auto r = db_.AcquireLease(camera, options_.id, it->second.epoch, now, until);
      if (r.ok()) {
        it->second = {r->epoch, until};
        fence_->Set(camera, r->epoch);
      } else if (store::IsFencedOut(r.status())) {
        Lose(held, camera, "taken over");
      } else {
        note(r.status());
      }
    }
    for (const std::string& camera : plan.acquire) {
      auto r = db_.AcquireLease(camera, options_.id, 0, now, until);
      if (!r.ok()) {
        note(r.status());
        continue;
      }
      held[camera] = {r->epoch, until};
      fence_->Set(camera, r->epoch);
      taken.insert(camera);
      spdlog::info("node {}: camera {} taken (epoch {})", options_.id, camera, r->epoch);
    }
  } else {
    note(nodes.status());
    note(leases.status());
  }
  // Leases this round could not renew run out by our own clock, and so do those handed
  // over whose camera is still stopping.
  const core::WallTime after = clock_.Now();
  for (auto it = held.begin(); it != held.end();) {
    const std::string camera = (it++)->first;
    if (held.at(camera).expires_at <= after) Lose(held, camera, "not renewed in time");
  }
  for (const auto& [camera, h] : awaiting_release) {
    if (h.expires_at <= after) fence_->Set(camera, 0);
  }
  {
    std::lock_guard lock(mu_);
    held_ = std::move(held);
    pending_.owned.clear();
    for (const auto& [camera, h] : held_) pending_.owned.insert(camera);
    pending_.taken.insert(taken.begin(), taken.end());
    pending_.released.insert(released.begin(), released.end());
    pending_.due = true;
  }
  apply_cv_.notify_all();
  return first;
}

core::Status LeaseKeeper::RunOnce() {
  core::Status st = Round();
  ApplyPending();
  return st;
}

void LeaseKeeper::ApplyPending() {
  std::lock_guard apply(apply_mu_);
  Pending p;
  {
    std::lock_guard lock(mu_);
    if (!pending_.due) return;
    p = pending_;
    pending_.owned.clear();
    pending_.taken.clear();
    pending_.due = false;  // `released` stays until done: the rounds must not retake them
  }
  std::erase_if(p.taken, [&](const std::string& c) { return !p.owned.contains(c); });
  if (p.owned != reported_ || !p.taken.empty()) {
    reported_ = p.owned;
    on_change_(p.owned, p.taken);
  }
  // Only now that on_change stopped them may another node start them.
  for (const auto& [camera, h] : p.released) {
    fence_->Set(camera, 0);
    if (core::Status st = db_.ReleaseLease(camera, options_.id, h.epoch); !st.ok()) {
      spdlog::warn("node {}: cannot release camera {}: {}", options_.id, camera, st.message());
    }
  }
  std::lock_guard lock(mu_);
  for (const auto& [camera, h] : p.released) {
    if (auto it = pending_.released.find(camera);
        it != pending_.released.end() && it->second.epoch == h.epoch) {
      pending_.released.erase(it);
    }
  }
}

void LeaseKeeper::Start() {
  if (core::Status st = RunOnce(); !st.ok()) {
    spdlog::warn("node {}: leases: {}", options_.id, st.message());
  }
  thread_ = std::thread([this] { Loop(); });
  apply_thread_ = std::thread([this] { ApplyLoop(); });
}

void LeaseKeeper::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void LeaseKeeper::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Wall time to wait; a paused process wakes late, and the round then finds its
    // leases lapsed by its own clock before it writes anything more.
    cv_.wait_for(lock, std::chrono::duration<double>(options_.renew_s),
                 [this] { return stop_ || wake_; });
    if (stop_) break;
    wake_ = false;
    lock.unlock();
    if (core::Status st = Round(); !st.ok()) {
      spdlog::warn("node {}: leases: {}", options_.id, st.message());
    }
    lock.lock();
  }
}

void LeaseKeeper::ApplyLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    apply_cv_.wait(lock, [this] { return stop_ || pending_.due; });
    if (stop_) break;
    lock.unlock();
    ApplyPending();
    lock.lock();
  }
}

void LeaseKeeper::Stop(bool release) {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  apply_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (apply_thread_.joinable()) apply_thread_.join();
  if (!release) return;
  std::lock_guard round(round_mu_);
  std::map<std::string, int64_t> epochs;
  {
    std::lock_guard lock(mu_);
    for (const auto& [camera, h] : held_) epochs[camera] = h.epoch;
    for (const auto& [camera, h] : pending_.released) epochs[camera] = h.epoch;
    held_.clear();
    pending_ = {};
  }
  for (const auto& [camera, epoch] : epochs) {
    fence_->Set(camera, 0);
    if (core::Status st = db_.ReleaseLease(camera, options_.id, epoch); !st.ok()) {
      spdlog::warn("node {}: cannot release camera {}: {}", options_.id, camera, st.message());
    }
  }
  (void)db_.DeleteNode(options_.id);
}

}  // namespace argus::cluster
