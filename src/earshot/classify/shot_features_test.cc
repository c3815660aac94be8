#include "earshot/classify/shot_features.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/core/air_absorption.h"

namespace earshot::classify {
namespace {

constexpr double kSourceLevelDb = 150.0;

// The absorption ComputeShotFeatures applies for `context`, from the same ISO 9613-1
// function, so that exact data stays exact.
double AbsorptionDbPerM(const ShotContext& context) {
  return AirAbsorptionDbPerM(kSourceLevelFrequencyHz, context.air_temperature_c,
                             context.relative_humidity_pct);
}

// A pulse heard at `sensor_m` from a source at `source_m` whose level at 1 m is
// kSourceLevelDb, spreading spherically and absorbed at `absorption_db_per_m`.
Pulse ExactPulse(const std::string& sensor_id, const Eigen::Vector3d& sensor_m,
                 const Eigen::Vector3d& source_m, double absorption_db_per_m) {
  const double range_m = (sensor_m - source_m).norm();
  Pulse pulse;
  pulse.id = sensor_id;
  pulse.sensor_id = sensor_id;
  pulse.sensor_position_m = sensor_m;
  pulse.level_db_spl = kSourceLevelDb - 20.0 * std::log10(range_m) - absorption_db_per_m * range_m;
  pulse.snr_db = 30.0;
  return pulse;
}

Fix FixAt(const Eigen::Vector3d& position_m, SolveMode mode) {
  Fix fix;
  fix.position_m = position_m;
  fix.mode = mode;
  fix.emission_ns = 1'000'000'000'000;
  return fix;
}

std::vector<Pulse> ExactPulses(const Eigen::Vector3d& source_m, double absorption_db_per_m) {
  const std::vector<Eigen::Vector3d> sensors = {
      {10.0, 0.0, 2.0}, {0.0, 250.0, 5.0}, {-800.0, 40.0, 1.0}, {300.0, -1200.0, 12.0}};
  const char* const ids[] = {"s0", "s1", "s2", "s3"};
  std::vector<Pulse> pulses;
  for (size_t i = 0; i < sensors.size(); ++i) {
    pulses.push_back(ExactPulse(ids[i], sensors[i], source_m, absorption_db_per_m));
  }
  return pulses;
}

TEST(ShotFeatures, ExactSpreadingGivesTheSourceLevelFromEverySensor) {
  const Eigen::Vector3d source_m(20.0, 30.0, 1.5);
  const ShotContext context;
  const std::vector<Pulse> pulses = ExactPulses(source_m, AbsorptionDbPerM(context));
  const ShotFeatures f = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, context);
  EXPECT_NEAR(f.source_level_db_at_1m, kSourceLevelDb, 1e-9);
  EXPECT_NEAR(f.source_level_spread_db, 0.0, 1e-9);
  EXPECT_EQ(f.sensor_count, 4.0);
  EXPECT_EQ(f.median_snr_db, 30.0);
}

TEST(ShotFeatures, AbsorptionIsAddedBackOverEachRange) {
  const Eigen::Vector3d source_m(-50.0, 400.0, 0.0);
  ShotContext context;
  context.air_temperature_c = 20.0;
  context.relative_humidity_pct = 70.0;
  // ISO 9613-1 at 1 kHz, 20 °C, 70 %: about 4.98 dB/km.
  ASSERT_NEAR(AbsorptionDbPerM(context), 0.004978, 0.000002);
  const std::vector<Pulse> pulses = ExactPulses(source_m, AbsorptionDbPerM(context));
  const ShotFeatures f = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, context);
  EXPECT_NEAR(f.source_level_db_at_1m, kSourceLevelDb, 1e-9);
  EXPECT_NEAR(f.source_level_spread_db, 0.0, 1e-9);

  // Drier air absorbs about twice as much at 1 kHz; assuming it overestimates the source
  // by the extra α·r at each sensor, more at the far ones.
  ShotContext dry = context;
  dry.relative_humidity_pct = 20.0;
  ASSERT_GT(AbsorptionDbPerM(dry), AbsorptionDbPerM(context));
  const ShotFeatures g = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, dry);
  EXPECT_GT(g.source_level_db_at_1m, kSourceLevelDb);
  EXPECT_GT(g.source_level_spread_db, 0.0);
}

