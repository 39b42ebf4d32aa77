// Pictures of what a camera learned, as SVG (text; no image library): three
// panels over the camera's grid -- occupancy (tracks per cell, log scale), flow
// (the mean direction of the cell, arrow length = how much people agree) and
// speed (median, box heights per second) -- with cells it knows too little
// about hatched out. Pure: callable from any thread.
#pragma once

#include <string>

#include "learn/model.h"

namespace argus::learn {

struct PictureOptions {
  int width = 640;  // pixels of one panel (the camera's aspect is kept by `height`)
  int height = 480;
  int slot = kAllSlots;  // a TimeSlot index, or every slot together
  double min_cell_tracks = config::kDefaultLearnMinCellTracks;
  std::string title;  // e.g. the camera name
};

std::string RenderSvg(const ActivityModel& model, const PictureOptions& options);

// Median speed of a cell (box heights per second; 0 when it has no samples).
double MedianSpeed(const CellStats& c);

}  // namespace argus::learn
