// The air the sound travels through: temperature sets the speed of sound, wind carries
// the wavefront. Both come from options or a weather file (the nearest airport's report).
#ifndef EARSHOT_CORE_WEATHER_H_
#define EARSHOT_CORE_WEATHER_H_

#include <cmath>

#include <Eigen/Core>

namespace earshot {

struct Weather {
  double temperature_c = 15.0;
  double wind_speed_mps = 0.0;
  // Meteorological convention: the direction the wind blows FROM, degrees clockwise
  // from north (a 270° wind blows from the west, towards the east).
  double wind_from_deg = 0.0;
};

// Speed of sound in dry air: c = 20.05·√(T + 273.15) m/s (DESIGN.md §4).
inline double SpeedOfSoundMps(double temperature_c) {
  return 20.05 * std::sqrt(temperature_c + 273.15);
}

// The wind as an East-North velocity in m/s (the direction the air moves TO).
inline Eigen::Vector2d WindVelocityEnMps(const Weather& weather) {
  constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
  const double from_rad = weather.wind_from_deg * kDegToRad;
  return {-weather.wind_speed_mps * std::sin(from_rad),
          -weather.wind_speed_mps * std::cos(from_rad)};
}

}  // namespace earshot

#endif  // EARSHOT_CORE_WEATHER_H_
