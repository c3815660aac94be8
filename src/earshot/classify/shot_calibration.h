// The calibration of the shot classifier: per-shot class probabilities and the incident's
// probability of gunfire, fitted by TrainShotModel (shot_model_training.h) and stored beside
// the model as <model>.calibration.json.
//
// An incident (a group of shots, incident_grouping.h) is scored by IncidentScore, the mean
// calibrated p(gunfire) of its shots, which the incident calibration turns into the
// probability that the incident is gunfire. The mean rather than the maximum or a product:
// one gunfire-like pop in a fireworks display should not make the display gunfire, and a
// product of many shots' probabilities treats them as independent evidence, which they are
// not (the same source, the same sensors, the same errors): it would be wildly over-confident.
#ifndef EARSHOT_CLASSIFY_SHOT_CALIBRATION_H_
#define EARSHOT_CLASSIFY_SHOT_CALIBRATION_H_

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/classify/probability_calibration.h"
#include "earshot/core/error.h"

namespace earshot::classify {

// The mean of the shots' calibrated p(gunfire); NaN for no shots.
double IncidentScore(std::span<const double> shot_p_gunfire);

struct ShotCalibration {
  ClassCalibration shot;         // per class, per shot
  IsotonicCalibration incident;  // IncidentScore -> p(incident is gunfire)

  // {"format": "earshot shot calibration 1", "shot": ..., "incident": ...}
  nlohmann::json ToJson() const;
  static Result<ShotCalibration> FromJson(const nlohmann::json& json, const std::string& source);
  Result<void> Save(const std::string& path) const;
  static Result<ShotCalibration> Load(const std::string& path);
};

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_CALIBRATION_H_
