#include "earshot/sim/sensor_model.h"

#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "earshot/core/time.h"

namespace earshot::sim {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

SimSensor QuietSensor() {
  SimSensor sensor;
  sensor.id = "SIM-0001";
  sensor.full_scale_db_spl = 93.0;
  sensor.calibration_error_db = 0.0;
  sensor.self_noise_db_spl = -100.0;  // far below one code of the converter
  sensor.clock_jitter_s = 0.0;
  return sensor;
}

TEST(ClockTest, NoFaultMeansNoBias) {
  const SimSensor sensor = QuietSensor();
  EXPECT_EQ(ClockBiasS(sensor, 5 * kSecond), 0.0);
  EXPECT_FALSE(ClockFaulted(sensor, 5 * kSecond));
}

TEST(ClockTest, FaultIsOffsetPlusDriftSinceItsStart) {
  SimSensor sensor = QuietSensor();
  sensor.clock_faults.push_back({{100 * kSecond, 200 * kSecond}, 0.002, 1e-5});
  EXPECT_FALSE(ClockFaulted(sensor, 99 * kSecond));
  EXPECT_TRUE(ClockFaulted(sensor, 100 * kSecond));
  EXPECT_DOUBLE_EQ(ClockBiasS(sensor, 100 * kSecond), 0.002);
  // 50 s into the fault: 2 ms + 50 s * 10 µs/s = 2.5 ms.
  EXPECT_DOUBLE_EQ(ClockBiasS(sensor, 150 * kSecond), 0.0025);
  EXPECT_TRUE(ClockFaulted(sensor, 200 * kSecond));
  EXPECT_EQ(ClockBiasS(sensor, 201 * kSecond), 0.0);
}

TEST(ClockTest, StampWithoutJitterIsTrueTimePlusBias) {
  SimSensor sensor = QuietSensor();
  sensor.clock_faults.push_back({{0, 10 * kSecond}, 0.001, 0.0});
  Rng rng(1);
  EXPECT_EQ(StampTimeNs(sensor, 3 * kSecond, rng), 3 * kSecond + 1'000'000);
  EXPECT_EQ(StampTimeNs(sensor, 11 * kSecond, rng), 11 * kSecond);
}

TEST(ClockTest, JitterHasTheStatedSigmaAndNoMean) {
  SimSensor sensor = QuietSensor();
  sensor.clock_jitter_s = 20e-6;
  Rng rng(7);
  constexpr int kDraws = 20000;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double error_s = NanosToSeconds(StampTimeNs(sensor, kSecond, rng) - kSecond);
    sum += error_s;
    sum_sq += error_s * error_s;
  }
  const double mean = sum / kDraws;
  const double sigma = std::sqrt(sum_sq / kDraws - mean * mean);
  // Standard error of the mean: 20 µs / √20000 = 0.14 µs; of the sigma about 0.1 µs.
  EXPECT_NEAR(mean, 0.0, 0.6e-6);
  EXPECT_NEAR(sigma, 20e-6, 0.5e-6);
}

TEST(DigitiseTest, FullScaleIsTheNominalPeak) {
  const SimSensor sensor = QuietSensor();
  // 93 dB SPL peak = 20 µPa * 10^(93/20) = 0.8934 Pa.
  EXPECT_NEAR(FullScalePa(sensor), 20e-6 * std::pow(10.0, 93.0 / 20.0), 1e-12);
  EXPECT_NEAR(FullScalePa(sensor), 0.89337, 1e-5);
}

TEST(DigitiseTest, GainQuantisationAndClipping) {
  const SimSensor sensor = QuietSensor();
  const double fs = FullScalePa(sensor);
  const std::vector<float> pa = {0.0f, static_cast<float>(0.5 * fs), static_cast<float>(-0.25 * fs),
                                 static_cast<float>(3.0 * fs), static_cast<float>(-3.0 * fs)};
  Rng rng(3);
  const std::vector<float> samples = DigitisePa(sensor, pa, rng);
  ASSERT_EQ(samples.size(), pa.size());
  EXPECT_EQ(samples[0], 0.0f);
  EXPECT_EQ(samples[1], 0.5f);
  EXPECT_EQ(samples[2], -0.25f);
  EXPECT_EQ(samples[3], 32767.0f / 32768.0f);  // clipped at the top code
  EXPECT_EQ(samples[4], -1.0f);
}

TEST(DigitiseTest, SamplesLieOnThe16BitGrid) {
  const SimSensor sensor = QuietSensor();
  std::vector<float> pa;
  for (int i = 0; i < 1000; ++i) pa.push_back(static_cast<float>(0.3 * std::sin(0.01 * i)));
  Rng rng(5);
  for (const float x : DigitisePa(sensor, pa, rng)) {
    const double code = static_cast<double>(x) * 32768.0;
    EXPECT_EQ(code, std::round(code));
  }
}

TEST(DigitiseTest, CalibrationErrorScalesTheGain) {
  SimSensor sensor = QuietSensor();
  sensor.calibration_error_db = 20.0 * std::log10(2.0);  // reads twice the pressure
  const double fs = FullScalePa(sensor);
  Rng rng(3);
  const std::vector<float> samples =
      DigitisePa(sensor, {static_cast<float>(0.25 * fs), static_cast<float>(-0.125 * fs)}, rng);
  EXPECT_NEAR(samples[0], 0.5f, 1.0 / 32768.0);
  EXPECT_NEAR(samples[1], -0.25f, 1.0 / 32768.0);
}

TEST(DigitiseTest, SelfNoiseHasItsStatedLevel) {
  SimSensor sensor = QuietSensor();
  sensor.self_noise_db_spl = 40.0;  // 2 mPa rms = 0.00224 of full scale ≈ 73 codes
  Rng rng(11);
  const std::vector<float> samples = DigitisePa(sensor, std::vector<float>(48000, 0.0f), rng);
  const double sum_sq =
      std::accumulate(samples.begin(), samples.end(), 0.0,
                      [](double acc, float x) { return acc + static_cast<double>(x) * x; });
  const double rms_pa =
      std::sqrt(sum_sq / static_cast<double>(samples.size())) * FullScalePa(sensor);
  EXPECT_NEAR(20.0 * std::log10(rms_pa / 20e-6), 40.0, 0.1);
}

TEST(DigitiseTest, SameStreamSameSamples) {
  SimSensor sensor = QuietSensor();
  sensor.self_noise_db_spl = 50.0;
  const std::vector<float> pa(100, 0.01f);
  Rng a = Rng::Stream(9, "sensor/SIM-0001/audio");
  Rng b = Rng::Stream(9, "sensor/SIM-0001/audio");
  EXPECT_EQ(DigitisePa(sensor, pa, a), DigitisePa(sensor, pa, b));
}

}  // namespace
}  // namespace earshot::sim
