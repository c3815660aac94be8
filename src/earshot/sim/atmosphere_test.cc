#include "earshot/sim/atmosphere.h"

#include <gtest/gtest.h>

#include "earshot/core/air_absorption.h"
#include "earshot/core/weather.h"

namespace earshot::sim {
namespace {

Atmosphere Air(double temperature_c, double relative_humidity_pct) {
  Atmosphere air;
  air.weather.temperature_c = temperature_c;
  air.relative_humidity_pct = relative_humidity_pct;
  air.pressure_kpa = 101.325;
  return air;
}

// The formula and its checks against ISO 9613-2 Table 2 live in core/air_absorption_test.cc;
// here only that the scene's air reaches it whole.
TEST(AbsorptionTest, IsTheCoreFormulaForTheScenesAir) {
  for (const double frequency_hz : {63.0, 1000.0, 8000.0}) {
    Atmosphere air = Air(-5.0, 35.0);
    air.pressure_kpa = 90.0;
    EXPECT_EQ(AbsorptionDbPerM(frequency_hz, air),
              AirAbsorptionDbPerM(frequency_hz, -5.0, 35.0, 90.0))
        << frequency_hz;
  }
}

Atmosphere Windy(double speed_mps, double from_deg) {
  Atmosphere air = Air(20.0, 70.0);
  air.weather.wind_speed_mps = speed_mps;
  air.weather.wind_from_deg = from_deg;
  return air;
}

TEST(TravelTimeTest, StillAirIsDistanceOverSpeedOfSound) {
  const Atmosphere air = Air(20.0, 70.0);
  const Eigen::Vector3d a(10.0, -5.0, 1.5), b(310.0, 395.0, 4.0);
  EXPECT_NEAR(TravelTimeS(a, b, air), (b - a).norm() / SpeedOfSoundMps(20.0), 1e-15);
  EXPECT_EQ(TravelTimeS(a, a, air), 0.0);
}

TEST(TravelTimeTest, DownwindIsShorterByTheWindAlongTheLeg) {
  // A west wind (from 270°) of 10 m/s blows towards the east.
  const Atmosphere air = Windy(10.0, 270.0);
  const double c = SpeedOfSoundMps(20.0);
  const Eigen::Vector3d origin(0.0, 0.0, 2.0);
  const Eigen::Vector3d east(1000.0, 0.0, 2.0), west(-1000.0, 0.0, 2.0);
  EXPECT_NEAR(TravelTimeS(origin, east, air), 1000.0 / (c + 10.0), 1e-12);
  EXPECT_NEAR(TravelTimeS(origin, west, air), 1000.0 / (c - 10.0), 1e-12);
  EXPECT_LT(TravelTimeS(origin, east, air), TravelTimeS(origin, west, air));
  // Across the wind the first-order effect vanishes.
  EXPECT_NEAR(TravelTimeS(origin, Eigen::Vector3d(0.0, 1000.0, 2.0), air), 1000.0 / c, 1e-12);
}

TEST(TravelTimeTest, OnlyTheHorizontalPartOfTheLegSeesTheWind) {
  const Atmosphere air = Windy(8.0, 180.0);                          // from the south: blows north
  const Eigen::Vector3d from(0.0, 0.0, 0.0), to(0.0, 300.0, 400.0);  // 500 m, 3/5 north
  EXPECT_NEAR(TravelTimeS(from, to, air), 500.0 / (SpeedOfSoundMps(20.0) + 8.0 * 0.6), 1e-12);
}

}  // namespace
}  // namespace earshot::sim
