// Building blocks of shaped noise for the background and the noisy tails of sources:
// fast white noise from the simulator's generator, first-order sections in the biquad
// form of audio/biquad.h, and the noise gain that calibrates a filtered noise's level.
// Not part of the library's API.
#ifndef EARSHOT_SIM_INTERNAL_NOISE_FILTERS_H_
#define EARSHOT_SIM_INTERNAL_NOISE_FILTERS_H_

#include <span>
#include <vector>

#include "earshot/audio/biquad.h"
#include "earshot/sim/random.h"

namespace earshot::sim::internal {

// First-order low-pass and high-pass by the bilinear transform (pole prewarped to the
// corner), as biquads with b2 = a2 = 0, so they share audio::BiquadCascade.
audio::BiquadCoefficients OnePoleLowPass(double corner_hz, double sample_rate_hz);
audio::BiquadCoefficients OnePoleHighPass(double corner_hz, double sample_rate_hz);
// First-order shelf (1 + s/ωz) / (1 + s/ωp): unity at DC, a 6 dB/octave slope between
// the corners (down when the pole is the lower corner, up when the zero is), flat beyond.
audio::BiquadCoefficients FirstOrderShelf(double zero_hz, double pole_hz, double sample_rate_hz);

// Fills `out` with white noise of zero mean and unit variance, uniformly distributed:
// two samples per 64-bit draw, a few times cheaper than Rng::Normal. Filtered noise is
// Gaussian to the eye anyway (the filter sums many samples), and the background renders
// minutes of audio for many sensors.
void FillUniformNoise(Rng& rng, std::span<float> out);

// Output variance of the cascade for white input of unit variance: the sum of its
// squared impulse response, run until `settle_s` (long enough for the slowest pole).
double WhiteNoiseGain(const std::vector<audio::BiquadCoefficients>& sections, double sample_rate_hz,
                      double settle_s);

// A corner frequency kept below Nyquist (a sensor at 8 kHz still gets a valid filter).
double CornerBelowNyquist(double corner_hz, double sample_rate_hz);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_NOISE_FILTERS_H_
