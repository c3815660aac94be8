#include "earshot/classify/shot_model_training.h"

#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "earshot/classify/feature_rows.h"
#include "earshot/classify/pulse_dataset.h"

namespace earshot::classify {
int IncidentFold(const std::string& incident, int folds) {
  // FNV-1a: fixed across platforms and library versions, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : incident) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<int>(hash % static_cast<std::uint64_t>(folds));
}

Result<TrainedShotModel> TrainShotModel(const FeatureMatrix& rows, const std::vector<int>& labels,
                                        const std::vector<std::string>& incident_of_row,
                                        int class_count, const ShotModelTrainingOptions& options) {
  constexpr const char* kSource = "shot model training";
  const std::size_t n = labels.size();
  if (rows.RowCount() != n || incident_of_row.size() != n) {
    return Fail(kSource, "", "expected one label and one incident per row");
  }
  const int folds = options.calibration_folds;
  if (folds < 2 || folds > 20) return Fail(kSource, "calibration_folds", "expected 2..20");
  if (std::set<int>(labels.begin(), labels.end()).size() < 2) {
    return Fail(kSource, "labels", "expected at least two classes among the rows");
  }
  std::set<int> folds_present;
  for (const std::string& incident : incident_of_row)
    folds_present.insert(IncidentFold(incident, folds));
  if (static_cast<int>(folds_present.size()) < folds) {
    return Fail(kSource, "", "too few incidents for " + std::to_string(folds) + " folds");
  }

  // 1. Out-of-fold scores.
  std::vector<std::vector<float>> out_of_fold(n);
  for (int fold = 0; fold < folds; ++fold) {
    std::vector<std::size_t> train;
    std::vector<std::size_t> score;
    for (std::size_t r = 0; r < n; ++r)
      (IncidentFold(incident_of_row[r], folds) == fold ? score : train).push_back(r);
    std::vector<int> train_labels;
    for (std::size_t r : train) train_labels.push_back(labels[r]);
    auto model = GradientBoostedModel::Train(SelectRows(rows, train), train_labels, class_count,
                                             options.boosting);
    if (!model) return std::unexpected(model.error());
    auto p = model->PredictProbabilities(SelectRows(rows, score));
    if (!p) return std::unexpected(p.error());
    for (std::size_t i = 0; i < score.size(); ++i) out_of_fold[score[i]] = std::move((*p)[i]);
  }

  // 2. Calibration: per shot, then per incident on the calibrated shot p(gunfire).
  auto shot = ClassCalibration::Fit(out_of_fold, labels, class_count);
  if (!shot) return std::unexpected(shot.error());
  std::vector<std::vector<double>> calibrated(n);
  std::map<std::string, std::vector<double>> incident_p;
  std::map<std::string, int> incident_gunfire;
  for (std::size_t r = 0; r < n; ++r) {
    calibrated[r] = shot->Apply(std::span<const float>(out_of_fold[r]));
    incident_p[incident_of_row[r]].push_back(calibrated[r][kGunfireClass]);
    // An incident is gunfire when its shots are (a sim event has one class).
    incident_gunfire[incident_of_row[r]] = labels[r] == kGunfireClass ? 1 : 0;
  }
  std::vector<double> incident_scores;
  std::vector<int> incident_outcomes;
  for (const auto& [incident, p] : incident_p) {
    incident_scores.push_back(IncidentScore(p));
    incident_outcomes.push_back(incident_gunfire[incident]);
  }
  auto incident = IsotonicCalibration::Fit(incident_scores, incident_outcomes);
  if (!incident) return std::unexpected(incident.error());

  // 3. The final model on every row.
  auto model = GradientBoostedModel::Train(rows, labels, class_count, options.boosting);
  if (!model) return std::unexpected(model.error());
  return TrainedShotModel{.model = std::move(*model),
                          .calibration = {std::move(*shot), std::move(*incident)},
                          .out_of_fold_probabilities = std::move(calibrated)};
}

}  // namespace earshot::classify
