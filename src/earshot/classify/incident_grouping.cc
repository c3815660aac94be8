#include "earshot/classify/incident_grouping.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>

namespace earshot::classify {
namespace {

double HorizontalDistanceM(const Fix& a, const Fix& b) {
  return (a.position_m.head<2>() - b.position_m.head<2>()).norm();
}

}  // namespace

std::vector<std::vector<std::size_t>> GroupIncidents(const std::vector<Fix>& fixes,
                                                     const IncidentGroupingOptions& options) {
  std::vector<std::size_t> order(fixes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return fixes[a].emission_ns < fixes[b].emission_ns;
  });
  const double max_gap_ns = options.max_gap_s * 1e9;
  std::vector<std::vector<std::size_t>> incidents;
  for (std::size_t i : order) {
    const Fix& fix = fixes[i];
    std::vector<std::size_t>* best = nullptr;
    double best_distance_m = std::numeric_limits<double>::infinity();
    for (std::vector<std::size_t>& incident : incidents) {
      const double gap_ns =
          static_cast<double>(fix.emission_ns - fixes[incident.back()].emission_ns);
      if (gap_ns > max_gap_ns) continue;
      const double distance_m = HorizontalDistanceM(fix, fixes[incident.front()]);
      if (distance_m <= options.max_distance_m && distance_m < best_distance_m) {
        best = &incident;
        best_distance_m = distance_m;
      }
    }
    if (best != nullptr) {
      best->push_back(i);
    } else {
      incidents.push_back({i});
    }
  }
  return incidents;
}

ShotContext ContextForShot(const std::vector<Fix>& fixes, std::size_t fix_index,
                           const std::vector<std::size_t>& incident,
                           const std::vector<Pulse>& pulses_used, const Weather& weather,
                           double sensor_mount_height_m) {
  ShotContext context;
  context.air_temperature_c = weather.temperature_c;
  for (std::size_t other : incident) {
    if (other != fix_index) context.other_shot_emission_ns.push_back(fixes[other].emission_ns);
  }
  // One height per sensor (its earliest used pulse), so that a sensor heard twice does not
  // count twice.
  std::map<std::string, const Pulse*> first_by_sensor;
  for (const Pulse& pulse : pulses_used) {
    auto [it, inserted] = first_by_sensor.try_emplace(pulse.sensor_id, &pulse);
    if (!inserted && pulse.onset_ns < it->second->onset_ns) it->second = &pulse;
  }
  std::vector<double> heights_m;
  for (const auto& [sensor, pulse] : first_by_sensor)
    heights_m.push_back(pulse->sensor_position_m.z());
  if (!heights_m.empty()) {
    std::sort(heights_m.begin(), heights_m.end());
    const std::size_t n = heights_m.size();
    const double median_m =
        n % 2 == 1 ? heights_m[n / 2] : 0.5 * (heights_m[n / 2 - 1] + heights_m[n / 2]);
    context.ground_height_m = median_m - sensor_mount_height_m;
  }
  return context;
}

}  // namespace earshot::classify
