// A Shot is a located source with what the classifier says about it (DESIGN.md §1): the
// unit an incident is made of, and what the service publishes and updates as more sensors
// report. A shot keeps its id across updates; each update raises its version.
#ifndef EARSHOT_CORE_SHOT_H_
#define EARSHOT_CORE_SHOT_H_

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "earshot/core/fix.h"

namespace earshot {

// The classes, in the order of Shot::p (the classifier's order, classify/pulse_dataset.h).
inline constexpr std::array<const char*, 4> kShotClassNames = {"gunfire", "aerial_firework",
                                                               "firecracker", "other_impulsive"};

struct Shot {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  std::string id;   // stable across updates, unique in the deployment
  int version = 1;  // 1 when first published, +1 per update
  Fix fix;          // the latest fix: position, time, uncertainty, pulses used
  // Calibrated class probabilities in kShotClassNames order, summing to 1; all 0 when not
  // (yet) classified.
  std::array<double, 4> p = {};
  std::string label;                    // most probable class; empty when not classified
  std::vector<std::string> reasons;     // "crack_fraction = 0.83 raises p(gunfire) (+1.2)"
  double source_level_db_at_1m = kNaN;  // derived physics (classify/shot_features.h)
  double height_above_ground_m = kNaN;
  bool crack = false;       // a supersonic crack heard by most sensors
  std::string incident_id;  // empty until grouped
};

}  // namespace earshot

#endif  // EARSHOT_CORE_SHOT_H_
