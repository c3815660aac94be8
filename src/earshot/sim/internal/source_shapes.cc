#include "earshot/sim/internal/source_shapes.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>

#include "earshot/audio/biquad.h"
#include "earshot/core/error.h"
#include "earshot/sim/internal/noise_filters.h"

namespace earshot::sim::internal {
namespace {

// The table of docs/simulation.md ("Sources"). Levels are peaks at 1 m on the loudest
// axis; durations are the main pulse's positive phase; dominant frequencies are the peak
// of each model's energy spectrum (measured by source_waveform_test).

SourceShape Handgun() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 150.0,
              .peak_db_spl_at_1m_max = 165.0,
              .positive_phase_s = 0.45e-3,
              .dominant_frequency_hz = 900.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 10.0,
              .cadence_s = 0.08};
  s.decay_b = 1.3;
  s.tail = {
      .rms = 0.05, .corner_hz = 2000.0, .delay_s = 0.3e-3, .attack_s = 0.5e-3, .decay_s = 5e-3};
  s.length_s = 0.04;
  return s;
}

SourceShape Rifle() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 155.0,
              .peak_db_spl_at_1m_max = 170.0,
              .positive_phase_s = 0.6e-3,
              .dominant_frequency_hz = 680.0,
              .bullet_speed_mps = 900.0,
              .front_to_back_db = 15.0,
              .cadence_s = 0.085};
  s.decay_b = 1.2;
  s.tail = {
      .rms = 0.05, .corner_hz = 2000.0, .delay_s = 0.4e-3, .attack_s = 0.6e-3, .decay_s = 6e-3};
  s.length_s = 0.05;
  return s;
}

SourceShape Shotgun() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 150.0,
              .peak_db_spl_at_1m_max = 165.0,
              .positive_phase_s = 1.0e-3,
              .dominant_frequency_hz = 360.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 10.0,
              .cadence_s = 0.6};
  s.decay_b = 1.1;
  s.tail = {.rms = 0.06, .corner_hz = 1500.0, .delay_s = 0.6e-3, .attack_s = 1e-3, .decay_s = 8e-3};
  s.length_s = 0.06;
  return s;
}

SourceShape Firecracker() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 130.0,
              .peak_db_spl_at_1m_max = 150.0,
              .positive_phase_s = 0.2e-3,
              .dominant_frequency_hz = 1900.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 0.04};
  s.decay_b = 1.5;
  s.tail = {
      .rms = 0.03, .corner_hz = 4000.0, .delay_s = 0.2e-3, .attack_s = 0.3e-3, .decay_s = 2e-3};
  s.length_s = 0.025;
  return s;
}

SourceShape FireworkLift() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 130.0,
              .peak_db_spl_at_1m_max = 145.0,
              .positive_phase_s = 2.5e-3,
              .dominant_frequency_hz = 110.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 1.0};
  s.decay_b = 0.8;
  s.rise_s = 0.4e-3;
  s.resonances[0] = {.amplitude = 0.25, .frequency_hz = 120.0, .decay_s = 12e-3, .delay_s = 0.5e-3};
  s.tail = {.rms = 0.06, .corner_hz = 800.0, .delay_s = 1e-3, .attack_s = 2e-3, .decay_s = 15e-3};
  s.length_s = 0.1;
  return s;
}

SourceShape FireworkBurst() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 140.0,
              .peak_db_spl_at_1m_max = 160.0,
              .positive_phase_s = 2.0e-3,
              .dominant_frequency_hz = 240.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 1.0};
  s.decay_b = 1.0;
  s.tail = {.rms = 0.08, .corner_hz = 300.0, .delay_s = 1e-3, .attack_s = 3e-3, .decay_s = 80e-3};
  s.crackle = {.probability = 0.4,
               .min_pops = 40,
               .max_pops = 150,
               .begin_s = 0.15,
               .end_s = 1.4,
               .min_db = -34.0,
               .max_db = -22.0,
               .positive_phase_s = 0.15e-3,
               .length_s = 1.6};
  s.length_s = 0.4;
  return s;
}

