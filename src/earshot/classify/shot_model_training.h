// Training the shot (incident) classifier with honest probabilities.
//
// XGBoost's softmax outputs are scores, not frequencies: a boosted model trained to zero
// loss says 0.99 far more often than it is right 99 % of the time. Dispatch thresholds
// ("probable gunfire" at 0.5) only mean something on calibrated probabilities, so the
// training here has three steps:
//
//   1. Out-of-fold scores. The rows are split into `calibration_folds` folds *by incident*
//      (every shot of one incident in the same fold, as a new incident would be), a model
//      is trained on the other folds and scores the fold. Every row gets a score from a
//      model that never saw its incident.
//   2. Calibration, fitted on those scores: per class, isotonic regression of "is this
//      class" on the score (ClassCalibration), and for incidents an isotonic regression of
//      "the incident is gunfire" on the incident score, the mean calibrated p(gunfire) of
//      its shots (IncidentScore).
//   3. The final model, trained on every row; the calibration of step 2 is applied to it.
//      (Step 1's models are a little weaker than the final one, trained on 4/5 of the
//      data, so the final model's probabilities are, if anything, slightly under- rather
//      than over-confident.)
//
//   Result<TrainedShotModel> trained = TrainShotModel(rows, labels, incidents, {});
//   trained->model.Save(...); trained->calibration.ToJson();
#ifndef EARSHOT_CLASSIFY_SHOT_MODEL_TRAINING_H_
#define EARSHOT_CLASSIFY_SHOT_MODEL_TRAINING_H_

#include <span>
#include <string>
#include <vector>

#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/classify/shot_calibration.h"
#include "earshot/core/error.h"

namespace earshot::classify {

struct ShotModelTrainingOptions {
  TrainOptions boosting = {.rounds = 80, .max_depth = 4, .eta = 0.2};
  int calibration_folds = 5;  // 2..20
};

struct TrainedShotModel {
  GradientBoostedModel model;
  ShotCalibration calibration;
  // Step 1's out-of-fold class probabilities per row, calibrated: an honest estimate of how
  // the model does on incidents it has not seen (used by the training report).
  std::vector<std::vector<double>> out_of_fold_probabilities;
};

// The fold (0..folds-1) of an incident: a fixed hash of its id, so that the split does not
// depend on the order or number of rows.
int IncidentFold(const std::string& incident, int folds);

// `labels[r]` in [0, class_count), `incident_of_row[r]` row r's incident. Refuses fewer than
// two classes present, fewer incidents than folds, or mismatched sizes.
Result<TrainedShotModel> TrainShotModel(const FeatureMatrix& rows, const std::vector<int>& labels,
                                        const std::vector<std::string>& incident_of_row,
                                        int class_count, const ShotModelTrainingOptions& options);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_MODEL_TRAINING_H_
