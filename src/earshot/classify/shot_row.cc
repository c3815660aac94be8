#include "earshot/classify/shot_row.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "earshot/detect/features.h"

namespace earshot::classify {
namespace {

// Median of `values` (reordered); NaN when empty.
double Median(std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

std::vector<std::string> ShotModelFeatureNames() {
  std::vector<std::string> names(kShotFeatureNames.begin(), kShotFeatureNames.end());
  for (std::string_view name : detect::kFeatureNames)
    names.push_back(std::string(kPulseMedianPrefix).append(name));
  return names;
}

std::vector<float> ShotModelRow(const ShotFeatures& shot, const std::vector<Pulse>& pulses_used) {
  std::vector<float> row;
  row.reserve(kShotFeatureNames.size() + detect::kFeatureNames.size());
  for (double value : shot.Values()) row.push_back(static_cast<float>(value));

  // One pulse per sensor: a second pulse of the same sensor is a later arrival of the same
  // bang, and counting it would weigh that sensor twice.
  std::map<std::string, const Pulse*> first_by_sensor;
  for (const Pulse& pulse : pulses_used) {
    auto [it, inserted] = first_by_sensor.try_emplace(pulse.sensor_id, &pulse);
    if (!inserted && pulse.onset_ns < it->second->onset_ns) it->second = &pulse;
  }
  std::vector<double> values;
  for (std::string_view name : detect::kFeatureNames) {
    values.clear();
    const std::string key(name);
    for (const auto& [sensor, pulse] : first_by_sensor) {
      auto it = pulse->features.find(key);
      if (it != pulse->features.end() && std::isfinite(it->second)) values.push_back(it->second);
    }
    row.push_back(static_cast<float>(Median(values)));
  }
  return row;
}

std::vector<Pulse> PulsesUsedBy(const Fix& fix, std::span<const Pulse> pulses) {
  std::unordered_map<std::string_view, const Pulse*> by_id;
  for (const Pulse& pulse : pulses) by_id.emplace(pulse.id, &pulse);
  std::vector<Pulse> used;
  for (const UsedPulse& entry : fix.used) {
    auto it = by_id.find(entry.pulse_id);
    if (it != by_id.end()) used.push_back(*it->second);
  }
  return used;
}

}  // namespace earshot::classify
