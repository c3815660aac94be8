#include "earshot/sim/internal/render_arrival.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

namespace earshot::sim::internal {
namespace {

constexpr double kRateHz = 12000.0;

// A Gaussian pulse centred `centre` samples after sample 0, `sigma` samples wide: it has
// nothing left near Nyquist (e^-44 at sigma = 3), so its band-limited delay is exact.
double Gaussian(double t_samples, double centre, double sigma) {
  const double u = (t_samples - centre) / sigma;
  return std::exp(-0.5 * u * u);
}

std::vector<float> GaussianWaveform(double centre, double sigma, int length) {
  std::vector<float> waveform(static_cast<size_t>(length));
  for (int n = 0; n < length; ++n) waveform[n] = static_cast<float>(Gaussian(n, centre, sigma));
  return waveform;
}

double EnergyBetween(const std::vector<float>& signal, size_t begin, size_t end) {
  double energy = 0.0;
  for (size_t k = begin; k < end; ++k) energy += static_cast<double>(signal[k]) * signal[k];
  return energy;
}

TEST(ArrivalRendererTest, FlatResponseIsAFractionalDelay) {
  constexpr double kCentre = 24.0, kSigma = 3.0;
  const std::vector<float> waveform = GaussianWaveform(kCentre, kSigma, 64);
  const std::vector<double> unity = {1.0, 1.0};
  ArrivalRenderer renderer(kRateHz);
  for (double front : {1000.0, 1000.25, 1000.37, 1000.5, 1000.91, 1777.013}) {
    std::vector<float> signal(3000, 0.0f);
    renderer.Add(waveform, unity, front, signal);
    double max_error = 0.0, weighted_time = 0.0, weight = 0.0;
    for (size_t k = 0; k < signal.size(); ++k) {
      const double expected = Gaussian(static_cast<double>(k), front + kCentre, kSigma);
      max_error = std::max(max_error, std::abs(signal[k] - expected));
      weighted_time += static_cast<double>(k) * signal[k];
      weight += signal[k];
    }
    EXPECT_LT(max_error, 1e-5) << "front " << front;
    // The pulse's centre of mass is where the delay puts it, to a thousandth of a sample.
    EXPECT_NEAR(weighted_time / weight, front + kCentre, 1e-3) << "front " << front;
  }
}

// A waveform longer than a block (a firework's crackle) is filtered in segments; the
// segments add up to the whole, also where a pulse straddles a cut.
TEST(ArrivalRendererTest, LongWaveformIsDelayedWhole) {
  constexpr double kSigma = 3.0, kSpacing = 397.0;
  constexpr int kLength = 30000;
  ASSERT_GT(kLength, ArrivalRenderer::kMaxBlockSamples * 3);
  std::vector<float> waveform(kLength, 0.0f);
  // Pulses every kSpacing samples from sample 24 to kLength − 24 (only the nearest one
  // matters: the others are e^-8000 away).
  const auto train = [&](double t) {
    const double index =
        std::clamp(std::round((t - 24.0) / kSpacing), 0.0, std::floor((kLength - 48.0) / kSpacing));
    return Gaussian(t, 24.0 + index * kSpacing, kSigma);
  };
  for (int n = 0; n < kLength; ++n) waveform[n] = static_cast<float>(train(n));
  const std::vector<double> unity = {1.0, 1.0};
  ArrivalRenderer renderer(kRateHz);
  std::vector<float> signal(kLength + 2000, 0.0f);
  constexpr double kFront = 1000.37;
  const double peak = renderer.Add(waveform, unity, kFront, signal);
  double max_error = 0.0, expected_peak = 0.0;
  for (size_t k = 0; k < signal.size(); ++k) {
    const double expected = train(static_cast<double>(k) - kFront);
    max_error = std::max(max_error, std::abs(signal[k] - expected));
    expected_peak = std::max(expected_peak, expected);
  }
  EXPECT_LT(max_error, 1e-4);
  EXPECT_NEAR(peak, expected_peak, 1e-4);
}

TEST(ArrivalRendererTest, ReturnsThePeakAndScalesByAFlatGain) {
  const std::vector<float> waveform = GaussianWaveform(20.0, 3.0, 48);
  ArrivalRenderer renderer(kRateHz);
  std::vector<float> signal(1000, 0.0f);
  const std::vector<double> gain = {0.01, 0.01, 0.01};
  const double peak = renderer.Add(waveform, gain, 100.0, signal);
  EXPECT_NEAR(peak, 0.01, 1e-7);
  EXPECT_NEAR(signal[120], 0.01, 1e-7);
}

TEST(ArrivalRendererTest, PartsOutsideTheSignalAreCutNotMoved) {
  const std::vector<float> waveform = GaussianWaveform(30.0, 4.0, 80);
  const std::vector<double> lowpass = {1.0, 0.8, 0.3, 0.05, 0.01};
  ArrivalRenderer renderer(kRateHz);
  std::vector<float> early(200, 0.0f), late(300, 0.0f);
  const double early_peak = renderer.Add(waveform, lowpass, -30.3, early);
  const double late_peak = renderer.Add(waveform, lowpass, 69.7, late);
  EXPECT_FLOAT_EQ(early_peak, late_peak);
  for (size_t k = 0; k < early.size(); ++k) {
    EXPECT_NEAR(early[k], late[k + 100], 1e-6) << k;
  }
  std::vector<float> after(100, 0.0f);
  renderer.Add(waveform, lowpass, 500.0, after);
  for (float value : after) EXPECT_EQ(value, 0.0f);
}

// A strong low-pass, like a kilometre of air or a building's edge: applied with minimum
// phase, the arrival starts at its front and its spectrum has the asked-for magnitude.
TEST(ArrivalRendererTest, ResponseIsCausalWithTheGivenMagnitude) {
  constexpr int kPoints = 65;
  std::vector<double> gain(kPoints);
  for (int i = 0; i < kPoints; ++i) {
    const double x = static_cast<double>(i) / (kPoints - 1);
    gain[i] = 0.02 * std::pow(10.0, -40.0 * x * x / 20.0);  // −40 dB at Nyquist
  }
  ArrivalRenderer renderer(kRateHz);
  constexpr int kSize = 2048;
  constexpr int kFront = 300;
  std::vector<float> signal(kSize, 0.0f);
  const std::vector<float> impulse = {1.0f};
  renderer.Add(impulse, gain, kFront, signal);

  const double total = EnergyBetween(signal, 0, signal.size());
  ASSERT_GT(total, 0.0);
  EXPECT_LT(EnergyBetween(signal, 0, kFront), 1e-6 * total);
  // Its energy comes early, as a minimum-phase response's does.
  EXPECT_GT(EnergyBetween(signal, kFront, kFront + 16), 0.95 * total);

  // The magnitude of its spectrum, by a plain DFT, against the grid interpolated in dB.
  for (int k = 0; k <= kSize / 2; k += 37) {
    std::complex<double> sum = 0.0;
    for (int n = 0; n < kSize; ++n) {
      sum +=
          static_cast<double>(signal[n]) * std::polar(1.0, -2.0 * std::numbers::pi * k * n / kSize);
    }
    const double position = static_cast<double>(k) * (kPoints - 1) / (kSize / 2);
    const int i = std::min(static_cast<int>(position), kPoints - 2);
    const double t = position - i;
    const double expected_db =
        (1.0 - t) * 20.0 * std::log10(gain[i]) + t * 20.0 * std::log10(gain[i + 1]);
    EXPECT_NEAR(20.0 * std::log10(std::abs(sum)), expected_db, 0.1) << "bin " << k;
  }
}

TEST(ArrivalRendererTest, NextPowerOfTwo) {
  EXPECT_EQ(NextPowerOfTwo(1), 1);
  EXPECT_EQ(NextPowerOfTwo(2), 2);
  EXPECT_EQ(NextPowerOfTwo(3), 4);
  EXPECT_EQ(NextPowerOfTwo(4096), 4096);
  EXPECT_EQ(NextPowerOfTwo(4097), 8192);
}

}  // namespace
}  // namespace earshot::sim::internal
