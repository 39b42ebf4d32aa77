// Tracks from MOTChallenge text (ground truth or `argus analyze --tracks`
// output) as learner input, for `argus learn tracks` and the bench.
// Pure functions: callable from any thread.
#pragma once

#include <map>
#include <vector>

#include "learn/learner.h"
#include "learn/model.h"
#include "track/mot_io.h"

namespace argus::learn {

// Samples per track id in time order (frame / fps seconds). Rows with conf 0
// (ground truth's "ignore") are dropped.
std::map<int, std::vector<TrackSample>> TracksFromMot(const std::vector<track::MotRow>& rows,
                                                      double fps);

// Learns every track into `model` in `slot`, watched for the tracks' time span.
void LearnTracks(const std::map<int, std::vector<TrackSample>>& tracks, int width, int height,
                 TimeSlot slot, ActivityModel* model);

}  // namespace argus::learn
