#include "earshot/detect/detector.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/detect/internal/synthetic_audio.h"

namespace earshot::detect {
namespace {

constexpr double kRateHz = 12000.0;
constexpr int64_t kFirstSampleNs = 1'545'180'566'000'000'000;  // 2018-12-19T00:49:26Z

std::vector<DetectedPulse> Detect(const std::vector<float>& samples,
                                  const DetectorOptions& options = {}, size_t block = 4096,
                                  double rate_hz = kRateHz) {
  auto detector = ImpulseDetector::Create(options, rate_hz, kFirstSampleNs);
  EXPECT_TRUE(detector.has_value());
  std::vector<DetectedPulse> pulses;
  for (size_t k = 0; k < samples.size(); k += block) {
    const size_t n = std::min(block, samples.size() - k);
    (*detector)->Push(std::span<const float>(samples.data() + k, n));
    for (const DetectedPulse& p : (*detector)->TakePulses()) pulses.push_back(p);
  }
  (*detector)->Finish();
  for (const DetectedPulse& p : (*detector)->TakePulses()) pulses.push_back(p);
  return pulses;
}

// Two seconds of quiet background (40 dB SPL at 93 dB full scale).
std::vector<float> Background(std::mt19937_64& rng, double seconds = 2.0, double rate_hz = kRateHz,
                              double rms = 1e-4) {
  std::vector<float> samples(static_cast<size_t>(seconds * rate_hz), 0.0f);
  internal::AddWhiteNoise(rms, rng, &samples);
  return samples;
}

TEST(ImpulseDetectorTest, FractionalOnsetInQuietAtAnyRate) {
  for (double rate_hz : {12000.0, 24000.0, 48000.0}) {
    for (double fraction : {0.0, 0.25, 0.5, 0.75}) {
      std::mt19937_64 rng(1);
      std::vector<float> samples = Background(rng, 2.0, rate_hz, 1e-6);
      const double start_samples = 1.2 * rate_hz + 17 + fraction;
      internal::AddArrival({.start_s = start_samples / rate_hz}, rate_hz, &samples);
      const std::vector<DetectedPulse> pulses = Detect(samples, {}, 4096, rate_hz);
      ASSERT_EQ(pulses.size(), 1u) << rate_hz << " Hz, fraction " << fraction;
      EXPECT_NEAR(pulses[0].onset_sample, start_samples, 0.1) << rate_hz << " Hz";
      const int64_t expected_ns =
          kFirstSampleNs + static_cast<int64_t>(std::llround(start_samples * 1e9 / rate_hz));
      EXPECT_NEAR(static_cast<double>(pulses[0].onset_ns - expected_ns), 0.0, 0.1e9 / rate_hz);
    }
  }
}

TEST(ImpulseDetectorTest, OnsetErrorsInNoiseStayWithinThePredictedSpread) {
  DetectorOptions options;
  options.onset_model_sigma_s = 0.0;  // only the noise's share, which is what we test
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  double sum_sq_error = 0.0, sum_sq_predicted = 0.0, sum_error = 0.0;
  const int trials = 60;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<float> samples = Background(rng, 1.5, kRateHz, 2e-3);  // peak 48 dB over it
    const double start = 1.0 * kRateHz + fraction(rng);
    internal::AddArrival({.start_s = start / kRateHz}, kRateHz, &samples);
    const std::vector<DetectedPulse> pulses = Detect(samples, options);
    ASSERT_EQ(pulses.size(), 1u) << "trial " << trial;
    const double error = pulses[0].onset_sample - start;
    sum_error += error;
    sum_sq_error += error * error;
    const double predicted = pulses[0].onset_sigma_s * kRateHz;
    sum_sq_predicted += predicted * predicted;
  }
  const double rms_error = std::sqrt(sum_sq_error / trials);
  const double rms_predicted = std::sqrt(sum_sq_predicted / trials);
  EXPECT_LT(rms_error, 1.5 * rms_predicted) << "predicted " << rms_predicted;
  EXPECT_LT(std::abs(sum_error / trials), 0.15);
}

TEST(ImpulseDetectorTest, ShotsSixtyMillisecondsApartAreTwoPulses) {
  std::mt19937_64 rng(5);
  std::vector<float> samples = Background(rng);
  const double first_s = 1.0 + 3.3 / kRateHz, second_s = first_s + 0.060;
  internal::AddArrival({.start_s = first_s, .decay_s = 8e-3}, kRateHz, &samples);
  internal::AddArrival({.start_s = second_s, .decay_s = 8e-3}, kRateHz, &samples);
  const std::vector<DetectedPulse> pulses = Detect(samples);
  ASSERT_EQ(pulses.size(), 2u);
  EXPECT_NEAR(pulses[0].onset_sample, first_s * kRateHz, 0.2);
  EXPECT_NEAR(pulses[1].onset_sample, second_s * kRateHz, 0.2);
}

TEST(ImpulseDetectorTest, EchoTwentyDbLouderDoesNotMoveTheOnset) {
  for (double echo_delay_s : {0.004, 0.010, 0.025}) {
    std::mt19937_64 rng(9);
    std::vector<float> samples = Background(rng);
    const double direct_s = 1.0 + 0.6 / kRateHz;
    internal::AddArrival({.start_s = direct_s, .amplitude = 0.03}, kRateHz, &samples);
    internal::AddArrival({.start_s = direct_s + echo_delay_s, .amplitude = 0.3}, kRateHz, &samples);
    const std::vector<DetectedPulse> pulses = Detect(samples);
    ASSERT_GE(pulses.size(), 1u) << "echo after " << echo_delay_s << " s";
    EXPECT_NEAR(pulses[0].onset_sample, direct_s * kRateHz, 0.2)
        << "echo after " << echo_delay_s << " s";
  }
}

TEST(ImpulseDetectorTest, HoldsUpUnderWindAndClipping) {
  std::mt19937_64 rng(11);
  std::vector<float> samples = Background(rng, 2.0, kRateHz, 1e-3);
  internal::AddWind(0.1, 7.0, kRateHz, &samples);  // 20 dB over the blast's own noise
  const double start_s = 1.3 + 0.42 / kRateHz;
  internal::AddArrival({.start_s = start_s, .amplitude = 2.0}, kRateHz, &samples);
  internal::Clip(0.98, &samples);
  const std::vector<DetectedPulse> pulses = Detect(samples);
  ASSERT_EQ(pulses.size(), 1u);
  EXPECT_NEAR(pulses[0].onset_sample, start_s * kRateHz, 0.5);
  const auto clipped = static_cast<size_t>(
      std::find(kFeatureNames.begin(), kFeatureNames.end(), "clipped_fraction") -
      kFeatureNames.begin());
  EXPECT_GT(pulses[0].features[clipped], 0.0);
}

TEST(ImpulseDetectorTest, QuietBackgroundGivesNoPulse) {
  std::mt19937_64 rng(13);
  EXPECT_TRUE(Detect(Background(rng, 5.0, kRateHz, 1e-2)).empty());
}

TEST(ImpulseDetectorTest, BlockSizeDoesNotChangeTheResult) {
  std::mt19937_64 rng(17);
  std::vector<float> samples = Background(rng, 3.0, kRateHz, 1e-3);
  for (double t : {0.7, 1.31, 2.2}) internal::AddArrival({.start_s = t}, kRateHz, &samples);
  const std::vector<DetectedPulse> whole = Detect(samples, {}, samples.size());
  for (size_t block : {1u, 37u, 4096u}) {
    const std::vector<DetectedPulse> blocks = Detect(samples, {}, block);
    ASSERT_EQ(blocks.size(), whole.size()) << "block " << block;
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(blocks[i].onset_ns, whole[i].onset_ns);
      EXPECT_EQ(blocks[i].features, whole[i].features);
    }
  }
}

