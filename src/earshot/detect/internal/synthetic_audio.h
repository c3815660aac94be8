// Synthetic impulses for the detect module's tests and benchmark: arrivals with an exact,
// known start time at any fractional sample, background noise, wind and clipping.
// Deterministic given the caller's seeded generator. Not part of the library's API.
#ifndef EARSHOT_DETECT_INTERNAL_SYNTHETIC_AUDIO_H_
#define EARSHOT_DETECT_INTERNAL_SYNTHETIC_AUDIO_H_

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace earshot::detect::internal {

// A blast-like arrival starting at `start_s`: a linear rise over `rise_s` to `amplitude`,
// then a damped oscillation (decay `decay_s`, `ring_hz`), so its first lobe rises in a
// straight line from an exactly known start.
struct Arrival {
  double start_s = 0.0;
  double amplitude = 0.5;
  double rise_s = 0.5e-3;
  double decay_s = 3e-3;
  double ring_hz = 400.0;
};

inline double ArrivalValue(const Arrival& a, double t_s) {
  const double u = t_s - a.start_s;
  if (u <= 0.0) return 0.0;
  if (u < a.rise_s) return a.amplitude * u / a.rise_s;
  const double v = u - a.rise_s;
  return a.amplitude * std::exp(-v / a.decay_s) * std::cos(2.0 * std::numbers::pi * a.ring_hz * v);
}

// Adds the arrival to `samples` (sample k at time k / rate).
inline void AddArrival(const Arrival& a, double sample_rate_hz, std::vector<float>* samples) {
  const auto first = static_cast<size_t>(std::max(0.0, std::floor(a.start_s * sample_rate_hz)));
  const size_t last =
      std::min(samples->size(), first + static_cast<size_t>(sample_rate_hz * 12.0 * a.decay_s) +
                                    static_cast<size_t>(a.rise_s * sample_rate_hz) + 2);
  for (size_t k = first; k < last; ++k) {
    (*samples)[k] += static_cast<float>(ArrivalValue(a, static_cast<double>(k) / sample_rate_hz));
  }
}

inline void AddWhiteNoise(double rms, std::mt19937_64& rng, std::vector<float>* samples) {
  std::normal_distribution<double> normal(0.0, rms);
  for (float& s : *samples) s += static_cast<float>(normal(rng));
}

// Wind: a strong low-frequency sway.
inline void AddWind(double amplitude, double hz, double sample_rate_hz,
                    std::vector<float>* samples) {
  for (size_t k = 0; k < samples->size(); ++k) {
    (*samples)[k] +=
        static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * hz *
                                                static_cast<double>(k) / sample_rate_hz));
  }
}

inline void Clip(double ceiling, std::vector<float>* samples) {
  for (float& s : *samples) s = static_cast<float>(std::clamp<double>(s, -ceiling, ceiling));
}

}  // namespace earshot::detect::internal

#endif  // EARSHOT_DETECT_INTERNAL_SYNTHETIC_AUDIO_H_
