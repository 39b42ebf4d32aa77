// Linear assignment for the tracker and the metrics.
// Pure functions, no shared state: callable from any thread.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace argus::track {

// Row-major dense matrix view used by the solvers below.
struct CostMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<double> v;  // rows * cols, row-major
  double operator()(int r, int c) const { return v[static_cast<size_t>(r) * cols + c]; }
  double& operator()(int r, int c) { return v[static_cast<size_t>(r) * cols + c]; }
};

// Minimum-cost rectangular assignment (what scipy's linear_sum_assignment does):
// assigns exactly min(rows, cols) pairs. All entries must be finite.
// Returns, for each row, its column or -1. O(n^2 m) shortest augmenting paths
// with potentials (Jonker-Volgenant / Hungarian family).
std::vector<int> SolveMinCostAssignment(const CostMatrix& cost);

using Match = std::pair<int, int>;  // (row, col)

// Maximum-weight matching: a pair is eligible only when its weight is > 0 (NaN and
// <= 0 mean "forbidden"); among eligible pairs, maximises the summed weight and
// may leave rows and columns unmatched. With weight = limit - cost this is
// lapjv's "extend_cost + cost_limit" mode used by ByteTrack and SORT.
// Matches are returned sorted by row.
std::vector<Match> MaxWeightMatching(const CostMatrix& weight);

// Sparse form of MaxWeightMatching: only the listed edges are eligible (weight > 0).
// Each connected component is solved on its own, so the cost grows with the
// number of edges when components stay small (the usual case for IoU gating).
struct Edge {
  int row = 0;
  int col = 0;
  double weight = 0;
};
std::vector<Match> SparseMaxWeightMatching(int rows, int cols, const std::vector<Edge>& edges);

}  // namespace argus::track