SourceShape Backfire() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 125.0,
              .peak_db_spl_at_1m_max = 145.0,
              .positive_phase_s = 1.5e-3,
              .dominant_frequency_hz = 85.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 4.0,  // the axis is the tailpipe's
              .cadence_s = 0.0};
  s.decay_b = 1.0;
  s.rise_s = 0.15e-3;
  s.resonances[0] = {.amplitude = 0.3, .frequency_hz = 90.0, .decay_s = 20e-3, .delay_s = 0.5e-3};
  s.tail = {
      .rms = 0.05, .corner_hz = 1000.0, .delay_s = 0.5e-3, .attack_s = 1e-3, .decay_s = 10e-3};
  s.length_s = 0.1;
  return s;
}

SourceShape DoorSlam() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 110.0,
              .peak_db_spl_at_1m_max = 125.0,
              .positive_phase_s = 3e-3,
              .dominant_frequency_hz = 70.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 0.0};
  s.decay_b = 0.8;
  s.rise_s = 0.8e-3;
  s.resonances[0] = {.amplitude = 0.5, .frequency_hz = 70.0, .decay_s = 25e-3, .delay_s = 0.5e-3};
  s.resonances[1] = {.amplitude = 0.25, .frequency_hz = 1800.0, .decay_s = 3e-3, .delay_s = 0.3e-3};
  s.length_s = 0.15;
  return s;
}

SourceShape Hammer() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 115.0,
              .peak_db_spl_at_1m_max = 130.0,
              .positive_phase_s = 0.3e-3,
              .dominant_frequency_hz = 600.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 0.6};
  s.decay_b = 2.0;
  s.resonances[0] = {.amplitude = 0.35, .frequency_hz = 600.0, .decay_s = 12e-3, .delay_s = 0.0};
  s.resonances[1] = {.amplitude = 0.2, .frequency_hz = 2400.0, .decay_s = 6e-3, .delay_s = 0.0};
  s.length_s = 0.06;
  return s;
}

SourceShape NailGun() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 120.0,
              .peak_db_spl_at_1m_max = 135.0,
              .positive_phase_s = 0.25e-3,
              .dominant_frequency_hz = 900.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 0.3};
  s.decay_b = 1.8;
  s.resonances[0] = {.amplitude = 0.2, .frequency_hz = 900.0, .decay_s = 8e-3, .delay_s = 0.0};
  s.tail = {.rms = 0.1, .corner_hz = 5000.0, .delay_s = 8e-3, .attack_s = 3e-3, .decay_s = 25e-3};
  s.length_s = 0.1;
  return s;
}

SourceShape BalloonPop() {
  SourceShape s;
  s.traits = {.peak_db_spl_at_1m_min = 125.0,
              .peak_db_spl_at_1m_max = 140.0,
              .positive_phase_s = 0.25e-3,
              .dominant_frequency_hz = 1100.0,
              .bullet_speed_mps = 0.0,
              .front_to_back_db = 0.0,
              .cadence_s = 0.0};
  // b = 1: a Friedlander pulse with no net impulse (a balloon releases no gas).
  s.decay_b = 1.0;
  s.resonances[0] = {.amplitude = 0.1, .frequency_hz = 1200.0, .decay_s = 3e-3, .delay_s = 0.0};
  s.length_s = 0.03;
  return s;
}

// A normal draw kept within ±2.5 σ, so that a rare draw never makes a freak round.
double Jitter(Rng& rng) { return std::clamp(rng.Normal(), -2.5, 2.5); }

// ∫0^t of a unit Friedlander pulse (1 − t/T) e^(−b t/T): with x = t/T,
// T [e^(−bx) (x/b + (1 − b)/b²) − (1 − b)/b²].
double FriedlanderIntegral(double t_s, double positive_phase_s, double decay_b) {
  if (t_s <= 0.0) return 0.0;
  const double x = t_s / positive_phase_s;
  const double c = (1.0 - decay_b) / (decay_b * decay_b);
  return positive_phase_s * (std::exp(-decay_b * x) * (x / decay_b + c) - c);
}

// ∫0^t of the main pulse: the raised-cosine rise 0.5 (1 − cos(π t/r)), then Friedlander.
double MainPulseIntegral(const RoundShape& round, double t_s) {
  if (t_s <= 0.0) return 0.0;
  const double r = round.rise_s;
  if (t_s < r) return 0.5 * (t_s - r / std::numbers::pi * std::sin(std::numbers::pi * t_s / r));
  return 0.5 * r + FriedlanderIntegral(t_s - r, round.positive_phase_s, round.decay_b);
}

