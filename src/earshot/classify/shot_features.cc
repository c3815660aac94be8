#include "earshot/classify/shot_features.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>

#include "earshot/core/air_absorption.h"
#include "earshot/detect/features.h"

namespace earshot::classify {
namespace {

// The detector features read here, checked against the detector's contract at compile time.
constexpr bool IsDetectorFeature(std::string_view name) {
  return std::find(detect::kFeatureNames.begin(), detect::kFeatureNames.end(), name) !=
         detect::kFeatureNames.end();
}
constexpr const char* kCrackPresent = "crack_present";
constexpr const char* kCrackLeadS = "crack_lead_s";
constexpr const char* kDurationS = "duration_s";
constexpr const char* kRiseTimeS = "rise_time_s";
constexpr const char* kDecayTimeS = "decay_time_s";
constexpr const char* kEchoCount = "echo_count";
constexpr const char* kEchoEnergyRatioDb = "echo_energy_ratio_db";
static_assert(IsDetectorFeature(kCrackPresent) && IsDetectorFeature(kCrackLeadS) &&
              IsDetectorFeature(kDurationS) && IsDetectorFeature(kRiseTimeS) &&
              IsDetectorFeature(kDecayTimeS) && IsDetectorFeature(kEchoCount) &&
              IsDetectorFeature(kEchoEnergyRatioDb));

// Every member of ShotFeatures is one named feature: a member added without its name (or
// the other way round) breaks the build here.
static_assert(sizeof(ShotFeatures) == kShotFeatureNames.size() * sizeof(double));

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNanosPerSecond = 1e9;

double Median(std::vector<double> values) {
  if (values.empty()) return kNaN;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return 0.5 * (lower + upper);
}

double Mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Sample standard deviation (n − 1); NaN below two values.
double StandardDeviation(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double mean = Mean(values);
  double sum_sq = 0.0;
  for (double v : values) sum_sq += (v - mean) * (v - mean);
  return std::sqrt(sum_sq / static_cast<double>(values.size() - 1));
}

// Standard deviation over mean: how much the sensors disagree, independent of scale.
// NaN below two values or for a non-positive mean (durations and times are positive).
double CoefficientOfVariation(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double mean = Mean(values);
  if (!(mean > 0.0)) return kNaN;
  return StandardDeviation(values) / mean;
}

std::optional<double> Feature(const Pulse& pulse, const char* name) {
  const auto it = pulse.features.find(name);
  if (it == pulse.features.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

// The finite values of one detector feature over the pulses that report it.
std::vector<double> FeatureValues(const std::vector<Pulse>& pulses, const char* name) {
  std::vector<double> values;
  for (const Pulse& pulse : pulses) {
    if (auto v = Feature(pulse, name)) values.push_back(*v);
  }
  return values;
}

// Each sensor's received peak level carried back to 1 m from the source: spherical
// spreading (20·log10 r) plus air absorption (α·r).
std::vector<double> SourceLevelsDb(const Fix& fix, const std::vector<Pulse>& pulses,
                                   double absorption_db_per_m) {
  std::vector<double> levels;
  for (const Pulse& pulse : pulses) {
    const double range_m = (pulse.sensor_position_m - fix.position_m).norm();
    if (!(range_m > 0.0) || !std::isfinite(pulse.level_db_spl)) continue;
    levels.push_back(pulse.level_db_spl + 20.0 * std::log10(range_m) +
                     absorption_db_per_m * range_m);
  }
  return levels;
}

void SetCrackFeatures(const std::vector<Pulse>& pulses, ShotFeatures& out) {
  int reporting = 0;
  int cracked = 0;
  std::vector<double> leads_s;
  for (const Pulse& pulse : pulses) {
    const auto crack = Feature(pulse, kCrackPresent);
    if (!crack) continue;
    ++reporting;
    if (*crack < 0.5) continue;
    ++cracked;
    if (auto lead = Feature(pulse, kCrackLeadS)) leads_s.push_back(*lead);
  }
  if (reporting > 0) out.crack_fraction = static_cast<double>(cracked) / reporting;
  out.crack_lead_median_s = Median(std::move(leads_s));
}

// Median of the intervals to the previous and the next shot of the incident.
double CadenceS(int64_t emission_ns, const std::vector<int64_t>& others_ns) {
  std::optional<int64_t> before_ns;
  std::optional<int64_t> after_ns;
  for (int64_t t : others_ns) {
    if (t < emission_ns && (!before_ns || t > *before_ns)) before_ns = t;
    if (t > emission_ns && (!after_ns || t < *after_ns)) after_ns = t;
  }
  std::vector<double> intervals_s;
  if (before_ns)
    intervals_s.push_back(static_cast<double>(emission_ns - *before_ns) / kNanosPerSecond);
  if (after_ns)
    intervals_s.push_back(static_cast<double>(*after_ns - emission_ns) / kNanosPerSecond);
  return Median(std::move(intervals_s));
}

}  // namespace

std::array<double, kShotFeatureNames.size()> ShotFeatures::Values() const {
  return {source_level_db_at_1m,
          source_level_spread_db,
          height_above_ground_m,
          height_sigma_m,
          crack_fraction,
          crack_lead_median_s,
          duration_median_s,
          duration_cv,
          rise_time_median_s,
          rise_time_cv,
          decay_time_median_s,
          decay_time_cv,
          echo_count_median,
          echo_energy_ratio_median_db,
          sensor_count,
          median_snr_db,
          cadence_s};
}

std::map<std::string, double> ShotFeatures::Map() const {
  const auto values = Values();
  std::map<std::string, double> named;
  for (size_t i = 0; i < kShotFeatureNames.size(); ++i) {
    named.emplace(std::string(kShotFeatureNames[i]), values[i]);
  }
  return named;
}

ShotFeatures ComputeShotFeatures(const Fix& fix, const std::vector<Pulse>& pulses_used,
                                 const ShotContext& context) {
  ShotFeatures out;

  const double absorption_db_per_m = AirAbsorptionDbPerM(
      kSourceLevelFrequencyHz, context.air_temperature_c, context.relative_humidity_pct);
  const std::vector<double> source_levels = SourceLevelsDb(fix, pulses_used, absorption_db_per_m);
  out.source_level_db_at_1m = Median(source_levels);
  out.source_level_spread_db = StandardDeviation(source_levels);

  // Only a 3D solve measures the height; the other modes assume it.
  if (fix.mode == SolveMode::k3D) {
    out.height_above_ground_m = fix.position_m.z() - context.ground_height_m;
    out.height_sigma_m = fix.height_sigma_m;
  }

  SetCrackFeatures(pulses_used, out);

  const std::vector<double> durations = FeatureValues(pulses_used, kDurationS);
  out.duration_median_s = Median(durations);
  out.duration_cv = CoefficientOfVariation(durations);
  const std::vector<double> rises = FeatureValues(pulses_used, kRiseTimeS);
  out.rise_time_median_s = Median(rises);
  out.rise_time_cv = CoefficientOfVariation(rises);
  const std::vector<double> decays = FeatureValues(pulses_used, kDecayTimeS);
  out.decay_time_median_s = Median(decays);
  out.decay_time_cv = CoefficientOfVariation(decays);

  out.echo_count_median = Median(FeatureValues(pulses_used, kEchoCount));
  out.echo_energy_ratio_median_db = Median(FeatureValues(pulses_used, kEchoEnergyRatioDb));

  std::set<std::string> sensors;
  std::vector<double> snrs_db;
  for (const Pulse& pulse : pulses_used) {
    sensors.insert(pulse.sensor_id);
    if (std::isfinite(pulse.snr_db)) snrs_db.push_back(pulse.snr_db);
  }
  out.sensor_count = static_cast<double>(sensors.size());
  out.median_snr_db = Median(std::move(snrs_db));

  out.cadence_s = CadenceS(fix.emission_ns, context.other_shot_emission_ns);
  return out;
}

}  // namespace earshot::classify
