// The simulator's random numbers: the same seed gives byte-identical output on every
// machine and compiler. The standard library's distributions (std::normal_distribution
// and friends) are implementation-defined, so they are not used; the generator is
// xoshiro256** seeded through SplitMix64, and each distribution is written out here.
//
// Independent parts of a scene draw from independent streams, so that adding a sensor
// does not change the noise of another:
//
//   Rng rng = Rng::Stream(scenario_seed, "sensor/SIM-0042/clock");
//   double jitter_s = 20e-6 * rng.Normal();
#ifndef EARSHOT_SIM_RANDOM_H_
#define EARSHOT_SIM_RANDOM_H_

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace earshot::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = SplitMix64(&seed);
  }

  // A generator for one named part of a scene, independent of every other name.
  static Rng Stream(uint64_t seed, std::string_view name) {
    uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bit
    for (const char c : name) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    return Rng(seed ^ (hash * 0x9e3779b97f4a7c15ULL));
  }

  uint64_t NextU64() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : NextU64() % n; }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal (Box–Muller; the second value is kept for the next call).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = Uniform();
    while (u1 <= 0.0) u1 = Uniform();
    const double u2 = Uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }
  double Normal(double mean, double sigma) { return mean + sigma * Normal(); }

  // Exponential with the given mean (waiting times of a Poisson process).
  double Exponential(double mean) {
    double u = Uniform();
    while (u <= 0.0) u = Uniform();
    return -mean * std::log(u);
  }

  // Poisson count with the given mean (Knuth below 30, rounded normal above).
  int64_t Poisson(double mean) {
    if (mean <= 0.0) return 0;
    if (mean >= 30.0) {
      const double x = std::round(Normal(mean, std::sqrt(mean)));
      return x < 0.0 ? 0 : static_cast<int64_t>(x);
    }
    const double limit = std::exp(-mean);
    int64_t k = 0;
    double product = Uniform();
    while (product > limit) {
      ++k;
      product *= Uniform();
    }
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4] = {};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace earshot::sim

#endif  // EARSHOT_SIM_RANDOM_H_
