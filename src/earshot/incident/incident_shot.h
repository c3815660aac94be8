// What an incident keeps of each of its shots: the few numbers its summary needs (time,
// place, how well the place is known, p(gunfire)) and the shot's reasons. Not the whole
// Shot: a fireworks surge keeps thousands of shots in open incidents, and the fix's pulse
// lists are the store's to keep, not the tracker's.
#ifndef EARSHOT_INCIDENT_INCIDENT_SHOT_H_
#define EARSHOT_INCIDENT_INCIDENT_SHOT_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/shot.h"

namespace earshot::incident {

struct IncidentShot {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  std::string id;
  int version = 1;
  int64_t emission_ns = 0;                               // UTC ns
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();  // local ENU metres
  // 1-sigma horizontal error of position_m: the semi-major axis of the fix's error ellipse,
  // the largest error in any direction. NaN when unknown.
  double position_sigma_m = kNaN;
  // Calibrated p(gunfire); NaN when the shot is not (yet) classified, so that an
  // unclassified shot adds no evidence either way.
  double p_gunfire = kNaN;
  std::vector<std::string> reasons;
};

// The IncidentShot of `shot`. A shot whose class probabilities are all 0 is unclassified
// (core/shot.h): its p_gunfire is NaN.
IncidentShot FromShot(const Shot& shot);

}  // namespace earshot::incident

#endif  // EARSHOT_INCIDENT_INCIDENT_SHOT_H_
