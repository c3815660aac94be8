#include "earshot/sim/internal/generate_sensors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "earshot/core/time.h"
#include "earshot/sim/random.h"

namespace earshot::sim::internal {
namespace {

std::string NumberedId(const std::string& prefix, size_t number, size_t digits) {
  std::string text = std::to_string(number);
  if (text.size() < digits) text.insert(0, digits - text.size(), '0');
  return prefix + text;
}

int64_t SecondsToNs(double seconds) {
  return static_cast<int64_t>(std::llround(seconds * static_cast<double>(kNanosPerSecond)));
}

// Intervals of a renewal process over [start, end): waits between intervals exponential
// with mean 1/rate, lengths exponential with the given mean.
std::vector<TimeInterval> DrawIntervals(Rng& rng, double per_hour, double mean_length_s,
                                        int64_t start_ns, int64_t end_ns) {
  std::vector<TimeInterval> intervals;
  if (per_hour <= 0.0) return intervals;
  const double mean_wait_s = 3600.0 / per_hour;
  int64_t t_ns = start_ns + SecondsToNs(rng.Exponential(mean_wait_s));
  while (t_ns < end_ns) {
    const int64_t length_ns = std::max<int64_t>(1, SecondsToNs(rng.Exponential(mean_length_s)));
    intervals.push_back({t_ns, t_ns + length_ns});
    t_ns += length_ns + SecondsToNs(rng.Exponential(mean_wait_s));
  }
  return intervals;
}

}  // namespace

std::vector<PlacedSensor> GenerateSensorGrid(const SensorGeneratorSpec& spec, uint64_t seed) {
  std::vector<PlacedSensor> sensors;
  const auto count = static_cast<size_t>(std::llround(spec.density_per_km2 * spec.area.AreaKm2()));
  if (count == 0) return sensors;
  const double aspect = spec.area.width_m / spec.area.height_m;
  const size_t columns = std::max<size_t>(
      1, static_cast<size_t>(std::llround(std::sqrt(static_cast<double>(count) * aspect))));
  const size_t rows = (count + columns - 1) / columns;
  const Eigen::Vector2d cell(spec.area.width_m / static_cast<double>(columns),
                             spec.area.height_m / static_cast<double>(rows));

  Rng rng = Rng::Stream(seed, spec.key + "/layout");
  // Keep `count` of the cells, chosen by a partial Fisher–Yates shuffle, in grid order.
  std::vector<size_t> cells(rows * columns);
  std::iota(cells.begin(), cells.end(), size_t{0});
  for (size_t i = 0; i < count; ++i) {
    std::swap(cells[i], cells[i + rng.Below(cells.size() - i)]);
  }
  cells.resize(count);
  std::sort(cells.begin(), cells.end());

  const size_t digits = std::max<size_t>(4, std::to_string(count).size());
  const Eigen::Vector2d lo = spec.area.Min(), hi = spec.area.Max();
  for (size_t i = 0; i < count; ++i) {
    const size_t row = cells[i] / columns, column = cells[i] % columns;
    Eigen::Vector2d xy = lo + cell.cwiseProduct(Eigen::Vector2d(static_cast<double>(column) + 0.5,
                                                                static_cast<double>(row) + 0.5));
    if (spec.jitter_m > 0.0) {
      const double dx = rng.Normal(0.0, spec.jitter_m);
      const double dy = rng.Normal(0.0, spec.jitter_m);
      xy = (xy + Eigen::Vector2d(dx, dy)).cwiseMax(lo).cwiseMin(hi);
    }
    sensors.push_back({NumberedId(spec.id_prefix, i + 1, digits), xy});
  }
  return sensors;
}

SimSensor MakeSensor(const std::string& id, const Eigen::Vector3d& true_position_m,
                     const SensorModelSpec& model, uint64_t seed, int64_t start_ns,
                     int64_t end_ns) {
  SimSensor sensor;
  sensor.id = id;
  sensor.true_position_m = true_position_m;
  sensor.sample_rate_hz = model.sample_rate_hz;
  sensor.full_scale_db_spl = model.full_scale_db_spl;
  sensor.self_noise_db_spl = model.self_noise_db_spl;
  sensor.clock_jitter_s = model.clock_jitter_s;
  sensor.position_sigma_m = model.gps_sigma_m;

  const std::string stream = "sensor/" + id + "/";
  Rng position = Rng::Stream(seed, stream + "position");
  const double gps_x = position.Normal(0.0, model.gps_sigma_m);
  const double gps_y = position.Normal(0.0, model.gps_sigma_m);
  const double gps_z = position.Normal(0.0, 1.5 * model.gps_sigma_m);
  sensor.reported_position_m = true_position_m + Eigen::Vector3d(gps_x, gps_y, gps_z);

  Rng calibration = Rng::Stream(seed, stream + "calibration");
  sensor.calibration_error_db = calibration.Normal(0.0, model.calibration_sigma_db);

  Rng clock = Rng::Stream(seed, stream + "clock");
  for (const TimeInterval& interval : DrawIntervals(clock, model.clock_faults_per_hour,
                                                    model.clock_fault_length_s, start_ns, end_ns)) {
    ClockFault fault;
    fault.interval = interval;
    fault.offset_s = clock.Normal(0.0, model.clock_fault_offset_s);
    fault.drift_s_per_s = clock.Normal(0.0, model.clock_fault_drift_s_per_s);
    sensor.clock_faults.push_back(fault);
  }

  Rng outages = Rng::Stream(seed, stream + "outages");
  sensor.outages =
      DrawIntervals(outages, model.outages_per_hour, model.outage_length_s, start_ns, end_ns);
  return sensor;
}

}  // namespace earshot::sim::internal
