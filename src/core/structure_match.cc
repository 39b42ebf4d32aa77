#include "core/structure_match.h"

#include <algorithm>
#include <cmath>

namespace argus::core {
namespace {

struct Cell {
  int x0, y0, x1, y1;
};

// Correlation of the reference cell with the field shifted by (dx, dy); `rr`
// is the reference cell's energy.
double ShiftedCorrelation(const float* grad, const float* ref, int width, const Cell& c, int dx,
                          int dy, double rr) {
  double ab = 0, gg = 0;
  for (int y = c.y0; y < c.y1; ++y) {
    const float* r = ref + (static_cast<long>(y) * width + c.x0) * 2;
    const float* g = grad + (static_cast<long>(y + dy) * width + c.x0 + dx) * 2;
    float row_ab = 0, row_gg = 0;
    for (int i = 0; i < (c.x1 - c.x0) * 2; ++i) {
      row_ab += g[i] * r[i];
      row_gg += g[i] * g[i];
    }
    ab += row_ab;
    gg += row_gg;
  }
  if (gg <= 0 || rr <= 0 || ab <= 0) return 0;
  return ab / std::sqrt(gg * rr);
}

double Energy(const float* ref, int width, const Cell& c) {
  double e = 0;
  for (int y = c.y0; y < c.y1; ++y) {
    const float* r = ref + (static_cast<long>(y) * width + c.x0) * 2;
    for (int i = 0; i < (c.x1 - c.x0) * 2; ++i) e += static_cast<double>(r[i]) * r[i];
  }
  return e;
}

bool CellInPlace(const float* grad, const float* ref, int width, const Cell& c, double rr,
                 int shift) {
  // The unshifted view first: a still camera answers on the first try.
  if (ShiftedCorrelation(grad, ref, width, c, 0, 0, rr) >= kStructureCellMatch) return true;
  for (int dy = -shift; dy <= shift; ++dy) {
    for (int dx = -shift; dx <= shift; ++dx) {
      if ((dx != 0 || dy != 0) &&
          ShiftedCorrelation(grad, ref, width, c, dx, dy, rr) >= kStructureCellMatch) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

double MatchedCellShare(const float* grad, const float* reference, int width, int height) {
  // Cells tile the interior, so every shifted window stays inside the field.
  const int m = std::max(1, static_cast<int>(std::lround(width * kStructureShift)));
  const int iw = width - 2 * m, ih = height - 2 * m;
  if (iw < kStructureCells * 2 || ih < kStructureCells * 2) return 1;
  int textured = 0, in_place = 0;
  for (int cy = 0; cy < kStructureCells; ++cy) {
    for (int cx = 0; cx < kStructureCells; ++cx) {
      const Cell c{m + cx * iw / kStructureCells, m + cy * ih / kStructureCells,
                   m + (cx + 1) * iw / kStructureCells, m + (cy + 1) * ih / kStructureCells};
      const double rr = Energy(reference, width, c);
      const double pixels = static_cast<double>(c.x1 - c.x0) * (c.y1 - c.y0);
      if (rr / pixels < kMinGradientEnergy) continue;
      ++textured;
      if (CellInPlace(grad, reference, width, c, rr, m)) ++in_place;
    }
  }
  return textured == 0 ? 1.0 : static_cast<double>(in_place) / textured;
}

}  // namespace argus::core
