// The label an incident is sent to dispatch with, and the reasons shown beside it.
//
// The classifier gives p(gunfire); dispatch needs one of three words. Two thresholds split
// the probability (read from config/dispatch.json, refusing anything it does not know):
//
//   gunfire_min_p = 0.80           p >= 0.80: "gunfire". Officers are sent. The default means
//                                  that, on calibrated probabilities, at most about one call
//                                  in five sent this way is not gunfire.
//   probable_gunfire_min_p = 0.50  0.50 <= p < 0.80: "probable_gunfire". A reviewer listens
//                                  before anyone is sent; below it, "not_gunfire" is logged
//                                  but not sent.
//
// 0 < probable_gunfire_min_p <= gunfire_min_p <= 1. Setting both equal removes the middle
// label. The thresholds are only as honest as the probabilities: apply them to calibrated
// ones (probability_calibration.h). A NaN probability carries no evidence and is labelled
// not_gunfire.
//
// Reasons are the model's per-feature SHAP contributions to the gunfire class's margin
// (GradientBoostedModel::PredictContributions), largest first:
//
//   "crack_fraction = 0.83 raises p(gunfire) (+1.21)"
//   "source_level_db_at_1m = 121.4 lowers p(gunfire) (-2.05)"
#ifndef EARSHOT_CLASSIFY_DISPATCH_POLICY_H_
#define EARSHOT_CLASSIFY_DISPATCH_POLICY_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/core/error.h"

namespace earshot::classify {

struct DispatchThresholds {
  double gunfire_min_p = 0.80;   // at or above: gunfire
  double probable_min_p = 0.50;  // at or above (and below gunfire_min_p): probable gunfire

  // True when 0 < probable_min_p <= gunfire_min_p <= 1; otherwise false with `*error` saying
  // what is wrong.
  bool IsValid(std::string* error) const;
};

// Reads {"gunfire_min_p": 0.8, "probable_gunfire_min_p": 0.5}. Both keys are required and no
// other is accepted (a misspelt key would otherwise leave a default silently in force);
// errors name the file and the field.
Result<DispatchThresholds> LoadDispatchThresholds(const std::string& path);

enum class DispatchLabel { kGunfire, kProbableGunfire, kNotGunfire };

// "gunfire", "probable_gunfire" or "not_gunfire".
std::string_view DispatchLabelName(DispatchLabel label);

DispatchLabel Decide(double p_gunfire, const DispatchThresholds& thresholds);

// One feature's part in a decision.
struct Reason {
  std::string feature;
  double value = 0.0;         // the feature's value (NaN: missing)
  double contribution = 0.0;  // its SHAP contribution to the gunfire margin (log-odds units)
};

// The `count` features with the largest |contribution|, largest first (ties in feature
// order). `contributions` holds one value per feature, optionally followed by the bias,
// which is never a reason. A feature that is missing (NaN) and contributed nothing is left
// out: it says nothing about this incident.
std::vector<Reason> TopReasons(const std::vector<std::string>& feature_names,
                               std::span<const float> feature_values,
                               std::span<const float> contributions, int count);

// "crack_fraction = 0.83 raises p(gunfire) (+1.21)"; a missing value reads "missing".
std::string DescribeReason(const Reason& reason);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_DISPATCH_POLICY_H_
