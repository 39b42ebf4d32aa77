// Whether a view's structure is still where it was, cell by cell: the share of
// the textured cells of a reference gradient field that still correlate with
// the current field, each allowed a small shift (a swaying mast, encoder
// jitter, a handheld recording). A camera that was turned or moved loses
// nearly every cell at once; people close to the lens, a crowd, an opening
// door or a box carried past cover part of the view and leave the rest in
// place, although the whole-frame correlation drops as low (measured on the
// real clips of ../shared/data: bench/events_eval.py).
#pragma once

namespace argus::core {

inline constexpr int kStructureCells = 4;  // cells per side of the grid
// Tolerated shift, as a share of the field's width (at least one pixel): 2 px
// of the 160 px wide field of a 320 px analysis frame.
inline constexpr double kStructureShift = 0.0125;
inline constexpr double kStructureCellMatch = 0.5;  // correlation of a cell still in place
// The cells are judged only when the whole-frame correlation is below this:
// above it the view is in place anyway, and most frames cost nothing
// (bench/camera_motion_bench: 0.12 ms a frame on vtest, 9% of the motion
// analysis, when always judged).
inline constexpr double kCellsJudgedBelowMatch = 0.8;
// A reference (a whole frame or a cell) with less mean squared gradient per
// pixel has no structure to compare (a blank wall, the sky, a covered lens at
// start-up) and is not judged.
inline constexpr double kMinGradientEnergy = 4.0;

// `grad` and `reference`: width x height interleaved (gx, gy) floats. Returns
// the share (0..1) of the reference's textured cells whose best correlation
// over shifts up to kStructureShift is at least kStructureCellMatch; 1 when
// no cell is textured or the field is too small to judge.
double MatchedCellShare(const float* grad, const float* reference, int width, int height);

}  // namespace argus::core