TEST(ImpulseDetectorTest, GapIsRecordedAndTimingStaysRightAfterIt) {
  std::mt19937_64 rng(19);
  auto detector = ImpulseDetector::Create({}, kRateHz, kFirstSampleNs);
  ASSERT_TRUE(detector.has_value());
  const std::vector<float> before = Background(rng, 1.0);
  (*detector)->Push(before);
  (*detector)->PushGap(6000, "capture overrun");  // half a second lost
  std::vector<float> after = Background(rng, 1.5);
  const double start_after_gap = 0.8 * kRateHz + 0.3;  // samples into `after`
  internal::AddArrival({.start_s = start_after_gap / kRateHz}, kRateHz, &after);
  (*detector)->Push(after);
  (*detector)->Finish();
  const std::vector<Gap> gaps = (*detector)->TakeGaps();
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first_sample, 12000);
  EXPECT_EQ(gaps[0].missing_samples, 6000);
  EXPECT_EQ(gaps[0].start_ns, kFirstSampleNs + 1'000'000'000);
  EXPECT_EQ(gaps[0].end_ns, kFirstSampleNs + 1'500'000'000);
  const std::vector<DetectedPulse> pulses = (*detector)->TakePulses();
  ASSERT_EQ(pulses.size(), 1u);
  const double expected_sample = 18000 + start_after_gap;
  EXPECT_NEAR(pulses[0].onset_sample, expected_sample, 0.1);
  EXPECT_NEAR(static_cast<double>(pulses[0].onset_ns - kFirstSampleNs),
              expected_sample * 1e9 / kRateHz, 1e4);
}

TEST(ImpulseDetectorTest, RefusesBadOptions) {
  EXPECT_FALSE(ImpulseDetector::Create({}, 0.0, 0).has_value());
  EXPECT_FALSE(ImpulseDetector::Create({}, std::nan(""), 0).has_value());
  DetectorOptions options;
  options.highpass_hz = 7000.0;
  const auto refused = ImpulseDetector::Create(options, 12000.0, 0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().ToString().find("highpass_hz"), std::string::npos);
}

}  // namespace
}  // namespace earshot::detect
