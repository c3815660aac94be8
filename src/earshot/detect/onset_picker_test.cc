#include "earshot/detect/onset_picker.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/detect/internal/synthetic_audio.h"

namespace earshot::detect {
namespace {

constexpr double kRateHz = 12000.0;
constexpr int kBackground = 36;  // 3 ms

// A window with kBackground samples of background and the arrival starting after them at
// `start_samples` (fractional), plus optional noise.
std::vector<float> Window(const internal::Arrival& shape, double start_samples, double noise_rms,
                          std::mt19937_64* rng) {
  std::vector<float> window(120, 0.0f);
  internal::Arrival arrival = shape;
  arrival.start_s = start_samples / kRateHz;
  internal::AddArrival(arrival, kRateHz, &window);
  if (noise_rms > 0.0) internal::AddWhiteNoise(noise_rms, *rng, &window);
  return window;
}

TEST(PickOnsetTest, ExactStartInQuietAtEveryFraction) {
  for (double fraction = 0.0; fraction < 1.0; fraction += 0.125) {
    const double start = kBackground + 10 + fraction;
    const OnsetEstimate estimate = PickOnset(Window({}, start, 0.0, nullptr), kBackground);
    ASSERT_TRUE(estimate.found);
    EXPECT_NEAR(estimate.onset, start, 0.1) << "fraction " << fraction;
  }
}

TEST(PickOnsetTest, AmplitudeAndPolarityDoNotMoveTheOnset) {
  for (double amplitude : {-0.9, -0.01, 0.001, 0.3}) {
    internal::Arrival shape;
    shape.amplitude = amplitude;
    const double start = kBackground + 12.37;
    const OnsetEstimate estimate = PickOnset(Window(shape, start, 0.0, nullptr), kBackground);
    ASSERT_TRUE(estimate.found);
    EXPECT_NEAR(estimate.onset, start, 0.1) << "amplitude " << amplitude;
  }
}

TEST(PickOnsetTest, DriftingBackgroundIsRemoved) {
  std::vector<float> window = Window({}, kBackground + 8.6, 0.0, nullptr);
  for (size_t k = 0; k < window.size(); ++k) window[k] += static_cast<float>(0.2 + 0.001 * k);
  const OnsetEstimate estimate = PickOnset(window, kBackground);
  ASSERT_TRUE(estimate.found);
  EXPECT_NEAR(estimate.onset, kBackground + 8.6, 0.1);
}

TEST(PickOnsetTest, LouderEchoInTheWindowDoesNotMoveTheOnset) {
  const double start = kBackground + 6.3;
  std::vector<float> window = Window({.amplitude = 0.02}, start, 0.0, nullptr);
  internal::Arrival echo{.amplitude = 0.2};  // 20 dB louder, 3 ms later
  echo.start_s = (start + 36.0) / kRateHz;
  internal::AddArrival(echo, kRateHz, &window);
  const OnsetEstimate estimate = PickOnset(window, kBackground);
  ASSERT_TRUE(estimate.found);
  EXPECT_NEAR(estimate.onset, start, 0.1);
}

// Noise: errors scatter as the fit predicts (the reported sigma), without bias.
TEST(PickOnsetTest, ErrorsInNoiseStayWithinThePredictedSpread) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  const double noise_rms = 0.5 / 300.0;  // peak 50 dB over the noise
  double sum_error = 0.0, sum_sq_error = 0.0, sum_sq_predicted = 0.0;
  const int trials = 400;
  for (int trial = 0; trial < trials; ++trial) {
    const double start = kBackground + 10 + fraction(rng);
    const OnsetEstimate estimate = PickOnset(Window({}, start, noise_rms, &rng), kBackground);
    ASSERT_TRUE(estimate.found);
    const double error = estimate.onset - start;
    sum_error += error;
    sum_sq_error += error * error;
    sum_sq_predicted += estimate.sigma_samples * estimate.sigma_samples;
  }
  const double rms_error = std::sqrt(sum_sq_error / trials);
  const double rms_predicted = std::sqrt(sum_sq_predicted / trials);
  EXPECT_GT(rms_predicted, 0.0);
  EXPECT_LT(rms_error, 1.5 * rms_predicted);
  EXPECT_LT(std::abs(sum_error / trials), 0.1);
}

TEST(PickOnsetTest, BackgroundOnlyFindsNothing) {
  std::mt19937_64 rng(7);
  std::vector<float> window(120, 0.0f);
  internal::AddWhiteNoise(0.01, rng, &window);
  EXPECT_FALSE(PickOnset(window, kBackground).found);
}

}  // namespace
}  // namespace earshot::detect
