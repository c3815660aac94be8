#include "earshot/classify/shot_classifier.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "earshot/classify/shot_row.h"

namespace earshot::classify {

std::string ShotClassifier::CalibrationPathFor(const std::string& model_path) {
  constexpr std::string_view kJson = ".json";
  std::string stem = model_path;
  if (stem.ends_with(kJson)) stem.resize(stem.size() - kJson.size());
  return stem + ".calibration.json";
}

Result<ShotClassifier> ShotClassifier::Load(const std::string& model_path) {
  auto model = GradientBoostedModel::Load(model_path);
  if (!model) return std::unexpected(model.error());
  if (model->feature_names() != ShotModelFeatureNames()) {
    return Fail(model_path, "feature names",
                "not a shot classifier: its columns are not the shot model's (shot_row.h); "
                "train one with 'earshot train'");
  }
  if (model->class_count() != kPulseClassCount) {
    return Fail(model_path, "class count",
                "expected " + std::to_string(kPulseClassCount) + " classes");
  }
  auto calibration = ShotCalibration::Load(CalibrationPathFor(model_path));
  if (!calibration) return std::unexpected(calibration.error());
  if (calibration->shot.class_count() != kPulseClassCount) {
    return Fail(CalibrationPathFor(model_path), "shot", "calibration of another class count");
  }
  return ShotClassifier(std::move(*model), std::move(*calibration));
}

ShotClassifier::ShotClassifier(GradientBoostedModel model, ShotCalibration calibration)
    : model_(std::move(model)), calibration_(std::move(calibration)) {}

Result<std::vector<std::vector<float>>> ShotClassifier::GunfireContributions(
    const FeatureMatrix& rows) const {
  auto contributions = model_.PredictContributions(rows);
  if (!contributions) return std::unexpected(contributions.error());
  std::vector<std::vector<float>> gunfire;
  gunfire.reserve(contributions->size());
  for (auto& per_class : *contributions) gunfire.push_back(std::move(per_class[kGunfireClass]));
  return gunfire;
}

Result<std::vector<ShotClassification>> ShotClassifier::ClassifyRows(const FeatureMatrix& rows,
                                                                     int reason_count) const {
  auto raw = model_.PredictProbabilities(rows);
  if (!raw) return std::unexpected(raw.error());
  std::vector<std::vector<float>> contributions;
  if (reason_count > 0) {
    auto gunfire = GunfireContributions(rows);
    if (!gunfire) return std::unexpected(gunfire.error());
    contributions = std::move(*gunfire);
  }
  const std::size_t columns = rows.ColumnCount();
  std::vector<ShotClassification> out(raw->size());
  for (std::size_t r = 0; r < raw->size(); ++r) {
    const std::vector<double> p = calibration_.shot.Apply(std::span<const float>((*raw)[r]));
    std::copy(p.begin(), p.end(), out[r].p.begin());
    out[r].label = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    if (reason_count > 0) {
      out[r].reasons = TopReasons(rows.feature_names,
                                  std::span<const float>(rows.values).subspan(r * columns, columns),
                                  contributions[r], reason_count);
    }
  }
  return out;
}

double ShotClassifier::IncidentProbability(std::span<const double> shot_p_gunfire) const {
  return calibration_.incident.Apply(IncidentScore(shot_p_gunfire));
}

Result<ClassifiedFixes> ShotClassifier::ClassifyFixes(const std::vector<Fix>& fixes,
                                                      std::span<const Pulse> pulses,
                                                      const Weather& weather,
                                                      const ShotClassifierOptions& options) const {
  ClassifiedFixes out;
  if (fixes.empty()) return out;
  const std::vector<std::vector<std::size_t>> groups = GroupIncidents(fixes, options.incidents);
  std::vector<std::size_t> group_of_fix(fixes.size());
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (std::size_t i : groups[g]) group_of_fix[i] = g;

  FeatureMatrix rows{.feature_names = ShotModelFeatureNames()};
  for (std::size_t i = 0; i < fixes.size(); ++i) {
    const std::vector<Pulse> used = PulsesUsedBy(fixes[i], pulses);
    const ShotContext context = ContextForShot(fixes, i, groups[group_of_fix[i]], used, weather,
                                               options.sensor_mount_height_m);
    rows.AddRow(ShotModelRow(ComputeShotFeatures(fixes[i], used, context), used));
  }
  auto shots = ClassifyRows(rows, 0);
  if (!shots) return std::unexpected(shots.error());
  // The reasons are SHAP values: exact but about a hundred times the cost of the
  // probabilities (bench/classify_benchmark), so they are computed only when asked for.
  const bool explain = options.reason_count > 0;
  std::vector<std::vector<float>> contributions;
  if (explain) {
    auto gunfire = GunfireContributions(rows);
    if (!gunfire) return std::unexpected(gunfire.error());
    contributions = std::move(*gunfire);
  }
  const std::size_t columns = rows.ColumnCount();
  for (std::size_t i = 0; explain && i < fixes.size(); ++i) {
    (*shots)[i].reasons = TopReasons(
        rows.feature_names, std::span<const float>(rows.values).subspan(i * columns, columns),
        contributions[i], options.reason_count);
  }

  for (const std::vector<std::size_t>& group : groups) {
    IncidentClassification incident;
    incident.shots = group;
    std::vector<double> p_gunfire;
    // The incident's reasons: each feature's contribution averaged over its shots, shown
    // with the value of the shot that pushed hardest in the incident's direction.
    for (std::size_t i : group) p_gunfire.push_back((*shots)[i].p[kGunfireClass]);
    incident.p_gunfire = IncidentProbability(p_gunfire);
    incident.dispatch = Decide(incident.p_gunfire, options.thresholds);
    if (!explain) {
      out.incidents.push_back(std::move(incident));
      continue;
    }
    std::vector<float> mean_contribution(columns + 1, 0.0F);
    for (std::size_t i : group) {
      for (std::size_t c = 0; c <= columns; ++c)
        mean_contribution[c] += contributions[i][c] / static_cast<float>(group.size());
    }
    std::vector<float> values(columns, 0.0F);
    for (std::size_t c = 0; c < columns; ++c) {
      std::size_t best = group.front();
      for (std::size_t i : group) {
        const bool raises = mean_contribution[c] >= 0.0F;
        const float ci = contributions[i][c];
        const float cb = contributions[best][c];
        if (raises ? ci > cb : ci < cb) best = i;
      }
      values[c] = rows.values[best * columns + c];
    }
    incident.reasons =
        TopReasons(rows.feature_names, values, mean_contribution, options.reason_count);
    out.incidents.push_back(std::move(incident));
  }
  out.shots = std::move(*shots);
  return out;
}

}  // namespace earshot::classify
