#include "earshot/sim/internal/render_response.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace earshot::sim::internal {
namespace {

constexpr double kAntiAliasCornerFraction = 0.8;  // of Nyquist
constexpr double kAntiAliasStopDb = -60.0;        // at Nyquist

double GridFraction(int i) { return static_cast<double>(i) / (kResponseGridPoints - 1); }

}  // namespace

double AntiAliasGain(double fraction_of_nyquist) {
  const double x = std::clamp(fraction_of_nyquist, 0.0, 1.0);
  if (x <= kAntiAliasCornerFraction) return 1.0;
  const double u = (x - kAntiAliasCornerFraction) / (1.0 - kAntiAliasCornerFraction);
  const double loss_db = kAntiAliasStopDb * 0.5 * (1.0 - std::cos(std::numbers::pi * u));
  return std::pow(10.0, loss_db / 20.0);
}

std::vector<double> PathResponseGrid(const PropagationPath& path, const Atmosphere& air,
                                     double sample_rate_hz) {
  std::vector<double> gain(kResponseGridPoints);
  for (int i = 0; i < kResponseGridPoints; ++i) {
    const double fraction = GridFraction(i);
    gain[i] = PathGainAt(path, 0.5 * sample_rate_hz * fraction, air) * AntiAliasGain(fraction);
  }
  return gain;
}

std::vector<double> ConverterResponseGrid() {
  std::vector<double> gain(kResponseGridPoints);
  for (int i = 0; i < kResponseGridPoints; ++i) gain[i] = AntiAliasGain(GridFraction(i));
  return gain;
}

}  // namespace earshot::sim::internal
