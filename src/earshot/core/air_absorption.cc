#include "earshot/core/air_absorption.h"

#include <cmath>

namespace earshot {
namespace {

// Reference conditions of ISO 9613-1:1993, section 6.
constexpr double kReferenceTemperatureK = 293.15;  // 20 °C
constexpr double kTriplePointK = 273.16;           // of water, for the vapour pressure
constexpr double kCelsiusToKelvin = 273.15;

// Molar concentration of water vapour, percent, from relative humidity (Annex B: the
// saturation vapour pressure over liquid water as 10^C with C of the standard).
double MolarWaterVapourPct(double relative_humidity_pct, double temperature_k,
                           double pressure_ratio) {
  const double c = -6.8346 * std::pow(kTriplePointK / temperature_k, 1.261) + 4.6151;
  return relative_humidity_pct * std::pow(10.0, c) / pressure_ratio;
}

}  // namespace

double AirAbsorptionDbPerM(double frequency_hz, double temperature_c, double relative_humidity_pct,
                           double pressure_kpa) {
  const double t_k = temperature_c + kCelsiusToKelvin;
  const double p_ratio = pressure_kpa / kStandardPressureKpa;
  const double t_ratio = t_k / kReferenceTemperatureK;
  const double h_pct = MolarWaterVapourPct(relative_humidity_pct, t_k, p_ratio);

  // Relaxation frequencies of oxygen and nitrogen, Hz (equations 3 and 4): water vapour
  // is what lets the molecules relax, so humid air absorbs at higher frequencies.
  const double f_ro = p_ratio * (24.0 + 4.04e4 * h_pct * (0.02 + h_pct) / (0.391 + h_pct));
  const double f_rn =
      p_ratio / std::sqrt(t_ratio) *
      (9.0 + 280.0 * h_pct * std::exp(-4.170 * (std::pow(t_ratio, -1.0 / 3.0) - 1.0)));

  // Equation 5: the classical and rotational term plus the two vibrational relaxations.
  const double f2 = frequency_hz * frequency_hz;
  const double classical = 1.84e-11 / p_ratio * std::sqrt(t_ratio);
  const double oxygen = 0.01275 * std::exp(-2239.1 / t_k) / (f_ro + f2 / f_ro);
  const double nitrogen = 0.1068 * std::exp(-3352.0 / t_k) / (f_rn + f2 / f_rn);
  return 8.686 * f2 * (classical + std::pow(t_ratio, -2.5) * (oxygen + nitrogen));
}

}  // namespace earshot
