// Synthetic worlds for the locate module's tests and benchmarks: sensor layouts, sources,
// the exact arrival times that connect them, and pulse streams built from shots.
//
// Everything here is deterministic given the caller's seeded std::mt19937_64, so that a
// test that fails fails the same way every run. Not part of the library's API.
#ifndef EARSHOT_LOCATE_INTERNAL_SYNTHETIC_TEST_UTIL_H_
#define EARSHOT_LOCATE_INTERNAL_SYNTHETIC_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "earshot/core/fix.h"
#include "earshot/core/pulse.h"
#include "earshot/core/weather.h"
#include "earshot/locate/arrival.h"

namespace earshot::locate::internal {

// A solve mode as a parameterised test's name (letters only, as GoogleTest wants them;
// core's SolveModeName gives "2.5d").
inline std::string SolveModeTestName(SolveMode mode) {
  switch (mode) {
    case SolveMode::k2D:
      return "TwoD";
    case SolveMode::kFixedHeight:
      return "FixedHeight";
    case SolveMode::k3D:
      return "ThreeD";
  }
  return "Unknown";
}

// 10 °C, no wind: the air of the synthetic tests and benchmarks.
inline Weather CoolStillAir() {
  Weather weather;
  weather.temperature_c = 10.0;
  return weather;
}

// The propagation model the locator derives from `weather`.
inline Propagation ModelOf(const Weather& weather) {
  Propagation model;
  model.speed_of_sound_mps = SpeedOfSoundMps(weather.temperature_c);
  model.wind_en_mps = WindVelocityEnMps(weather);
  return model;
}

inline double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// A point at a uniformly random azimuth, `min_range_m`..`max_range_m` from `centre`
// (uniform in area between the two radii).
inline Eigen::Vector2d RandomPointInAnnulus(std::mt19937_64& rng, const Eigen::Vector2d& centre,
                                            double min_range_m, double max_range_m) {
  const double angle = Uniform(rng, 0.0, 2.0 * std::numbers::pi);
  const double range_m =
      std::sqrt(Uniform(rng, min_range_m * min_range_m, max_range_m * max_range_m));
  return centre + range_m * Eigen::Vector2d(std::cos(angle), std::sin(angle));
}

// `n` sensors uniform on a disc of `radius_m` around `centre`, heights uniform in
// [`min_height_m`, `max_height_m`].
inline std::vector<Eigen::Vector3d> SensorsOnDisc(std::mt19937_64& rng, int n,
                                                  const Eigen::Vector2d& centre, double radius_m,
                                                  double min_height_m, double max_height_m) {
  std::vector<Eigen::Vector3d> sensors;
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector2d xy = RandomPointInAnnulus(rng, centre, 0.0, radius_m);
    sensors.emplace_back(xy.x(), xy.y(), Uniform(rng, min_height_m, max_height_m));
  }
  return sensors;
}

// `n` sensors all round `centre`, `0.8..1.2 × radius_m` from it: evenly spaced azimuths
// (from a random start) each jittered by up to a quarter of the spacing. The geometry a
// network is designed for: no side of the source without a sensor.
inline std::vector<Eigen::Vector3d> SensorsOnRing(std::mt19937_64& rng, int n,
                                                  const Eigen::Vector2d& centre, double radius_m,
                                                  double min_height_m, double max_height_m) {
  const double spacing = 2.0 * std::numbers::pi / n;
  const double start = Uniform(rng, 0.0, spacing);
  std::vector<Eigen::Vector3d> sensors;
  for (int i = 0; i < n; ++i) {
    const double angle = start + spacing * (i + Uniform(rng, -0.25, 0.25));
    const double range_m = Uniform(rng, 0.8 * radius_m, 1.2 * radius_m);
    const Eigen::Vector2d xy = centre + range_m * Eigen::Vector2d(std::cos(angle), std::sin(angle));
    sensors.emplace_back(xy.x(), xy.y(), Uniform(rng, min_height_m, max_height_m));
  }
  return sensors;
}

