// Checks on the real MOTChallenge 2015 data in ../shared (skipped when absent).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "track/byte_tracker.h"
#include "track/mot_io.h"
#include "track/mot_metrics.h"
#include "track/sort_tracker.h"

namespace argus::track {
namespace {

namespace fs = std::filesystem;

fs::path SharedDir() {
  if (const char* env = std::getenv("ARGUS_SHARED_DIR")) return env;
  return fs::path(ARGUS_SOURCE_DIR) / ".." / "shared";
}

MotSummary TrackAndEvaluate(Tracker& tracker, const fs::path& seq) {
  const auto info = ReadSeqInfo((seq / "seqinfo.ini").string());
  EXPECT_TRUE(info.ok());
  const auto dets = ReadMotFile((seq / "det" / "det.txt").string());
  const auto gt = ReadMotFile((seq / "gt" / "gt.txt").string());
  EXPECT_TRUE(dets.ok() && gt.ok());
  std::map<int, std::vector<Detection>> by_frame;
  for (const MotRow& r : *dets) by_frame[r.frame].push_back({r.box, static_cast<float>(r.conf)});
  std::vector<MotRow> results;
  for (int f = 1; f <= info->seq_length; ++f) {
    for (const Track& t : tracker.Update(by_frame[f], (f - 1) / info->frame_rate)) {
      results.push_back({f, t.id, t.box, t.score});
    }
  }
  EvalOptions options;
  options.num_frames = info->seq_length;
  const auto data = PrepareSequence(*gt, results, options);
  EXPECT_TRUE(data.ok());
  return Summarize(EvaluateSequence(*data, options));
}

TEST(Mot15Data, ByteTrackBeatsSortOnPets09) {
  const fs::path seq = SharedDir() / "data" / "mot15" / "PETS09-S2L1";
  if (!fs::exists(seq / "det" / "det.txt")) {
    GTEST_SKIP() << "shared MOT15 data not found at " << seq
                 << " (set ARGUS_SHARED_DIR to the directory holding data/mot15)";
  }
  auto byte = MakeByteTracker({});
  auto sort = MakeSortTracker({});
  const MotSummary b = TrackAndEvaluate(*byte, seq);
  const MotSummary s = TrackAndEvaluate(*sort, seq);
  EXPECT_GT(b.idf1, s.idf1 + 0.05) << "ByteTrack IDF1 " << b.idf1 << " vs SORT " << s.idf1;
  EXPECT_GT(b.hota, s.hota) << "ByteTrack HOTA " << b.hota << " vs SORT " << s.hota;
  // Sanity: the detections are decent, so both trackers must find most people.
  EXPECT_GT(b.mota, 0.5);
  EXPECT_GT(s.mota, 0.5);
}

}  // namespace
}  // namespace argus::track
