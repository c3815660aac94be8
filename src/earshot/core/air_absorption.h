// How much of a sound the open air absorbs per metre, by ISO 9613-1:1993 (oxygen and
// nitrogen relaxation plus the classical and rotational term). At 20 °C, 70 % relative
// humidity and 1 kHz it is about 5.0 dB/km, at 4 kHz about 23 dB/km, which is why a
// distant bang sounds dull. Both the simulator and the classifier use it.
//
//   double alpha = AirAbsorptionDbPerM(1000.0, weather.temperature_c, 70.0);
//   double lost_db = alpha * range_m;
#ifndef EARSHOT_CORE_AIR_ABSORPTION_H_
#define EARSHOT_CORE_AIR_ABSORPTION_H_

namespace earshot {

// ISO 9613-1's reference atmospheric pressure, kPa.
inline constexpr double kStandardPressureKpa = 101.325;

// Pure-tone attenuation coefficient α of ISO 9613-1, dB per metre, at `frequency_hz`,
// an air temperature in °C, a relative humidity in percent (0–100) and a pressure in kPa.
double AirAbsorptionDbPerM(double frequency_hz, double temperature_c, double relative_humidity_pct,
                           double pressure_kpa = kStandardPressureKpa);

}  // namespace earshot

#endif  // EARSHOT_CORE_AIR_ABSORPTION_H_