// A `columns` × `rows` grid with `spacing_m` between neighbours, its corner at the origin,
// heights uniform in [`min_height_m`, `max_height_m`].
inline std::vector<Eigen::Vector3d> SensorGrid(std::mt19937_64& rng, int columns, int rows,
                                               double spacing_m, double min_height_m,
                                               double max_height_m) {
  std::vector<Eigen::Vector3d> sensors;
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      sensors.emplace_back(column * spacing_m, row * spacing_m,
                           Uniform(rng, min_height_m, max_height_m));
    }
  }
  return sensors;
}

// The exact arrivals of `source` at `sensors` under `model`, each with sigma `sigma_s`.
inline std::vector<Arrival> ExactArrivals(const std::vector<Eigen::Vector3d>& sensors,
                                          const Source& source, const Propagation& model,
                                          double sigma_s = 1e-3) {
  std::vector<Arrival> arrivals;
  for (const Eigen::Vector3d& sensor : sensors) {
    Arrival arrival;
    arrival.sensor_m = sensor;
    arrival.time_s = source.emission_s + TravelTimeS(model, source.position_m, sensor);
    arrival.sigma_s = sigma_s;
    arrivals.push_back(arrival);
  }
  return arrivals;
}

// Adds independent Gaussian noise of each arrival's own sigma to its time.
inline void AddTimingNoise(std::mt19937_64& rng, std::vector<Arrival>* arrivals) {
  for (Arrival& arrival : *arrivals) {
    arrival.time_s += std::normal_distribution<double>(0.0, arrival.sigma_s)(rng);
  }
}

// "<prefix><n>". Built by appending: GCC 12 at -O2 reports a false -Wrestrict for
// `prefix + std::to_string(n)` (GCC bug 105329).
inline std::string NumberedId(const char* prefix, size_t n) {
  std::string id = prefix;
  id += std::to_string(n);
  return id;
}

// A pulse stream under construction: shots, their echoes and unrelated pulses at a fixed
// set of sensors, each pulse with a unique id ("p<n>").
class PulseStream {
 public:
  PulseStream(std::vector<Eigen::Vector3d> sensors, const Propagation& model)
      : sensors_(std::move(sensors)), model_(model) {}

  const std::vector<Eigen::Vector3d>& sensors() const { return sensors_; }
  const std::vector<Pulse>& pulses() const { return pulses_; }

  // The direct arrival at sensor `sensor` of a shot at `position_m` emitted at
  // `emission_ns`, with Gaussian onset noise of `noise_s`. Returns the pulse's index.
  size_t AddDirect(std::mt19937_64& rng, int sensor, const Eigen::Vector3d& position_m,
                   int64_t emission_ns, double noise_s) {
    const double tau_s = TravelTimeS(model_, position_m, sensors_[sensor]);
    const double noise = noise_s > 0.0 ? std::normal_distribution<double>(0.0, noise_s)(rng) : 0.0;
    return Add(sensor, emission_ns + std::llround((tau_s + noise) * 1e9));
  }

  // A pulse at `sensor` at `onset_ns`. Returns the pulse's index.
  size_t Add(int sensor, int64_t onset_ns) {
    Pulse pulse;
    pulse.id = NumberedId("p", pulses_.size());
    pulse.sensor_id = NumberedId("s", static_cast<size_t>(sensor));
    pulse.onset_ns = onset_ns;
    pulse.sensor_position_m = sensors_[sensor];
    pulse.snr_db = 20.0;
    pulse.level_db_spl = 100.0;
    pulses_.push_back(std::move(pulse));
    return pulses_.size() - 1;
  }

 private:
  std::vector<Eigen::Vector3d> sensors_;
  Propagation model_;
  std::vector<Pulse> pulses_;
};

}  // namespace earshot::locate::internal

#endif  // EARSHOT_LOCATE_INTERNAL_SYNTHETIC_TEST_UTIL_H_