// The samples k in [1, size) whose period ((k − 1)/fs, k/fs] meets [begin_s, end_s].
struct SampleRange {
  int64_t first = 1;
  int64_t last = 0;
};
SampleRange SamplesOver(double begin_s, double end_s, double sample_rate_hz, size_t size) {
  return {std::max<int64_t>(1, static_cast<int64_t>(std::floor(begin_s * sample_rate_hz)) + 1),
          std::min<int64_t>(static_cast<int64_t>(size) - 1,
                            static_cast<int64_t>(std::ceil(end_s * sample_rate_hz)) + 1)};
}

// The integrating sampler: sample k gets the mean of a component over ((k − 1)/fs, k/fs],
// from the component's integral `integral(t)` (zero before `begin_s`, constant after
// `end_s`). Exact whatever falls inside a sample period, one evaluation per sample.
template <typename F>
void AddIntegrated(double begin_s, double end_s, double sample_rate_hz, const F& integral,
                   std::vector<double>& samples) {
  const SampleRange range = SamplesOver(begin_s, end_s, sample_rate_hz, samples.size());
  double previous = integral(static_cast<double>(range.first - 1) / sample_rate_hz);
  for (int64_t k = range.first; k <= range.last; ++k) {
    const double current = integral(static_cast<double>(k) / sample_rate_hz);
    samples[static_cast<size_t>(k)] += (current - previous) * sample_rate_hz;
    previous = current;
  }
}

// A resonance through the integrating sampler. Its integral is Im[A (e^(s u) − 1) / s]
// with s = −1/decay + iω and u the time since it started; e^(s u) at successive samples
// comes from one complex multiplication each.
void AddResonance(const Resonance& r, double sample_rate_hz, std::vector<double>& samples) {
  const SampleRange range =
      SamplesOver(r.delay_s, r.delay_s + 16.0 * r.decay_s, sample_rate_hz, samples.size());
  if (range.first > range.last) return;
  const std::complex<double> s(-1.0 / r.decay_s, 2.0 * std::numbers::pi * r.frequency_hz);
  const auto integral = [&](std::complex<double> growth) {
    return r.amplitude * ((growth - 1.0) / s).imag();
  };
  const double dt = 1.0 / sample_rate_hz;
  const double u_before = std::max(0.0, static_cast<double>(range.first - 1) * dt - r.delay_s);
  const double u_first = static_cast<double>(range.first) * dt - r.delay_s;  // > 0
  double previous = integral(std::exp(s * u_before));
  std::complex<double> growth = std::exp(s * u_first);
  const std::complex<double> step = std::exp(s * dt);
  for (int64_t k = range.first; k <= range.last; ++k) {
    const double current = integral(growth);
    samples[static_cast<size_t>(k)] += (current - previous) * sample_rate_hz;
    previous = current;
    growth *= step;
  }
}

// Where a Friedlander pulse has decayed below 1e-7 of its peak, in units of T.
double FriedlanderSupport(double decay_b) { return 5.0 + 25.0 / decay_b; }

void AddTail(const NoiseTail& tail, double sample_rate_hz, Rng& rng, std::vector<double>& samples) {
  if (tail.rms <= 0.0) return;
  std::vector<float> noise(samples.size());
  FillUniformNoise(rng, noise);
  const std::vector<audio::BiquadCoefficients> sections = {
      OnePoleLowPass(CornerBelowNyquist(tail.corner_hz, sample_rate_hz), sample_rate_hz)};
  const double scale = tail.rms / std::sqrt(WhiteNoiseGain(sections, sample_rate_hz, 0.05));
  audio::BiquadCascade filter(sections);
  filter.Process(noise, noise);
  // The envelope's two exponentials advance by one factor per sample.
  const auto first = static_cast<size_t>(std::floor(tail.delay_s * sample_rate_hz)) + 1;
  if (first >= samples.size()) return;
  const double t_first = static_cast<double>(first) / sample_rate_hz - tail.delay_s;  // > 0
  double attack = std::exp(-t_first / tail.attack_s);
  double decay = std::exp(-t_first / tail.decay_s);
  const double attack_step = std::exp(-1.0 / (sample_rate_hz * tail.attack_s));
  const double decay_step = std::exp(-1.0 / (sample_rate_hz * tail.decay_s));
  for (size_t k = first; k < samples.size(); ++k) {
    samples[k] += scale * (1.0 - attack) * decay * noise[k];
    attack *= attack_step;
    decay *= decay_step;
  }
}

}  // namespace