TEST(ShotFeatures, SpreadIsTheStandardDeviationOfPerSensorSourceLevels) {
  const Eigen::Vector3d source_m(0.0, 0.0, 0.0);
  const ShotContext context;
  std::vector<Pulse> pulses = ExactPulses(source_m, AbsorptionDbPerM(context));
  // Source levels 150 + {+3, -3, +3, -3}: median 150, sample std √(36/3).
  const double offsets_db[] = {3.0, -3.0, 3.0, -3.0};
  for (size_t i = 0; i < pulses.size(); ++i) pulses[i].level_db_spl += offsets_db[i];
  const ShotFeatures f = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, context);
  EXPECT_NEAR(f.source_level_db_at_1m, kSourceLevelDb, 1e-9);
  EXPECT_NEAR(f.source_level_spread_db, std::sqrt(12.0), 1e-9);
}

TEST(ShotFeatures, HeightAboveGroundOnlyFromA3DFixWithKnownGround) {
  const Eigen::Vector3d source_m(0.0, 0.0, 182.5);
  ShotContext context;
  context.ground_height_m = 12.5;
  Fix fix = FixAt(source_m, SolveMode::k3D);
  fix.height_sigma_m = 4.0;
  const std::vector<Pulse> pulses = ExactPulses(source_m, AbsorptionDbPerM(context));

  const ShotFeatures f = ComputeShotFeatures(fix, pulses, context);
  EXPECT_DOUBLE_EQ(f.height_above_ground_m, 170.0);
  EXPECT_DOUBLE_EQ(f.height_sigma_m, 4.0);

  ShotContext unknown_ground;
  EXPECT_TRUE(std::isnan(ComputeShotFeatures(fix, pulses, unknown_ground).height_above_ground_m));

  for (SolveMode assumed : {SolveMode::k2D, SolveMode::kFixedHeight}) {
    const ShotFeatures g = ComputeShotFeatures(FixAt(source_m, assumed), pulses, context);
    EXPECT_TRUE(std::isnan(g.height_above_ground_m)) << SolveModeName(assumed);
    EXPECT_TRUE(std::isnan(g.height_sigma_m)) << SolveModeName(assumed);
  }
}

TEST(ShotFeatures, CrackFractionCountsOnlySensorsThatReportTheFeature) {
  const Eigen::Vector3d source_m(0.0, 0.0, 0.0);
  std::vector<Pulse> pulses = ExactPulses(source_m, 0.0);
  pulses[0].features = {{"crack_present", 1.0}, {"crack_lead_s", 0.010}};
  pulses[1].features = {{"crack_present", 1.0}, {"crack_lead_s", 0.030}};
  pulses[2].features = {{"crack_present", 0.0}, {"crack_lead_s", 0.0}};
  // pulses[3] has no detector features: it does not count.
  const ShotFeatures f = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, {});
  EXPECT_DOUBLE_EQ(f.crack_fraction, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(f.crack_lead_median_s, 0.020);
}

