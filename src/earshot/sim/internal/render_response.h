// What happens to an arrival's spectrum on its way into a sensor's samples: the path's
// gain (propagation.h: PathGainAt: spreading, absorption, reflections, barrier loss) and
// the converter's anti-alias filter, as a magnitude on an even frequency grid from 0 Hz
// to Nyquist, the form internal::ArrivalRenderer takes.
//
// The anti-alias filter matters because the sources are sampled straight from closed
// forms (source_waveform.h): a blast's front is a jump between two samples, with as much
// energy near Nyquist as a real converter would never let through. Delayed by a fraction
// of a sample, such a front rings before itself like a sinc (the sample just before it at
// −18 dB of the peak, −40 dB twenty samples before), and an onset picker reads that as
// an early start. The converter's roll-off above 80 % of Nyquist, minimum phase as an
// analog anti-alias filter is, removes that ringing (the sample just before the front at
// −45 dB) for the price of a group delay of about a third of a sample.
#ifndef EARSHOT_SIM_INTERNAL_RENDER_RESPONSE_H_
#define EARSHOT_SIM_INTERNAL_RENDER_RESPONSE_H_

#include <vector>

#include "earshot/sim/propagation.h"
#include "earshot/sim/scene.h"

namespace earshot::sim::internal {

// Points of the grid: absorption and barrier loss are smooth in frequency, and
// PathGainAt (ISO 9613-1 absorption) is too dear to call at every bin of a block.
inline constexpr int kResponseGridPoints = 65;

// Gain of the converter's anti-alias filter at `fraction_of_nyquist` in [0, 1]: 1 up to
// 0.8, then falling smoothly (a raised cosine in dB) to −60 dB at Nyquist.
double AntiAliasGain(double fraction_of_nyquist);

// The grid for an arrival over `path`: PathGainAt times the anti-alias gain.
std::vector<double> PathResponseGrid(const PropagationPath& path, const Atmosphere& air,
                                     double sample_rate_hz);

// The grid for a sound that carries its own level to the sensor (a bullet's N-wave):
// the anti-alias gain alone.
std::vector<double> ConverterResponseGrid();

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_RENDER_RESPONSE_H_
