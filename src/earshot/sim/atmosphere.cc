#include "earshot/sim/atmosphere.h"

#include "earshot/core/air_absorption.h"
#include "earshot/core/error.h"
#include "earshot/core/weather.h"

namespace earshot::sim {

double AbsorptionDbPerM(double frequency_hz, const Atmosphere& air) {
  return AirAbsorptionDbPerM(frequency_hz, air.weather.temperature_c, air.relative_humidity_pct,
                             air.pressure_kpa);
}

double TravelTimeS(const Eigen::Vector3d& from_m, const Eigen::Vector3d& to_m,
                   const Atmosphere& air) {
  const Eigen::Vector3d leg = to_m - from_m;
  const double length_m = leg.norm();
  if (length_m == 0.0) return 0.0;
  const Eigen::Vector2d wind = WindVelocityEnMps(air.weather);
  const double along_mps = wind.dot(leg.head<2>()) / length_m;
  const double speed_mps = SpeedOfSoundMps(air.weather.temperature_c) + along_mps;
  // A wind as fast as sound is refused where the scene is read; here it is a bug.
  EARSHOT_CHECK(speed_mps > 0.0);
  return length_m / speed_mps;
}

}  // namespace earshot::sim
