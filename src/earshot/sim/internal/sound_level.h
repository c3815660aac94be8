// Sound pressure and its level in decibels, as every part of the simulator converts them:
// levels are dB re 20 µPa (dB SPL), amplitudes are pascals.
#ifndef EARSHOT_SIM_INTERNAL_SOUND_LEVEL_H_
#define EARSHOT_SIM_INTERNAL_SOUND_LEVEL_H_

#include <algorithm>
#include <cmath>

namespace earshot::sim::internal {

inline constexpr double kReferencePressurePa = 20e-6;  // 0 dB SPL

// A level change in dB as a pressure (amplitude) ratio.
inline double DbToAmplitudeRatio(double db) { return std::pow(10.0, db / 20.0); }

inline double DbSplToPa(double level_db_spl) {
  return kReferencePressurePa * DbToAmplitudeRatio(level_db_spl);
}

// Silence has no level; it reads as −400 dB SPL rather than −∞, so sums and comparisons
// stay finite.
inline double PaToDbSpl(double pressure_pa) {
  return 20.0 * std::log10(std::max(pressure_pa, 1e-25) / kReferencePressurePa);
}

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SOUND_LEVEL_H_
