// Features of one located shot: what the classifier uses, beside each pulse's own detector
// features, to tell gunfire from fireworks, firecrackers and other bangs. A located shot
// knows things no single sensor does: how far each sensor was, so how loud the source
// itself was; how high it went off; whether the sensors agree about its shape; and when
// the other shots of its incident happened. docs/classifying.md gives each feature's
// physical meaning and why it separates the classes.
//
// Every feature is a double, NaN when it cannot be computed (no sensor reported the
// detector feature it needs, a 2D fix has no measured height, a single shot has no
// cadence). The names and their order are a contract, as in detect/features.h: a feature
// is added at the end and never renamed.
//
//   ShotContext context;
//   context.air_temperature_c = weather.temperature_c;
//   context.ground_height_m = terrain.HeightAt(fix.position_m);  // if known
//   context.other_shot_emission_ns = {...};                       // same incident
//   ShotFeatures f = ComputeShotFeatures(fix, pulses_used, context);
//   if (f.crack_fraction > 0.5) ...
#ifndef EARSHOT_CLASSIFY_SHOT_FEATURES_H_
#define EARSHOT_CLASSIFY_SHOT_FEATURES_H_

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"

namespace earshot::classify {

// The frequency at which the source level's air absorption is taken, Hz. A muzzle blast's
// energy peaks near 1 kHz, and at the few hundred metres a city network listens over the
// absorption there is a few dB at most, so one frequency stands for the whole pulse.
inline constexpr double kSourceLevelFrequencyHz = 1000.0;

// What the shot's own pulses do not say.
struct ShotContext {
  // The air the sound crossed, for its absorption (ISO 9613-1, core/air_absorption.h, at
  // kSourceLevelFrequencyHz and standard pressure), applied over each sensor's range.
  double air_temperature_c = 15.0;
  double relative_humidity_pct = 70.0;
  // Ground height at the fix, local ENU metres (same frame as Fix::position_m); NaN when
  // unknown (then height_above_ground_m is NaN).
  double ground_height_m = std::numeric_limits<double>::quiet_NaN();
  // Emission times (UTC ns) of the other shots of the same incident, any order. A time
  // equal to this fix's own emission is taken to be this shot and skipped.
  std::vector<int64_t> other_shot_emission_ns;
};

inline constexpr std::array<std::string_view, 17> kShotFeatureNames = {
    "source_level_db_at_1m",        // median over sensors of the level back-propagated to 1 m
    "source_level_spread_db",       // standard deviation of those per-sensor source levels
    "height_above_ground_m",        // source height over the ground (3D fixes only)
    "height_sigma_m",               // 1-sigma of that height
    "crack_fraction",               // share of sensors whose pulse shows a supersonic crack
    "crack_lead_median_s",          // median crack-to-blast interval over those sensors
    "duration_median_s",            // median pulse duration across sensors
    "duration_cv",                  // its coefficient of variation (std / mean)
    "rise_time_median_s",           //
    "rise_time_cv",                 //
    "decay_time_median_s",          //
    "decay_time_cv",                //
    "echo_count_median",            // median distinct later arrivals within 250 ms
    "echo_energy_ratio_median_db",  // median energy after the pulse over the pulse's own
    "sensor_count",                 // distinct sensors among the pulses used
    "median_snr_db",                //
    "cadence_s",                    // median interval to the neighbouring shots
};

// One named double per entry of kShotFeatureNames, in that order.
struct ShotFeatures {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double source_level_db_at_1m = kNaN;
  double source_level_spread_db = kNaN;
  double height_above_ground_m = kNaN;
  double height_sigma_m = kNaN;
  double crack_fraction = kNaN;
  double crack_lead_median_s = kNaN;
  double duration_median_s = kNaN;
  double duration_cv = kNaN;
  double rise_time_median_s = kNaN;
  double rise_time_cv = kNaN;
  double decay_time_median_s = kNaN;
  double decay_time_cv = kNaN;
  double echo_count_median = kNaN;
  double echo_energy_ratio_median_db = kNaN;
  double sensor_count = 0.0;
  double median_snr_db = kNaN;
  double cadence_s = kNaN;

  // The values in the order of kShotFeatureNames, for the model.
  std::array<double, kShotFeatureNames.size()> Values() const;
  // Named copy for JSON.
  std::map<std::string, double> Map() const;
};

// The features of `fix` from the pulses it used (the caller picks them from Fix::used;
// each pulse's sensor_position_m must be in the frame of fix.position_m). Pulses whose
// detector features lack an entry simply do not count towards that feature.
ShotFeatures ComputeShotFeatures(const Fix& fix, const std::vector<Pulse>& pulses_used,
                                 const ShotContext& context);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_SHOT_FEATURES_H_