const SourceShape& ShapeOf(SourceKind kind) {
  // In the order of SourceKind.
  static const std::array<SourceShape, 11> kShapes = {
      Handgun(),  Rifle(),    Shotgun(), Firecracker(), FireworkLift(), FireworkBurst(),
      Backfire(), DoorSlam(), Hammer(),  NailGun(),     BalloonPop()};
  const auto index = static_cast<size_t>(kind);
  EARSHOT_CHECK(index < kShapes.size());
  return kShapes[index];
}

RoundShape DrawRound(const SourceShape& shape, Rng& rng) {
  RoundShape round;
  round.positive_phase_s = shape.traits.positive_phase_s * std::exp(0.06 * Jitter(rng));
  round.decay_b = shape.decay_b * std::exp(0.08 * Jitter(rng));
  round.rise_s = shape.rise_s * std::exp(0.1 * Jitter(rng));
  for (size_t i = 0; i < shape.resonances.size(); ++i) {
    Resonance r = shape.resonances[i];
    r.frequency_hz *= std::exp(0.05 * Jitter(rng));
    r.amplitude *= std::pow(10.0, 2.0 * Jitter(rng) / 20.0);
    r.decay_s *= std::exp(0.1 * Jitter(rng));
    round.resonances[i] = r;
  }
  round.tail = shape.tail;
  round.tail.rms *= std::pow(10.0, 2.0 * Jitter(rng) / 20.0);
  round.tail.decay_s *= std::exp(0.1 * Jitter(rng));
  round.length_s = shape.length_s;
  const Crackle& crackle = shape.crackle;
  if (crackle.probability > 0.0 && rng.Bernoulli(crackle.probability)) {
    const auto span = static_cast<uint64_t>(crackle.max_pops - crackle.min_pops + 1);
    const int pops = crackle.min_pops + static_cast<int>(rng.Below(span));
    for (int i = 0; i < pops; ++i) {
      Pop pop;
      pop.time_s = rng.Uniform(crackle.begin_s, crackle.end_s);
      pop.amplitude = std::pow(10.0, rng.Uniform(crackle.min_db, crackle.max_db) / 20.0);
      pop.positive_phase_s = crackle.positive_phase_s * rng.Uniform(0.7, 1.5);
      round.pops.push_back(pop);
    }
    round.length_s = crackle.length_s;
  }
  return round;
}

std::vector<double> SampleRound(const RoundShape& round, double sample_rate_hz, Rng& rng) {
  EARSHOT_CHECK(sample_rate_hz > 0.0 && round.length_s > 0.0);
  const auto count =
      static_cast<size_t>(std::max<int64_t>(2, std::llround(round.length_s * sample_rate_hz)));
  std::vector<double> samples(count, 0.0);
  AddIntegrated(
      0.0, round.rise_s + round.positive_phase_s * FriedlanderSupport(round.decay_b),
      sample_rate_hz, [&](double t) { return MainPulseIntegral(round, t); }, samples);
  for (const Resonance& r : round.resonances) {
    if (r.amplitude > 0.0) AddResonance(r, sample_rate_hz, samples);
  }
  for (const Pop& pop : round.pops) {
    constexpr double kPopDecayB = 1.5;
    AddIntegrated(
        pop.time_s, pop.time_s + pop.positive_phase_s * FriedlanderSupport(kPopDecayB),
        sample_rate_hz,
        [&](double t) {
          return pop.amplitude *
                 FriedlanderIntegral(t - pop.time_s, pop.positive_phase_s, kPopDecayB);
        },
        samples);
  }
  AddTail(round.tail, sample_rate_hz, rng, samples);
  return samples;
}

}  // namespace earshot::sim::internal
