#include "track/assignment.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace argus::track {
namespace {

// Shortest augmenting path with potentials for rows <= cols (1-based internals).
// Returns the column of each row.
std::vector<int> SolveWide(const CostMatrix& a) {
  const int n = a.rows;
  const int m = a.cols;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> row_to_col(n, -1);
  for (int j = 1; j <= m; ++j) {
    if (p[j] != 0) row_to_col[p[j] - 1] = j - 1;
  }
  return row_to_col;
}

bool Eligible(double w) { return w > 0; }  // false for NaN too

// Union-find over rows [0, rows) and columns [rows, rows + cols).
struct DisjointSets {
  std::vector<int> parent;
  explicit DisjointSets(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int Find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(int a, int b) { parent[Find(a)] = Find(b); }
};

}  // namespace

std::vector<int> SolveMinCostAssignment(const CostMatrix& cost) {
  assert(static_cast<int>(cost.v.size()) == cost.rows * cost.cols);
  if (cost.rows == 0 || cost.cols == 0) return std::vector<int>(cost.rows, -1);
  if (cost.rows <= cost.cols) return SolveWide(cost);
  CostMatrix t{cost.cols, cost.rows, std::vector<double>(cost.v.size())};
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) t(c, r) = cost(r, c);
  }
  const std::vector<int> col_to_row = SolveWide(t);
  std::vector<int> row_to_col(cost.rows, -1);
  for (int c = 0; c < cost.cols; ++c) row_to_col[col_to_row[c]] = c;
  return row_to_col;
}

std::vector<Match> MaxWeightMatching(const CostMatrix& weight) {
  std::vector<Match> out;
  if (weight.rows == 0 || weight.cols == 0) return out;
  // A max-weight matching with non-negative weights is a max-weight perfect
  // matching of the square completion where missing and forbidden pairs weigh 0.
  const int k = std::max(weight.rows, weight.cols);
  CostMatrix cost{k, k, std::vector<double>(static_cast<size_t>(k) * k, 0.0)};
  for (int r = 0; r < weight.rows; ++r) {
    for (int c = 0; c < weight.cols; ++c) {
      const double w = weight(r, c);
      cost(r, c) = Eligible(w) ? -w : 0.0;
    }
  }
  const std::vector<int> row_to_col = SolveWide(cost);
  for (int r = 0; r < weight.rows; ++r) {
    const int c = row_to_col[r];
    if (c >= 0 && c < weight.cols && Eligible(weight(r, c))) out.emplace_back(r, c);
  }
  return out;
}

std::vector<Match> SparseMaxWeightMatching(int rows, int cols, const std::vector<Edge>& edges) {
  std::vector<Match> out;
  DisjointSets sets(rows + cols);
  std::vector<int> eligible;
  eligible.reserve(edges.size());
  for (int e = 0; e < static_cast<int>(edges.size()); ++e) {
    const Edge& edge = edges[e];
    assert(edge.row >= 0 && edge.row < rows && edge.col >= 0 && edge.col < cols);
    if (!Eligible(edge.weight)) continue;
    eligible.push_back(e);
    sets.Join(edge.row, rows + edge.col);
  }
  // Group edges by component root.
  std::vector<int> root(edges.size(), -1);
  for (int e : eligible) root[e] = sets.Find(edges[e].row);
  std::sort(eligible.begin(), eligible.end(),
            [&](int a, int b) { return root[a] != root[b] ? root[a] < root[b] : a < b; });
  std::vector<int> local_row(rows, -1), local_col(cols, -1), row_ids, col_ids;
  for (size_t begin = 0; begin < eligible.size();) {
    size_t end = begin;
    while (end < eligible.size() && root[eligible[end]] == root[eligible[begin]]) ++end;
    if (end - begin == 1) {  // a lone edge: nothing to choose
      const Edge& e = edges[eligible[begin]];
      out.emplace_back(e.row, e.col);
    } else {
      row_ids.clear();
      col_ids.clear();
      for (size_t i = begin; i < end; ++i) {
        const Edge& e = edges[eligible[i]];
        if (local_row[e.row] < 0) {
          local_row[e.row] = static_cast<int>(row_ids.size());
          row_ids.push_back(e.row);
        }
        if (local_col[e.col] < 0) {
          local_col[e.col] = static_cast<int>(col_ids.size());
          col_ids.push_back(e.col);
        }
      }
      CostMatrix w{static_cast<int>(row_ids.size()), static_cast<int>(col_ids.size()), {}};
      w.v.assign(row_ids.size() * col_ids.size(), 0.0);
      for (size_t i = begin; i < end; ++i) {
        const Edge& e = edges[eligible[i]];
        double& cell = w(local_row[e.row], local_col[e.col]);
        cell = std::max(cell, e.weight);  // duplicate edges: keep the best
      }
      for (const auto& [r, c] : MaxWeightMatching(w)) out.emplace_back(row_ids[r], col_ids[c]);
      for (int r : row_ids) local_row[r] = -1;
      for (int c : col_ids) local_col[c] = -1;
    }
    begin = end;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace argus::track
