// Isotonic calibration of a classifier's probabilities.
//
// A gradient-boosted model ranks well but its probabilities need not mean what they say: of
// the pulses it gives p_gunfire = 0.8, far more or fewer than 80 % may be gunfire. Dispatch
// thresholds are stated as probabilities, so they are only honest on calibrated ones.
// Isotonic regression fits the most faithful non-decreasing map from score to observed rate
// (pool-adjacent-violators), assuming nothing about its shape beyond keeping the ranking.
//
//   Result<IsotonicCalibration> fit = IsotonicCalibration::Fit(held_out_p, is_gunfire);
//   double p = fit->Apply(0.73);
//
//   Result<ClassCalibration> all = ClassCalibration::Fit(held_out_probabilities, labels, 4);
//   std::vector<double> q = all->Apply(model_probabilities_of_one_row);  // sums to 1
//
// The fitted map is a step function: constant over each pooled block of training scores,
// linear from one block's highest score to the next block's lowest, and held at the first
// (last) block's value below (above) the training scores. Interpolating between block edges
// rather than block centres keeps the map exactly equal to the isotonic fit at every training
// score. Fit it on rows the model was not trained on (the held-out split), or it learns the
// model's overconfidence on its own training rows.
#ifndef EARSHOT_CLASSIFY_PROBABILITY_CALIBRATION_H_
#define EARSHOT_CLASSIFY_PROBABILITY_CALIBRATION_H_

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/core/error.h"

namespace earshot::classify {

class IsotonicCalibration {
 public:
  // Fits scores (each in [0, 1]) to outcomes (each 0 or 1), optionally weighted (each finite
  // and > 0; empty means all 1). Refuses empty input, mismatched sizes, NaN and out-of-range
  // values, naming the row.
  static Result<IsotonicCalibration> Fit(std::span<const double> scores,
                                         std::span<const int> outcomes,
                                         std::span<const double> weights = {});

  // The calibrated probability of `p`, in [0, 1]; non-decreasing in p. NaN gives NaN.
  double Apply(double p) const;

  // {"blocks": [{"min_score": s0, "max_score": s1, "value": v}, ...]}, blocks in score order.
  nlohmann::json ToJson() const;
  // Reads what ToJson writes. Refuses unknown keys, missing or out-of-range numbers, and
  // blocks out of order or decreasing, naming `source` and the field ("blocks[2].value").
  static Result<IsotonicCalibration> FromJson(const nlohmann::json& json,
                                              const std::string& source);

  struct Block {
    double min_score = 0.0;  // lowest training score pooled into the block
    double max_score = 0.0;  // highest training score pooled into the block
    double value = 0.0;      // weighted observed rate of the block, in [0, 1]
  };
  const std::vector<Block>& blocks() const { return blocks_; }

 private:
  explicit IsotonicCalibration(std::vector<Block> blocks) : blocks_(std::move(blocks)) {}

  std::vector<Block> blocks_;  // non-empty; scores increasing, values non-decreasing
};

// One isotonic calibration per class (that class against the rest), renormalised so a row's
// probabilities still sum to 1.
class ClassCalibration {
 public:
  // `probabilities[r]` is row r's class_count probabilities (as PredictProbabilities gives
  // them); `labels[r]` its class in [0, class_count); class_count >= 2.
  static Result<ClassCalibration> Fit(const std::vector<std::vector<float>>& probabilities,
                                      const std::vector<int>& labels, int class_count,
                                      std::span<const double> weights = {});

  // Calibrates each class's probability, then divides by their sum. When every calibrated
  // value is 0 there is nothing to normalise and the input is returned as it is. `p` must
  // have class_count() values.
  std::vector<double> Apply(std::span<const double> p) const;
  std::vector<double> Apply(std::span<const float> p) const;

  // {"classes": [<IsotonicCalibration JSON>, ...]}, one per class in class order.
  nlohmann::json ToJson() const;
  static Result<ClassCalibration> FromJson(const nlohmann::json& json, const std::string& source);

  int class_count() const { return static_cast<int>(per_class_.size()); }
  const std::vector<IsotonicCalibration>& per_class() const { return per_class_; }

 private:
  explicit ClassCalibration(std::vector<IsotonicCalibration> per_class)
      : per_class_(std::move(per_class)) {}

  std::vector<IsotonicCalibration> per_class_;  // at least 2
};

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_PROBABILITY_CALIBRATION_H_
