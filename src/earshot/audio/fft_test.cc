#include "earshot/audio/fft.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <thread>

#include <gtest/gtest.h>

namespace earshot::audio {
namespace {

std::vector<float> Sine(int n, double frequency_hz, double sample_rate_hz, double amplitude) {
  std::vector<float> samples(n);
  for (int i = 0; i < n; ++i) {
    samples[i] = static_cast<float>(
        amplitude * std::sin(2 * std::numbers::pi * frequency_hz * i / sample_rate_hz));
  }
  return samples;
}

double Energy(const std::vector<float>& samples) {
  double sum = 0;
  for (float x : samples) sum += static_cast<double>(x) * x;
  return sum;
}

TEST(RealFftTest, ASineOnABinLandsInThatBin) {
  constexpr int kSize = 1024;
  constexpr double kRateHz = 12000.0;
  RealFft fft(kSize);
  ASSERT_EQ(fft.bins(), kSize / 2 + 1);
  const int bin = 100;  // 1171.875 Hz
  const double frequency_hz = fft.BinFrequencyHz(bin, kRateHz);
  EXPECT_DOUBLE_EQ(frequency_hz, 100 * kRateHz / kSize);
  const auto bins = fft.Forward(Sine(kSize, frequency_hz, kRateHz, 0.5));
  ASSERT_EQ(bins.size(), static_cast<size_t>(kSize / 2 + 1));
  // A unit sine of an exact bin has |X[k]| = N/2; everything else is rounding.
  EXPECT_NEAR(std::abs(bins[bin]), 0.5 * kSize / 2, 1e-2);
  for (int k = 0; k < fft.bins(); ++k) {
    if (k == bin) continue;
    EXPECT_LT(std::abs(bins[k]), 1e-2) << "bin " << k;
  }
}

TEST(RealFftTest, ShortInputIsZeroPadded) {
  RealFft fft(8);
  const std::vector<float> impulse = {1.0f};
  const auto bins = fft.Forward(impulse);
  for (const auto& x : bins) {
    EXPECT_FLOAT_EQ(x.real(), 1.0f);
    EXPECT_FLOAT_EQ(x.imag(), 0.0f);
  }
}

TEST(PowerSpectrumTest, ParsevalHoldsForEvenAndOddSizes) {
  std::mt19937 random(7);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  for (int size : {256, 255, 1, 2, 3000}) {
    std::vector<float> samples(size);
    for (float& x : samples) x = noise(random);
    RealFft fft(size);
    const std::vector<double> power = PowerSpectrum(fft, samples);
    ASSERT_EQ(power.size(), static_cast<size_t>(fft.bins()));
    const double total = std::accumulate(power.begin(), power.end(), 0.0);
    EXPECT_NEAR(total, Energy(samples), 1e-4 * Energy(samples)) << "size " << size;
  }
}

TEST(PowerSpectrumTest, ASinesPowerIsInItsBin) {
  constexpr int kSize = 512;
  RealFft fft(kSize);
  const std::vector<float> sine = Sine(kSize, fft.BinFrequencyHz(40, 8000.0), 8000.0, 1.0);
  const std::vector<double> power = PowerSpectrum(fft, sine);
  EXPECT_NEAR(power[40], Energy(sine), 1e-4 * Energy(sine));
}

TEST(RealFftTest, ThreadsWithTheirOwnFftsAgree) {
  // Plans are made under a lock and shared; execution runs in parallel.
  const std::vector<float> sine = Sine(2048, 1000.0, 12000.0, 0.7);
  RealFft reference_fft(2048);
  const auto reference = reference_fft.Forward(sine);
  const std::vector<std::complex<float>> expected(reference.begin(), reference.end());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        RealFft fft(2048 + (round % 3));  // new sizes plan while others execute
        RealFft same(2048);
        const auto bins = same.Forward(sine);
        if (!std::equal(bins.begin(), bins.end(), expected.begin())) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace earshot::audio