TEST(ShotFeatures, ShapeMediansAndCoefficientsOfVariation) {
  const Eigen::Vector3d source_m(0.0, 0.0, 0.0);
  std::vector<Pulse> pulses = ExactPulses(source_m, 0.0);
  // Durations 1, 2, 3 ms (mean 2, sample std 1: CV 0.5); equal rises (CV 0); one decay.
  const double durations_s[] = {0.001, 0.002, 0.003};
  for (size_t i = 0; i < 3; ++i) {
    pulses[i].features = {{"duration_s", durations_s[i]},
                          {"rise_time_s", 0.0002},
                          {"echo_count", static_cast<double>(i)},
                          {"echo_energy_ratio_db", -10.0 - static_cast<double>(i)}};
  }
  pulses[3].features = {{"decay_time_s", 0.004}};
  const ShotFeatures f = ComputeShotFeatures(FixAt(source_m, SolveMode::k2D), pulses, {});
  EXPECT_DOUBLE_EQ(f.duration_median_s, 0.002);
  EXPECT_NEAR(f.duration_cv, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(f.rise_time_median_s, 0.0002);
  EXPECT_NEAR(f.rise_time_cv, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(f.decay_time_median_s, 0.004);
  EXPECT_TRUE(std::isnan(f.decay_time_cv));  // one sensor cannot disagree with itself
  EXPECT_DOUBLE_EQ(f.echo_count_median, 1.0);
  EXPECT_DOUBLE_EQ(f.echo_energy_ratio_median_db, -11.0);
}

TEST(ShotFeatures, CadenceIsTheMedianIntervalToTheNeighbouringShots) {
  const Eigen::Vector3d source_m(0.0, 0.0, 0.0);
  const std::vector<Pulse> pulses = ExactPulses(source_m, 0.0);
  const Fix fix = FixAt(source_m, SolveMode::k2D);
  constexpr int64_t kMs = 1'000'000;
  ShotContext context;

  // Between two shots: 0.1 s before and 0.3 s after, median of the two is 0.2 s. Shots
  // further away, and this shot's own time, do not count.
  context.other_shot_emission_ns = {fix.emission_ns + 300 * kMs, fix.emission_ns - 900 * kMs,
                                    fix.emission_ns, fix.emission_ns - 100 * kMs,
                                    fix.emission_ns + 2000 * kMs};
  EXPECT_NEAR(ComputeShotFeatures(fix, pulses, context).cadence_s, 0.2, 1e-12);

  // First shot of a burst: the interval to the next.
  context.other_shot_emission_ns = {fix.emission_ns + 150 * kMs, fix.emission_ns + 300 * kMs};
  EXPECT_NEAR(ComputeShotFeatures(fix, pulses, context).cadence_s, 0.15, 1e-12);

  // A single shot has no cadence.
  context.other_shot_emission_ns = {fix.emission_ns};
  EXPECT_TRUE(std::isnan(ComputeShotFeatures(fix, pulses, context).cadence_s));
}

TEST(ShotFeatures, NaNWhereUndefined) {
  const Fix fix = FixAt({0.0, 0.0, 0.0}, SolveMode::k2D);
  const ShotFeatures none = ComputeShotFeatures(fix, {}, {});
  EXPECT_EQ(none.sensor_count, 0.0);
  for (size_t i = 0; i < kShotFeatureNames.size(); ++i) {
    if (kShotFeatureNames[i] == "sensor_count") continue;
    EXPECT_TRUE(std::isnan(none.Values()[i])) << kShotFeatureNames[i];
  }

  // One sensor: a source level but no spread; a sensor on the source gives no level.
  std::vector<Pulse> one = ExactPulses({0.0, 0.0, 0.0}, 0.0);
  one.resize(1);
  const ShotFeatures f = ComputeShotFeatures(fix, one, {});
  EXPECT_FALSE(std::isnan(f.source_level_db_at_1m));
  EXPECT_TRUE(std::isnan(f.source_level_spread_db));
  one[0].sensor_position_m = fix.position_m;
  EXPECT_TRUE(std::isnan(ComputeShotFeatures(fix, one, {}).source_level_db_at_1m));
}

TEST(ShotFeatures, NamesAndOrderAreStable) {
  // The model is trained on this order: changing it is a new model, not an edit.
  EXPECT_THAT(kShotFeatureNames,
              ::testing::ElementsAre(
                  "source_level_db_at_1m", "source_level_spread_db", "height_above_ground_m",
                  "height_sigma_m", "crack_fraction", "crack_lead_median_s", "duration_median_s",
                  "duration_cv", "rise_time_median_s", "rise_time_cv", "decay_time_median_s",
                  "decay_time_cv", "echo_count_median", "echo_energy_ratio_median_db",
                  "sensor_count", "median_snr_db", "cadence_s"));

  // Each named member sits at its name's index.
  ShotFeatures f;
  const auto values_before = f.Values();
  for (size_t i = 0; i < values_before.size(); ++i) {
    ASSERT_TRUE(std::isnan(values_before[i]) || kShotFeatureNames[i] == "sensor_count");
  }
  double next = 1.0;
  for (double* member :
       {&f.source_level_db_at_1m, &f.source_level_spread_db, &f.height_above_ground_m,
        &f.height_sigma_m, &f.crack_fraction, &f.crack_lead_median_s, &f.duration_median_s,
        &f.duration_cv, &f.rise_time_median_s, &f.rise_time_cv, &f.decay_time_median_s,
        &f.decay_time_cv, &f.echo_count_median, &f.echo_energy_ratio_median_db, &f.sensor_count,
        &f.median_snr_db, &f.cadence_s}) {
    *member = next++;
  }
  const auto values = f.Values();
  const auto named = f.Map();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], static_cast<double>(i + 1)) << kShotFeatureNames[i];
    EXPECT_EQ(named.at(std::string(kShotFeatureNames[i])), values[i]);
  }
}

}  // namespace
}  // namespace earshot::classify
