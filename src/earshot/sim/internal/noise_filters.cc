#include "earshot/sim/internal/noise_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "earshot/core/error.h"

namespace earshot::sim::internal {

audio::BiquadCoefficients OnePoleLowPass(double corner_hz, double sample_rate_hz) {
  const double k = std::tan(std::numbers::pi * corner_hz / sample_rate_hz);
  return {.b0 = k / (1.0 + k), .b1 = k / (1.0 + k), .b2 = 0.0, .a1 = (k - 1.0) / (k + 1.0)};
}

audio::BiquadCoefficients OnePoleHighPass(double corner_hz, double sample_rate_hz) {
  const double k = std::tan(std::numbers::pi * corner_hz / sample_rate_hz);
  return {.b0 = 1.0 / (1.0 + k), .b1 = -1.0 / (1.0 + k), .b2 = 0.0, .a1 = (k - 1.0) / (k + 1.0)};
}

audio::BiquadCoefficients FirstOrderShelf(double zero_hz, double pole_hz, double sample_rate_hz) {
  // Bilinear transform with each corner prewarped: s/ω → (1/tan(π f/fs)) (1 − z⁻¹)/(1 + z⁻¹).
  const double kz = 1.0 / std::tan(std::numbers::pi * zero_hz / sample_rate_hz);
  const double kp = 1.0 / std::tan(std::numbers::pi * pole_hz / sample_rate_hz);
  return {.b0 = (1.0 + kz) / (1.0 + kp),
          .b1 = (1.0 - kz) / (1.0 + kp),
          .b2 = 0.0,
          .a1 = (1.0 - kp) / (1.0 + kp)};
}

void FillUniformNoise(Rng& rng, std::span<float> out) {
  // A signed 32-bit integer over 2^31 is uniform on [-1, 1), variance 1/3.
  constexpr double kScale = 1.7320508075688772 / 2147483648.0;  // sqrt(3) / 2^31
  size_t n = 0;
  for (; n + 1 < out.size(); n += 2) {
    const uint64_t bits = rng.NextU64();
    out[n] = static_cast<float>(kScale * static_cast<int32_t>(static_cast<uint32_t>(bits)));
    out[n + 1] =
        static_cast<float>(kScale * static_cast<int32_t>(static_cast<uint32_t>(bits >> 32)));
  }
  if (n < out.size()) {
    out[n] =
        static_cast<float>(kScale * static_cast<int32_t>(static_cast<uint32_t>(rng.NextU64())));
  }
}

double WhiteNoiseGain(const std::vector<audio::BiquadCoefficients>& sections, double sample_rate_hz,
                      double settle_s) {
  EARSHOT_CHECK(sample_rate_hz > 0.0 && settle_s > 0.0);
  // In double, not through BiquadCascade's float interface: the tail of a slow pole is
  // many small values whose squares must not be lost.
  struct State {
    double z1 = 0.0, z2 = 0.0;
  };
  std::vector<State> state(sections.size());
  const auto length = static_cast<int64_t>(std::ceil(settle_s * sample_rate_hz));
  double gain = 0.0;
  for (int64_t n = 0; n < length; ++n) {
    double v = n == 0 ? 1.0 : 0.0;
    for (size_t i = 0; i < sections.size(); ++i) {
      const audio::BiquadCoefficients& k = sections[i];
      State& s = state[i];
      const double y = k.b0 * v + s.z1;
      s.z1 = k.b1 * v - k.a1 * y + s.z2;
      s.z2 = k.b2 * v - k.a2 * y;
      v = y;
    }
    gain += v * v;
  }
  return gain;
}

double CornerBelowNyquist(double corner_hz, double sample_rate_hz) {
  return std::min(corner_hz, 0.45 * sample_rate_hz);
}

}  // namespace earshot::sim::internal
