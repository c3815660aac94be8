// The shot (incident) classifier at work: from located shots and the pulses they used, the
// calibrated probability of each class per shot, the incident's probability of gunfire, the
// label sent to dispatch, and the reasons for it.
//
// It uses all the sensors of a shot (ComputeShotFeatures and the per-sensor medians of the
// detector's features, shot_row.h), and the other shots of its incident (GroupIncidents).
// The model is an XGBoost file written by `earshot train` (models/shot_classifier.json); its
// calibration (shot_calibration.h) lies beside it as models/shot_classifier.calibration.json.
//
//   Result<ShotClassifier> classifier = ShotClassifier::Load("models/shot_classifier.json");
//   Result<ClassifiedFixes> out = classifier->ClassifyFixes(fixes, pulses, weather, {});
//   for (const IncidentClassification& incident : out->incidents)
//     Send(DispatchLabelName(incident.dispatch), incident.p_gunfire, incident.reasons);
//
// Reasons are SHAP contributions (GradientBoostedModel::PredictContributions) to the
// gunfire class's margin: how far each feature's value moved this decision away from the
// model's average, in log-odds. An incident's reasons average its shots' contributions.
#ifndef EARSHOT_CLASSIFY_SHOT_CLASSIFIER_H_
#define EARSHOT_CLASSIFY_SHOT_CLASSIFIER_H_

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "earshot/classify/dispatch_policy.h"
#include "earshot/classify/gradient_boosted_model.h"
#include "earshot/classify/incident_grouping.h"
#include "earshot/classify/pulse_dataset.h"
#include "earshot/classify/shot_calibration.h"
#include "earshot/core/error.h"
#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"

namespace earshot::classify {

struct ShotClassification {
  std::array<double, kPulseClassCount> p = {};  // calibrated, summing to 1
  int label = 0;                                // most probable class (kPulseClassNames)
  std::vector<Reason> reasons;                  // strongest first
};

struct IncidentClassification {
  std::vector<std::size_t> shots;  // indices into the fixes, by emission
  double p_gunfire = 0.0;          // calibrated probability that the incident is gunfire
  DispatchLabel dispatch = DispatchLabel::kNotGunfire;
  std::vector<Reason> reasons;  // its shots' contributions averaged, strongest first
};

struct ClassifiedFixes {
  std::vector<ShotClassification> shots;  // one per fix, in the fixes' order
  std::vector<IncidentClassification> incidents;
};

struct ShotClassifierOptions {
  IncidentGroupingOptions incidents = {};
  DispatchThresholds thresholds = {};
  double sensor_mount_height_m = 6.0;  // see ContextForShot
  // Reasons per shot and per incident; 0: none (SHAP costs about a hundred times the
  // probabilities; a service can classify every shot and explain only what it dispatches).
  int reason_count = 3;
};

class ShotClassifier {
 public:
  // Loads the model and the calibration beside it (CalibrationPathFor). Either missing or
  // malformed, or a model whose columns are not ShotModelFeatureNames(), is refused naming
  // the file.
  static Result<ShotClassifier> Load(const std::string& model_path);
  // "dir/shot_classifier.json" -> "dir/shot_classifier.calibration.json".
  static std::string CalibrationPathFor(const std::string& model_path);

  ShotClassifier(GradientBoostedModel model, ShotCalibration calibration);

  // Classifies rows in ShotModelFeatureNames() order (ShotModelRow).
  Result<std::vector<ShotClassification>> ClassifyRows(const FeatureMatrix& rows,
                                                       int reason_count) const;
  // The SHAP contributions to the gunfire margin, per row (ColumnCount() + 1 values, the
  // last the bias).
  Result<std::vector<std::vector<float>>> GunfireContributions(const FeatureMatrix& rows) const;

  // The probability that an incident whose shots have these calibrated p(gunfire) is gunfire.
  double IncidentProbability(std::span<const double> shot_p_gunfire) const;

  // Every step from located shots: rows, shot classes, incidents, dispatch labels, reasons.
  // `pulses` must hold the pulses the fixes used (by id), in the fixes' frame.
  Result<ClassifiedFixes> ClassifyFixes(const std::vector<Fix>& fixes,
                                        std::span<const Pulse> pulses, const Weather& weather,
                                        const ShotClassifierOptions& options) const;

  const GradientBoostedModel& model() const { return model_; }
  const ShotCalibration& calibration() const { return calibration_; }

 private:
  GradientBoostedModel model_;
  ShotCalibration calibration_;
};

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_CLASSIFIER_H_
