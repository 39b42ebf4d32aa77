#include "learn/model.h"

#include <gtest/gtest.h>

namespace argus::learn {
namespace {

using std::chrono::hours;

TEST(ModelBins, LogBinsCoverTheirRanges) {
  EXPECT_EQ(SpeedBin(0), 0);
  EXPECT_EQ(SpeedBin(kSpeedBase * 0.99), 0);
  EXPECT_EQ(SpeedBin(kSpeedBase), 1);
  EXPECT_EQ(SpeedBin(kSpeedBase * 2.5), 2);
  EXPECT_EQ(SpeedBin(1e9), kSpeedBins - 1);
  EXPECT_EQ(DwellBin(kDwellBase * 4), 3);
  EXPECT_DOUBLE_EQ(DwellBinLow(3), kDwellBase * 4);
  EXPECT_EQ(DwellBin(DwellBinLow(5)), 5);
}

TEST(TimeSlot, IndexRoundTripsAndDescribes) {
  const TimeSlot s{14, false};
  EXPECT_EQ(TimeSlot::FromIndex(s.Index()).hour, 14);
  EXPECT_FALSE(TimeSlot::FromIndex(s.Index()).weekend);
  EXPECT_TRUE(TimeSlot::FromIndex(TimeSlot{3, true}.Index()).weekend);
  EXPECT_EQ(s.Describe(), "weekdays 14-15h");
  EXPECT_EQ((TimeSlot{23, true}.Describe()), "weekends 23-24h");
}

TEST(ActivityModel, CountsEachCellOncePerTrackInSlotAndAggregate) {
  ActivityModel m({4, 3});
  EXPECT_EQ(m.CellAt(0.99, 0.99), 11);
  EXPECT_EQ(m.CellAt(-1, 2), 8);  // clamped
  const TimeSlot slot{10, false};
  // Goes through cell 5, leaves, comes back: one track, three visits.
  m.AddTrack({{5, 0, 1, 0, 0.5}, {6, 1, 2, 0, 0.5}, {5, 2, 10, -1, 0.01}}, slot);
  EXPECT_DOUBLE_EQ(m.Cell(5, slot.Index()).tracks, 1);
  EXPECT_DOUBLE_EQ(m.Cell(5, kAllSlots).tracks, 1);
  EXPECT_DOUBLE_EQ(m.Cell(5, slot.Index()).Moving(), 1) << "the standing visit has no direction";
  EXPECT_DOUBLE_EQ(m.Cell(5, slot.Index()).DwellSamples(), 2);
  EXPECT_DOUBLE_EQ(m.Cell(5, slot.Index()).dwell[DwellBin(8)], 1);
  EXPECT_DOUBLE_EQ(m.Cell(6, TimeSlot{11, false}.Index()).tracks, 0);
  EXPECT_DOUBLE_EQ(m.total_tracks(), 1);
  EXPECT_DOUBLE_EQ(m.Slot(slot.Index()).tracks, 1);
}

TEST(ActivityModel, ForgetsWithTheHalfLife) {
  ActivityModel m({2, 2}, /*half_life_days=*/2);
  const core::WallTime t0 = core::WallTime{} + hours(1000);
  m.DecayTo(t0);  // sets the origin only
  for (int i = 0; i < 8; ++i) m.AddTrack({{0, 0, 1, 0, 1}}, {});
  m.AddWatched({}, 100);
  m.DecayTo(t0 + std::chrono::minutes(30));  // under one step: nothing yet
  EXPECT_DOUBLE_EQ(m.Cell(0, kAllSlots).tracks, 8);
  m.DecayTo(t0 + hours(48));
  EXPECT_NEAR(m.Cell(0, kAllSlots).tracks, 4, 1e-9);
  EXPECT_NEAR(m.Cell(0, kAllSlots).direction[0], 4, 1e-9);
  EXPECT_NEAR(m.total_watched_s(), 50, 1e-9);
  m.DecayTo(t0 + hours(96));
  EXPECT_NEAR(m.total_tracks(), 2, 1e-9);
  m.DecayTo(t0);  // a clock that went back changes nothing
  EXPECT_NEAR(m.total_tracks(), 2, 1e-9);
}

TEST(ActivityModel, SerializeRoundTripsCompactly) {
  ActivityModel m({8, 6}, 7);
  m.DecayTo(core::WallTime{} + hours(5));
  for (int i = 0; i < 30; ++i) {
    m.AddTrack({{9, 0, 1.5, 2, 0.6}, {10, 1.5, 3, 2, 0.7}}, {15, i % 2 == 0});
  }
  m.AddWatched({15, false}, 3600);
  const std::string text = m.Serialize();
  auto back = ActivityModel::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->grid().cols, 8);
  EXPECT_EQ(back->grid().rows, 6);
  EXPECT_DOUBLE_EQ(back->half_life_days(), 7);
  EXPECT_EQ(back->Serialize(), text);
  EXPECT_DOUBLE_EQ(back->Cell(10, TimeSlot{15, true}.Index()).direction[2], 15);
  EXPECT_DOUBLE_EQ(back->Slot(TimeSlot{15, false}.Index()).watched_s, 3600);
  // Only cells with data are written: 2 cells x (2 slots + aggregate).
  int cell_lines = 0;
  for (size_t p = text.find("\nc "); p != std::string::npos; p = text.find("\nc ", p + 1)) {
    ++cell_lines;
  }
  EXPECT_EQ(cell_lines, 6);
  // The decay origin survives: seven days after it the counts have halved.
  back->DecayTo(core::WallTime{} + hours(5) + hours(7 * 24));
  EXPECT_NEAR(back->total_tracks(), 15, 1e-6);
}

TEST(ActivityModel, ParseRejectsMalformedTextNamingTheLine) {
  EXPECT_FALSE(ActivityModel::Parse("").ok());
  const std::string ok = ActivityModel({2, 2}).Serialize();
  EXPECT_TRUE(ActivityModel::Parse(ok).ok());
  auto bad_grid =
      ActivityModel::Parse("argus-learn-model 1\ngrid 0 2\nhalf_life_days 14\ndecayed_ms -1\n");
  ASSERT_FALSE(bad_grid.ok());
  EXPECT_NE(bad_grid.status().message().find("line 2: grid out of range"), std::string::npos)
      << bad_grid.status().message();
  auto bad_cell = ActivityModel::Parse(ok + "c 99 0 1\n");
  ASSERT_FALSE(bad_cell.ok());
  EXPECT_NE(bad_cell.status().message().find("line 5: malformed cell index"), std::string::npos)
      << bad_cell.status().message();
  EXPECT_FALSE(ActivityModel::Parse(ok + "c 0 0 1 2\n").ok()) << "short cell record";
  EXPECT_FALSE(ActivityModel::Parse(ok + "s 0 -1 0\n").ok()) << "negative count";
  EXPECT_FALSE(ActivityModel::Parse(ok + "x\n").ok());
}

}  // namespace
}  // namespace argus::learn
