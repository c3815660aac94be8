// The shot classifier's columns for one located shot: the shot's own features
// (shot_features.h) followed by, for each detector feature (detect/features.h), its median
// over the sensors that the fix used. The same function makes the rows for training
// (shot_dataset.h) and for live use, so that the model never sees a column made two ways.
//
//   std::vector<Pulse> used = PulsesUsedBy(fix, pulses);
//   ShotFeatures shot = ComputeShotFeatures(fix, used, context);
//   std::vector<float> row = ShotModelRow(shot, used);  // ShotModelFeatureNames() order
#ifndef EARSHOT_CLASSIFY_SHOT_ROW_H_
#define EARSHOT_CLASSIFY_SHOT_ROW_H_

#include <span>
#include <string>
#include <vector>

#include "earshot/classify/shot_features.h"
#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"

namespace earshot::classify {

// Prefix of the per-pulse columns: "pulse_median_rise_time_s", ...
inline constexpr std::string_view kPulseMedianPrefix = "pulse_median_";

// kShotFeatureNames (17), then kPulseMedianPrefix + each of detect::kFeatureNames (18), in
// their orders: 35 names. Like those lists, a contract: columns are only ever appended.
std::vector<std::string> ShotModelFeatureNames();

// The row of ShotModelFeatureNames(): shot.Values(), then per detector feature the median
// over the sensors of `pulses_used` (one pulse per sensor, its earliest: the direct sound
// rather than an echo) of that feature; NaN where no such pulse has a finite value.
std::vector<float> ShotModelRow(const ShotFeatures& shot, const std::vector<Pulse>& pulses_used);

// The pulses of `fix.used`, looked up by id in `pulses`, in the order of fix.used; an id
// not in `pulses` is skipped (the caller may hold only part of the pulses).
std::vector<Pulse> PulsesUsedBy(const Fix& fix, std::span<const Pulse> pulses);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_ROW_H_
