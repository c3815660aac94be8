#include "earshot/audio/biquad.h"

#include <cmath>
#include <numbers>

#include "earshot/core/error.h"

namespace earshot::audio {
namespace {

struct Prewarped {
  double cos_w0, alpha;
};

Prewarped Prewarp(double f_hz, double fs_hz, double q) {
  const double w0 = 2.0 * std::numbers::pi * f_hz / fs_hz;
  return {std::cos(w0), std::sin(w0) / (2.0 * q)};
}

BiquadCoefficients Normalised(double b0, double b1, double b2, double a0, double a1, double a2) {
  return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

}  // namespace

BiquadCoefficients HighPass(double corner_hz, double sample_rate_hz, double q) {
  const auto [c, alpha] = Prewarp(corner_hz, sample_rate_hz, q);
  return Normalised((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

BiquadCoefficients LowPass(double corner_hz, double sample_rate_hz, double q) {
  const auto [c, alpha] = Prewarp(corner_hz, sample_rate_hz, q);
  return Normalised((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

BiquadCoefficients BandPass(double center_hz, double sample_rate_hz, double q) {
  const auto [c, alpha] = Prewarp(center_hz, sample_rate_hz, q);
  return Normalised(alpha, 0.0, -alpha, 1 + alpha, -2 * c, 1 - alpha);
}

BiquadCascade::BiquadCascade(std::vector<BiquadCoefficients> sections)
    : sections_(std::move(sections)), state_(sections_.size()) {}

BiquadCascade BiquadCascade::ButterworthHighPass4(double corner_hz, double sample_rate_hz) {
  // Pole pairs of a 4th-order Butterworth: Q = 1 / (2 cos(pi/8)), 1 / (2 cos(3 pi/8)).
  const double q1 = 1.0 / (2.0 * std::cos(std::numbers::pi / 8.0));
  const double q2 = 1.0 / (2.0 * std::cos(3.0 * std::numbers::pi / 8.0));
  return BiquadCascade(
      {HighPass(corner_hz, sample_rate_hz, q1), HighPass(corner_hz, sample_rate_hz, q2)});
}

float BiquadCascade::Process(float x) {
  double v = x;
  for (size_t i = 0; i < sections_.size(); ++i) {
    const BiquadCoefficients& k = sections_[i];
    State& s = state_[i];
    const double y = k.b0 * v + s.z1;
    s.z1 = k.b1 * v - k.a1 * y + s.z2;
    s.z2 = k.b2 * v - k.a2 * y;
    v = y;
  }
  return static_cast<float>(v);
}

void BiquadCascade::Process(std::span<const float> in, std::span<float> out) {
  EARSHOT_CHECK(in.size() == out.size());
  for (size_t n = 0; n < in.size(); ++n) out[n] = Process(in[n]);
}

void BiquadCascade::Reset() {
  for (State& s : state_) s = State{};
}

}  // namespace earshot::audio
