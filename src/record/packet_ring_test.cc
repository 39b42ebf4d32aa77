#include "record/packet_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace argus::record {
namespace {

constexpr double kFps = 10;

// A packet of `size` bytes whose first byte tags it with `id`.
PacketPtr MakePacket(int id, int size, bool key) {
  PacketPtr p(av_packet_alloc());
  EXPECT_EQ(av_new_packet(p.get(), size), 0);
  p->data[0] = static_cast<uint8_t>(id);
  p->flags = key ? AV_PKT_FLAG_KEY : 0;
  p->pts = p->dts = id;
  return p;
}

TEST(PacketRing, DropsPacketsBeforeTheFirstKeyFrame) {
  PacketRing ring(5);
  ring.Push(*MakePacket(0, 10, false), 0.0);
  ring.Push(*MakePacket(1, 10, false), 0.1);
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_FALSE(ring.oldest_t());
  ring.Push(*MakePacket(2, 10, true), 0.2);
  ring.Push(*MakePacket(3, 10, false), 0.3);
  EXPECT_EQ(ring.size(), 2u);
  EXPECT_DOUBLE_EQ(*ring.oldest_t(), 0.2);
  EXPECT_EQ(ring.bytes(), 20u);
}

// Whatever the GOP length, the ring starts at a key frame, covers the pre-roll once the
// stream is long enough, and holds less than pre-roll plus one GOP.
TEST(PacketRing, KeepsPreRollFromAKeyFrameAndAtMostOneExtraGop) {
  for (int gop : {1, 7, 20, 60}) {
    SCOPED_TRACE("gop " + std::to_string(gop));
    constexpr double kPreRoll = 5;
    PacketRing ring(kPreRoll);
    for (int i = 0; i < 400; ++i) {
      const double t = i / kFps;
      ring.Push(*MakePacket(i % 256, 100, i % gop == 0), t);
      auto snap = ring.Snapshot(-1e9);
      ASSERT_FALSE(snap.empty());
      EXPECT_TRUE(snap.front().key);
      EXPECT_DOUBLE_EQ(snap.front().t, *ring.oldest_t());
      EXPECT_DOUBLE_EQ(snap.back().t, t);
      EXPECT_EQ(snap.size(), ring.size());
      const double span = t - *ring.oldest_t();
      if (t >= kPreRoll) {
        EXPECT_GE(span, kPreRoll - 1e-6);
      }
      EXPECT_LT(span, kPreRoll + gop / kFps) << "at t=" << t;
    }
  }
}

TEST(PacketRing, SnapshotStartsAtTheLastKeyFrameBeforeTheRequestedTime) {
  PacketRing ring(100);  // keeps everything here
  for (int i = 0; i < 100; ++i) ring.Push(*MakePacket(i, 10, i % 20 == 0), i / kFps);
  auto snap = ring.Snapshot(5.5);  // key frames at 0, 2, 4, 6, 8 s
  ASSERT_FALSE(snap.empty());
  EXPECT_TRUE(snap.front().key);
  EXPECT_DOUBLE_EQ(snap.front().t, 4.0);
  EXPECT_EQ(snap.front().packet->data[0], 40);
  EXPECT_DOUBLE_EQ(snap.back().t, 9.9);
  EXPECT_EQ(snap.size(), 60u);
  EXPECT_DOUBLE_EQ(ring.Snapshot(6.0).front().t, 6.0);  // a key frame exactly at from_t
  // Earlier than anything held: from the oldest key frame (less pre-roll available).
  EXPECT_DOUBLE_EQ(ring.Snapshot(-3).front().t, 0.0);
  // The snapshot holds its own references: the ring may drop its packets meanwhile.
  ring.Clear();
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(snap[5].packet->data[0], 45);
  EXPECT_TRUE(ring.Snapshot(5).empty());
}

TEST(PacketRing, ByteLimitDropsWholeGopsAndNeverExceedsTheBudget) {
  constexpr size_t kMax = 25'000;
  PacketRing ring(/*pre_roll_s=*/1000, kMax);  // time never trims: only bytes do
  for (int i = 0; i < 200; ++i) {
    ring.Push(*MakePacket(i % 256, 1000, i % 10 == 0), i / kFps);
    EXPECT_LE(ring.bytes(), kMax);
    auto snap = ring.Snapshot(-1e9);
    ASSERT_FALSE(snap.empty());
    EXPECT_TRUE(snap.front().key);
    size_t sum = 0;
    for (const auto& p : snap) sum += static_cast<size_t>(p.packet->size);
    EXPECT_EQ(sum, ring.bytes());
  }
  // GOPs of 10 kB: only what is over the budget goes, so more than one GOP stays.
  EXPECT_GT(ring.size(), 10u);
}

TEST(PacketRing, AStreamWithoutKeyFramesCannotGrowPastTheBudget) {
  constexpr size_t kMax = 10'000;
  PacketRing ring(1000, kMax);
  ring.Push(*MakePacket(0, 1000, true), 0);
  for (int i = 1; i < 100; ++i) {
    ring.Push(*MakePacket(i, 1000, false), i / kFps);
    EXPECT_LE(ring.bytes(), kMax);
  }
  // The one GOP outgrew the budget: dropped, and nothing until the next key frame.
  EXPECT_EQ(ring.size(), 0u);
  ring.Push(*MakePacket(100, 1000, false), 10.0);
  EXPECT_EQ(ring.size(), 0u);
  ring.Push(*MakePacket(101, 1000, true), 10.1);
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_DOUBLE_EQ(*ring.oldest_t(), 10.1);
}

TEST(PacketRing, ConcurrentSnapshotsWhilePushing) {
  PacketRing ring(2);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      auto snap = ring.Snapshot(1e9);
      if (!snap.empty()) {
        EXPECT_TRUE(snap.front().key);
        for (size_t i = 1; i < snap.size(); ++i) EXPECT_GT(snap[i].t, snap[i - 1].t);
      }
    }
  });
  for (int i = 0; i < 3000; ++i) ring.Push(*MakePacket(i % 256, 64, i % 15 == 0), i / kFps);
  done = true;
  reader.join();
  EXPECT_LT(*ring.newest_t() - *ring.oldest_t(), 2 + 15 / kFps);
}

}  // namespace
}  // namespace argus::record
