// Figures that say how good a classifier's probabilities are on held-out rows.
//
// These are the numbers `earshot train` writes into its report, kept here so that the report,
// the tests and any later evaluation (a calibrated model, a dispatch threshold study) compute
// them the same way:
//
//   double auc = RocAuc(p_gunfire, is_gunfire);                 // 0.5 = chance, 1 = perfect
//   std::vector<CalibrationRow> table = CalibrationTable(p_gunfire, is_gunfire, 10);
//   double worst_points = MaxCalibrationGapPoints(table, 20);  // ignore thin bins
//   auto confusion = ConfusionMatrix(truth, most_probable, 4);  // confusion[truth][predicted]
//
// Scores are floats because that is what the model predicts: the bin a score falls in is
// computed in float arithmetic, exactly as the report always did. Outcomes and binary labels
// are 0 or 1. Mismatched sizes or labels out of range are programming errors (EARSHOT_CHECK),
// not outside input.
#ifndef EARSHOT_CLASSIFY_MODEL_EVALUATION_H_
#define EARSHOT_CLASSIFY_MODEL_EVALUATION_H_

#include <cstddef>
#include <span>
#include <vector>

namespace earshot::classify {

// Area under the ROC curve: the probability that a random positive scores above a random
// negative, ties counting half (the Mann-Whitney rank statistic). NaN when there is no
// positive or no negative, since the area is then undefined. `labels` are 0 or 1.
double RocAuc(std::span<const float> scores, std::span<const int> labels);

// One bin of a reliability table: rows whose p lies in [lower, upper) (the last bin also
// takes p = 1).
struct CalibrationRow {
  double lower = 0.0;
  double upper = 0.0;
  std::size_t count = 0;
  double mean_p = 0.0;             // mean predicted probability; NaN when count == 0
  double observed_rate = 0.0;      // fraction of outcomes that are 1; NaN when count == 0
  double difference_points = 0.0;  // 100 * (mean_p - observed_rate); NaN when count == 0
};

// Splits [0, 1] into `bins` equal bins (bins >= 1) and compares, in each, the mean predicted
// probability with the observed rate of outcome 1. A p outside [0, 1] goes to the nearest end
// bin.
std::vector<CalibrationRow> CalibrationTable(std::span<const float> p,
                                             std::span<const int> outcomes, int bins = 10);

// The largest |difference_points| over the bins with at least `min_count` rows (0 when none
// has): a thin bin's difference is mostly noise.
double MaxCalibrationGapPoints(const std::vector<CalibrationRow>& table, std::size_t min_count);

// counts[t][p]: how many rows of true class t were predicted as class p. Classes are
// 0..class_count-1.
std::vector<std::vector<std::size_t>> ConfusionMatrix(std::span<const int> truth,
                                                      std::span<const int> predicted,
                                                      int class_count);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_MODEL_EVALUATION_H_
