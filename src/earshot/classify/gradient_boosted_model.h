// A multi-class gradient-boosted tree model (XGBoost), trained, saved and used for prediction.
//
// The classifier that says "gunfire or not" (and which kind of impulse otherwise) is a small
// XGBoost model over incident and pulse features. This class is the one place that talks to
// XGBoost's C API: it owns the booster, turns every XGBoost failure into an `Error`, and keeps
// the feature names with the model so that a model trained on one feature set is never fed
// another one silently.
//
//   FeatureMatrix rows{.feature_names = {"peak_db_spl", "rise_time_ms"}};
//   rows.AddRow({132.0F, 0.4F});
//   ...
//   Result<GradientBoostedModel> model = GradientBoostedModel::Train(rows, labels, 4, {});
//   model->Save("shot_model.json");
//   Result<GradientBoostedModel> loaded = GradientBoostedModel::Load("shot_model.json");
//   Result<std::vector<std::vector<float>>> p = loaded->PredictProbabilities(rows);
//
// Training is deterministic: one thread, a fixed seed and no row or column sampling, so the
// same rows, labels and options give a bitwise identical model. A NaN feature is a missing
// value (XGBoost learns which way such rows go at each split); an infinite feature is refused.
#ifndef EARSHOT_CLASSIFY_GRADIENT_BOOSTED_MODEL_H_
#define EARSHOT_CLASSIFY_GRADIENT_BOOSTED_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::classify {

// Feature rows, row-major: row r's feature c is values[r * feature_names.size() + c].
struct FeatureMatrix {
  std::vector<std::string> feature_names = {};  // one per column, unique, non-empty
  std::vector<float> values = {};               // NaN marks a missing value

  std::size_t ColumnCount() const { return feature_names.size(); }
  std::size_t RowCount() const;
  // Appends one row; it must have ColumnCount() values.
  void AddRow(std::initializer_list<float> row);
  void AddRow(const std::vector<float>& row);
};

struct TrainOptions {
  int rounds = 60;          // boosting rounds (trees per class), 1..10000
  int max_depth = 4;        // depth of each tree, 1..16
  double eta = 0.3;         // learning rate, (0, 1]
  std::uint64_t seed = 17;  // fixed so training is reproducible

  // True when every option is in range; otherwise false with `*error` saying which is not.
  bool IsValid(std::string* error) const;
};

// Gain of one feature: the average loss reduction of the splits that use it (0 when unused).
struct FeatureGain {
  std::string feature;
  double gain = 0.0;
};

class GradientBoostedModel {
 public:
  // Trains a multi:softprob model. `labels[r]` is row r's class in [0, class_count);
  // class_count >= 2. Refuses empty input, mismatched sizes, bad names, infinities.
  static Result<GradientBoostedModel> Train(const FeatureMatrix& rows,
                                            const std::vector<int>& labels, int class_count,
                                            const TrainOptions& options);

  // Loads a model written by Save. A missing, unreadable or corrupt file, or a model that
  // was not written by Save (no feature names or class count), is refused naming the file.
  static Result<GradientBoostedModel> Load(const std::string& path);

  // Writes the model as XGBoost JSON, feature names and class count included.
  Result<void> Save(const std::string& path) const;

  // One vector of class_count() probabilities (summing to 1) per row. The rows must carry
  // exactly the model's feature names in the model's order.
  Result<std::vector<std::vector<float>>> PredictProbabilities(const FeatureMatrix& rows) const;

  // Per-decision reasons: for each row, for each class, ColumnCount() + 1 SHAP values (XGBoost's
  // exact tree contributions), the last being the bias. A class's values sum to its raw margin,
  // so softmax over the classes of those sums gives PredictProbabilities. Same row checks as
  // PredictProbabilities.
  Result<std::vector<std::vector<std::vector<float>>>> PredictContributions(
      const FeatureMatrix& rows) const;

  // Gain per feature, in the model's feature order (XGBoosterFeatureScore, "gain").
  Result<std::vector<FeatureGain>> FeatureImportance() const;

  const std::vector<std::string>& feature_names() const { return feature_names_; }
  int class_count() const { return class_count_; }

  GradientBoostedModel(GradientBoostedModel&&) noexcept = default;
  GradientBoostedModel& operator=(GradientBoostedModel&&) noexcept = default;
  ~GradientBoostedModel() = default;

 private:
  struct BoosterFree {
    void operator()(void* booster) const;
  };
  using BoosterPtr = std::unique_ptr<void, BoosterFree>;

  // The proxy DMatrix that in-place prediction reads rows through. Creating one per call costs
  // more than the prediction of a single row, so it is made once and reused; the mutex keeps
  // concurrent PredictProbabilities calls (a const method) from sharing it.
  struct PredictionProxy {
    std::mutex mutex;
    void* handle = nullptr;  // created on first use
    ~PredictionProxy();
  };

  GradientBoostedModel(BoosterPtr booster, std::vector<std::string> feature_names, int class_count);

  Result<void> CheckRows(const FeatureMatrix& rows, const std::string& source) const;

  BoosterPtr booster_;
  std::unique_ptr<PredictionProxy> proxy_ = std::make_unique<PredictionProxy>();
  std::vector<std::string> feature_names_;
  int class_count_ = 0;
};

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_GRADIENT_BOOSTED_MODEL_H_
