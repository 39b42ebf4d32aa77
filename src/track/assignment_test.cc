#include "track/assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace argus::track {
namespace {

CostMatrix Random(std::mt19937& rng, int rows, int cols, double forbidden_fraction = 0) {
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  CostMatrix m{rows, cols, std::vector<double>(static_cast<size_t>(rows) * cols)};
  for (double& x : m.v) {
    x = value(rng);
    if (coin(rng) < forbidden_fraction) x = std::numeric_limits<double>::quiet_NaN();
  }
  return m;
}

// Brute force: every injective map of the smaller side into the larger one.
double BruteMinCost(const CostMatrix& c) {
  const bool wide = c.rows <= c.cols;
  const int small = wide ? c.rows : c.cols;
  const int large = wide ? c.cols : c.rows;
  std::vector<int> perm(large);
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double sum = 0;
    for (int i = 0; i < small; ++i) sum += wide ? c(i, perm[i]) : c(perm[i], i);
    best = std::min(best, sum);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

// Brute force over all partial matchings using only eligible (w > 0) pairs.
double BruteMaxWeight(const CostMatrix& w, int row, std::vector<char>& used) {
  if (row == w.rows) return 0;
  double best = BruteMaxWeight(w, row + 1, used);  // leave this row unmatched
  for (int c = 0; c < w.cols; ++c) {
    if (used[c] || !(w(row, c) > 0)) continue;
    used[c] = 1;
    best = std::max(best, w(row, c) + BruteMaxWeight(w, row + 1, used));
    used[c] = 0;
  }
  return best;
}

TEST(Assignment, MinCostMatchesBruteForceOnRandomRectangularMatrices) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int rows = 1 + trial % 6;
    const int cols = 1 + (trial / 6) % 6;
    const CostMatrix c = Random(rng, rows, cols);
    const std::vector<int> a = SolveMinCostAssignment(c);
    ASSERT_EQ(static_cast<int>(a.size()), rows);
    double sum = 0;
    int assigned = 0;
    std::vector<char> col_used(cols, 0);
    for (int r = 0; r < rows; ++r) {
      if (a[r] < 0) continue;
      ASSERT_LT(a[r], cols);
      ASSERT_FALSE(col_used[a[r]]) << "column used twice";
      col_used[a[r]] = 1;
      sum += c(r, a[r]);
      ++assigned;
    }
    EXPECT_EQ(assigned, std::min(rows, cols));
    EXPECT_NEAR(sum, BruteMinCost(c), 1e-9) << rows << "x" << cols;
  }
}

TEST(Assignment, MaxWeightMatchesBruteForceWithForbiddenEntries) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const int rows = 1 + trial % 6;
    const int cols = 1 + (trial / 6) % 6;
    // Negative entries are ineligible too, so about 60 % of pairs are forbidden.
    const CostMatrix w = Random(rng, rows, cols, 0.2);
    const std::vector<Match> m = MaxWeightMatching(w);
    double sum = 0;
    std::vector<char> row_used(rows, 0), col_used(cols, 0);
    for (const auto& [r, c] : m) {
      ASSERT_FALSE(row_used[r] || col_used[c]);
      row_used[r] = col_used[c] = 1;
      ASSERT_GT(w(r, c), 0) << "matched a forbidden pair";
      sum += w(r, c);
    }
    std::vector<char> used(cols, 0);
    EXPECT_NEAR(sum, BruteMaxWeight(w, 0, used), 1e-9) << rows << "x" << cols;
  }
}

TEST(Assignment, SparseEqualsDenseOnRandomGraphs) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> value(0.01, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = 1 + trial % 7;
    const int cols = 1 + (trial / 7) % 7;
    CostMatrix dense{rows, cols, std::vector<double>(static_cast<size_t>(rows) * cols, 0)};
    std::vector<Edge> edges;
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        if (value(rng) < 0.3) {
          dense(r, c) = value(rng);
          edges.push_back({r, c, dense(r, c)});
        }
      }
    }
    std::shuffle(edges.begin(), edges.end(), rng);
    double sparse_sum = 0;
    for (const auto& [r, c] : SparseMaxWeightMatching(rows, cols, edges)) sparse_sum += dense(r, c);
    std::vector<char> used(cols, 0);
    EXPECT_NEAR(sparse_sum, BruteMaxWeight(dense, 0, used), 1e-9);
  }
}

TEST(Assignment, PrefersTwoGoodPairsOverOneBest) {
  // Greedy would take (0,0)=0.9 and leave row 1 unmatched (total 0.9);
  // the optimum is (0,1)+(1,0) = 0.8 + 0.7.
  CostMatrix w{2, 2, {0.9, 0.8, 0.7, 0.0}};
  EXPECT_EQ(MaxWeightMatching(w), (std::vector<Match>{{0, 1}, {1, 0}}));
  EXPECT_EQ(SparseMaxWeightMatching(2, 2, {{0, 0, 0.9}, {0, 1, 0.8}, {1, 0, 0.7}}),
            (std::vector<Match>{{0, 1}, {1, 0}}));
}

TEST(Assignment, EmptyInputs) {
  EXPECT_TRUE(SolveMinCostAssignment({0, 3, {}}).empty());
  EXPECT_EQ(SolveMinCostAssignment({2, 0, {}}), (std::vector<int>{-1, -1}));
  EXPECT_TRUE(MaxWeightMatching({0, 0, {}}).empty());
  EXPECT_TRUE(SparseMaxWeightMatching(3, 3, {}).empty());
  // Only ineligible edges.
  EXPECT_TRUE(SparseMaxWeightMatching(2, 2, {{0, 0, 0.0}, {1, 1, -1.0}}).empty());
}

}  // namespace
}  // namespace argus::track
