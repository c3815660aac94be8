#include "earshot/classify/model_evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "earshot/core/error.h"

namespace earshot::classify {

double RocAuc(std::span<const float> scores, std::span<const int> labels) {
  EARSHOT_CHECK(scores.size() == labels.size());
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positives = 0, negatives = 0, rank_sum = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    // Tied scores share the mean of their 1-based ranks i+1..j: a tie counts half.
    const double mean_rank = 0.5 * static_cast<double>(i + j + 1);
    for (std::size_t k = i; k < j; ++k) {
      EARSHOT_CHECK(labels[order[k]] == 0 || labels[order[k]] == 1);
      if (labels[order[k]] == 1) {
        positives += 1;
        rank_sum += mean_rank;
      } else {
        negatives += 1;
      }
    }
    i = j;
  }
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

std::vector<CalibrationRow> CalibrationTable(std::span<const float> p,
                                             std::span<const int> outcomes, int bins) {
  EARSHOT_CHECK(bins >= 1);
  EARSHOT_CHECK(p.size() == outcomes.size());
  const auto bin_count = static_cast<std::size_t>(bins);
  std::vector<std::size_t> count(bin_count, 0), ones(bin_count, 0);
  std::vector<double> sum_p(bin_count, 0.0);
  for (std::size_t r = 0; r < p.size(); ++r) {
    EARSHOT_CHECK(outcomes[r] == 0 || outcomes[r] == 1);
    // Float arithmetic on purpose: a p on a bin edge lands where the report always put it.
    const auto bin = static_cast<std::size_t>(
        std::clamp(static_cast<int>(p[r] * static_cast<float>(bins)), 0, bins - 1));
    ++count[bin];
    sum_p[bin] += p[r];
    if (outcomes[r] == 1) ++ones[bin];
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<CalibrationRow> table;
  table.reserve(bin_count);
  for (std::size_t b = 0; b < bin_count; ++b) {
    CalibrationRow row{.lower = static_cast<double>(b) / bins,
                       .upper = static_cast<double>(b + 1) / bins,
                       .count = count[b],
                       .mean_p = nan,
                       .observed_rate = nan,
                       .difference_points = nan};
    if (count[b] > 0) {
      row.mean_p = sum_p[b] / static_cast<double>(count[b]);
      row.observed_rate = static_cast<double>(ones[b]) / static_cast<double>(count[b]);
      row.difference_points = 100.0 * (row.mean_p - row.observed_rate);
    }
    table.push_back(row);
  }
  return table;
}

double MaxCalibrationGapPoints(const std::vector<CalibrationRow>& table, std::size_t min_count) {
  double worst = 0.0;
  for (const CalibrationRow& row : table) {
    if (row.count > 0 && row.count >= min_count) {
      worst = std::max(worst, std::abs(row.difference_points));
    }
  }
  return worst;
}

std::vector<std::vector<std::size_t>> ConfusionMatrix(std::span<const int> truth,
                                                      std::span<const int> predicted,
                                                      int class_count) {
  EARSHOT_CHECK(class_count >= 1);
  EARSHOT_CHECK(truth.size() == predicted.size());
  const auto classes = static_cast<std::size_t>(class_count);
  std::vector<std::vector<std::size_t>> counts(classes, std::vector<std::size_t>(classes, 0));
  for (std::size_t r = 0; r < truth.size(); ++r) {
    EARSHOT_CHECK(truth[r] >= 0 && truth[r] < class_count);
    EARSHOT_CHECK(predicted[r] >= 0 && predicted[r] < class_count);
    ++counts[static_cast<std::size_t>(truth[r])][static_cast<std::size_t>(predicted[r])];
  }
  return counts;
}

}  // namespace earshot::classify
