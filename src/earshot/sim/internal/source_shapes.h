// What each kind of source's waveform is made of, beyond the public SourceTraits: the
// main pulse's decay and rise, the resonances that ring after it (a mortar tube, a car
// door, a hammered nail), a noisy tail (muzzle gas, a nail gun's exhaust, a shell's
// rumble) and a firework's crackle. The values and where they come from are in
// docs/simulation.md ("Sources"). Not part of the library's API.
#ifndef EARSHOT_SIM_INTERNAL_SOURCE_SHAPES_H_
#define EARSHOT_SIM_INTERNAL_SOURCE_SHAPES_H_

#include <array>
#include <vector>

#include "earshot/sim/random.h"
#include "earshot/sim/scene.h"
#include "earshot/sim/source_waveform.h"

namespace earshot::sim::internal {

// A damped sinusoid that starts at `delay_s` after the front with zero phase (so the
// waveform stays continuous): amplitude · exp(−t/decay) · sin(2π f t).
struct Resonance {
  double amplitude = 0.0;  // re the main pulse's peak; 0: none
  double frequency_hz = 0.0;
  double decay_s = 1e-3;
  double delay_s = 0.0;
};

// Low-passed noise under the envelope (1 − exp(−t/attack)) · exp(−t/decay), t from
// `delay_s` after the front.
struct NoiseTail {
  double rms = 0.0;  // re the main pulse's peak, before the envelope; 0: none
  double corner_hz = 1000.0;
  double delay_s = 0.0;
  double attack_s = 0.5e-3;
  double decay_s = 5e-3;
};

// Small pops after a shell bursts (stars with crackle composition), each a short
// Friedlander pulse at a random time.
struct Crackle {
  double probability = 0.0;  // that a shell crackles at all
  int min_pops = 0;
  int max_pops = 0;
  double begin_s = 0.0;  // pops fall uniformly in [begin, end) after the front
  double end_s = 0.0;
  double min_db = -34.0;  // pop peak re the main pulse's peak
  double max_db = -22.0;
  double positive_phase_s = 0.15e-3;
  double length_s = 0.0;  // the waveform's length when the shell crackles
};

struct SourceShape {
  SourceTraits traits;
  double decay_b = 1.0;  // Friedlander b of the main pulse
  // A rounded front (the lift charge's thump, a door): a raised-cosine rise before the
  // Friedlander decay starts. 0 for a shock front.
  double rise_s = 0.0;
  std::array<Resonance, 2> resonances = {};
  NoiseTail tail;
  Crackle crackle;
  double length_s = 0.04;
};

const SourceShape& ShapeOf(SourceKind kind);

// One pop of a crackling shell.
struct Pop {
  double time_s = 0.0;
  double amplitude = 0.0;
  double positive_phase_s = 0.0;
};

// One round of a kind: its shape with this round's small random variations drawn.
struct RoundShape {
  double positive_phase_s = 1e-3;
  double decay_b = 1.0;
  double rise_s = 0.0;
  std::array<Resonance, 2> resonances = {};
  NoiseTail tail;
  std::vector<Pop> pops;
  double length_s = 0.04;
};

// Draws the variations of one round (a few per cent in duration and decay, a few dB in
// the resonances and the tail, the crackle's pops) in a fixed order from `rng`.
RoundShape DrawRound(const SourceShape& shape, Rng& rng);

// The round at `sample_rate_hz` with a unit main peak (before normalisation): each sample
// is the mean of the continuous waveform over the sample period that ends at it (an
// integrating sampler), so sample 0 is 0, the front rises within one sample and pulses
// shorter than a sample keep their area instead of aliasing. The noise tail, drawn from
// `rng`, is added at the sample rate.
std::vector<double> SampleRound(const RoundShape& round, double sample_rate_hz, Rng& rng);

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_SOURCE_SHAPES_H_
