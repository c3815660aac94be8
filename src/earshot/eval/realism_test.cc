// The realism statistics on tiny datasets written here, with answers worked out by hand,
// and the real live-fire dataset against itself (skipped when the shared data is absent):
// every column identical, every difference zero.
#include "earshot/eval/realism.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "earshot/audio/audio_file.h"
#include "earshot/core/time.h"

namespace earshot::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 343 m/s exactly, so that 343 m take one second.
const double kTemperatureC = std::pow(343.0 / 20.05, 2) - 273.15;
const int64_t kEpochNs = *ParseIsoUtc("2018-12-19T00:49:26Z");

struct FakePulse {
  std::string id;
  std::string sensor;
  int64_t onset_ns = 0;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  double snr_db = 20.0;
  double level_db = 80.0;
};

struct FakeTest {
  std::string position = "FP1";
  int id = 1;
  Eigen::Vector3d survey_m = Eigen::Vector3d::Zero();
  std::vector<FakePulse> pulses;
  std::vector<std::vector<std::string>> tuples;
};

// Writes `test` in the live-fire layout under `dir`.
void Write(const fs::path& dir, const FakeTest& test) {
  char stem[32];
  std::snprintf(stem, sizeof stem, "test_%03d", test.id);
  const fs::path folder = dir / test.position / stem;
  fs::create_directories(folder);
  const auto file = [&](const std::string& suffix) {
    return std::ofstream(folder / (std::string(stem) + suffix));
  };
  file(".survey.json") << json{
      {"test_id", test.id},
      {"firing_position", test.position},
      {"num_rounds", static_cast<int>(test.tuples.size())},
      {"firearm", "test"},
      {"survey_location",
       {{"x", test.survey_m.x()}, {"y", test.survey_m.y()}, {"z", test.survey_m.z()}}}};
  file(".weather.json") << json{{"temperature", kTemperatureC}, {"speed", 0.0}, {"direction", 0.0}};
  json pulses = json::array();
  for (const FakePulse& p : test.pulses) {
    pulses.push_back(
        {{"pulse_uuid", p.id},
         {"serial_number", p.sensor},
         {"arrival_time_utc", FormatIsoUtc(p.onset_ns, 9)},
         {"location", {{"x", p.position_m.x()}, {"y", p.position_m.y()}, {"z", p.position_m.z()}}},
         {"location_error", 0.03},
         {"signal_to_noise_dB", p.snr_db},
         {"power_dB_SPL", p.level_db}});
  }
  file(".allpulses.json") << pulses;
  json tuples = json::array();
  for (size_t k = 0; k < test.tuples.size(); ++k) {
    tuples.push_back({{"shot_index", k}, {"pulse_uuids", test.tuples[k]}});
  }
  file(".nlos-tuples.json") << tuples;
}

class RealismTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("earshot_realism_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

// "S<k>", formatted without operator+ on a temporary (GCC 12 -O3 warns about it falsely).
std::string SensorName(int k) {
  char name[16];
  std::snprintf(name, sizeof name, "S%d", k);
  return name;
}

// A sensor `distance_m` east of the origin, heard `late_ms` after the straight-ray time
// of a shot fired at kEpochNs + `emission_s`.
FakePulse Direct(const std::string& sensor, double distance_m, double level_db,
                 double emission_s = 0.0, double late_ms = 0.0) {
  FakePulse p;
  p.sensor = sensor;
  p.id = sensor + "-" + std::to_string(emission_s);
  p.position_m = {distance_m, 0.0, 0.0};
  p.onset_ns = kEpochNs + std::llround((emission_s + distance_m / 343.0 + late_ms * 1e-3) * 1e9);
  p.level_db = level_db;
  return p;
}

FakePulse After(const FakePulse& direct, const std::string& id, double delay_ms, double level_db) {
  FakePulse p = direct;
  p.id = id;
  p.onset_ns += std::llround(delay_ms * 1e6);
  p.level_db = level_db;
  return p;
}

// One round heard by five sensors at 100 m to 10 km, level 130 − 20·log10(d); the
// farthest 12 ms late; two later pulses at the nearest, and one beyond the window; two
// sensors outside the tuple, one of which heard the shot; one pulse 0.5 s before the
// shot reached S2.
FakeTest OneRound() {
  FakeTest test;
  const double distances[] = {100, 300, 800, 3000, 10000};
  for (int k = 0; k < 5; ++k) {
    const double d = distances[k];
    test.pulses.push_back(
        Direct(SensorName(k + 1), d, 130 - 20 * std::log10(d), 0.0, k == 4 ? 12.0 : 0.0));
    test.pulses.back().snr_db = 10.0 * (k + 1);
  }
  std::vector<std::string> tuple;
  for (const FakePulse& p : test.pulses) tuple.push_back(p.id);
  test.tuples.push_back(tuple);
  const FakePulse near = test.pulses[0];
  test.pulses.push_back(After(near, "echo-1", 100.0, near.level_db - 6));
  test.pulses.push_back(After(near, "echo-2", 400.0, near.level_db - 10));
  test.pulses.push_back(After(near, "stray", 1500.0, near.level_db - 3));
  FakePulse heard = Direct("S7", 150, 90, 0.0, 30.0);  // heard, not selected
  heard.id = "heard";
  test.pulses.push_back(heard);
  FakePulse unrelated = Direct("S6", 600, 70, 10.0);  // ten seconds later
  unrelated.id = "unrelated";
  test.pulses.push_back(unrelated);
  test.pulses.push_back(After(test.pulses[1], "before", -500.0, 70));  // S2, before the shot
  return test;
}

TEST(RealismStatisticsTest, QuantilesAndDistributions) {
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  EXPECT_DOUBLE_EQ(Quantile({3, 1, 2}, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({0, 10}, 0.9), 9.0);
  const Distribution d = Describe({-4, 1, 2, 3, 10});
  EXPECT_EQ(d.n, 5);
  EXPECT_DOUBLE_EQ(d.q50, 2.0);
  EXPECT_DOUBLE_EQ(d.mean, 2.4);
  EXPECT_DOUBLE_EQ(d.mad, 1.0);  // |x − 2| = 6, 1, 0, 1, 8
  EXPECT_DOUBLE_EQ(d.q10, -2.0);
  EXPECT_DOUBLE_EQ(d.p90_abs, 7.6);  // |x| = 1, 2, 3, 4, 10
}

TEST(RealismStatisticsTest, KolmogorovSmirnov) {
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov({1, 2, 3}, {3, 2, 1}), 0.0);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov({1, 2, 3}, {4, 5, 6}), 1.0);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov({1, 2, 3, 4}, {3, 4, 5, 6}), 0.5);
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov({1, 1, 1}, {1}), 0.0);  // ties move both CDFs
  EXPECT_DOUBLE_EQ(KolmogorovSmirnov({0, 10}, {5}), 0.5);
  EXPECT_TRUE(std::isnan(KolmogorovSmirnov({}, {1})));
}

TEST(RealismStatisticsTest, SphericalSpreadingIsMinusTwentyDbPerDecade) {
  std::vector<double> distance, level;
  for (double d : {50.0, 120.0, 700.0, 4000.0}) {
    distance.push_back(d);
    level.push_back(110.0 - 20.0 * std::log10(d));
  }
  EXPECT_NEAR(LevelSlopeDbPerDecade(distance, level), -20.0, 1e-12);
  EXPECT_TRUE(std::isnan(LevelSlopeDbPerDecade({100, 100}, {1, 2})));
  EXPECT_TRUE(std::isnan(LevelSlopeDbPerDecade({100}, {1})));
}

TEST(RealismStatisticsTest, OptionsAreChecked) {
  RealismOptions options;
  std::string why;
  EXPECT_TRUE(options.IsValid(&why));
  options.distance_edges_m = {500, 250};
  EXPECT_FALSE(options.IsValid(&why));
  EXPECT_THAT(why, HasSubstr("increasing"));
  options = {};
  options.echo_window_s = 0;
  EXPECT_FALSE(options.IsValid(&why));
}

TEST_F(RealismTest, OneRoundGivesTheHandComputedFigures) {
  Write(dir_, OneRound());
  std::vector<Error> problems;
  const auto tests = LoadLivefireDataset(dir_.string(), &problems);
  ASSERT_TRUE(tests.has_value()) << tests.error().ToString();
  ASSERT_TRUE(problems.empty()) << problems[0].ToString();
  const std::map<std::string, Eigen::Vector3d> sensors = {
      {"S1", {100, 0, 0}},   {"S2", {300, 0, 0}}, {"S3", {800, 0, 0}}, {"S4", {3000, 0, 0}},
      {"S5", {10000, 0, 0}}, {"S6", {600, 0, 0}}, {"S7", {150, 0, 0}}};
  const RealismSamples s = SampleTestPulses((*tests)[0], sensors, RealismOptions{});

  EXPECT_EQ(s.rounds, 1);
  EXPECT_EQ(s.pulses, 11);
  EXPECT_THAT(s.sensors_per_round, ElementsAre(5));
  EXPECT_THAT(s.direct_distance_m, ElementsAre(100, 300, 800, 3000, 10000));
  EXPECT_THAT(s.direct_snr_db, ElementsAre(10, 20, 30, 40, 50));
  EXPECT_NEAR(LevelSlopeDbPerDecade(s.direct_distance_m, s.direct_level_db), -20.0, 1e-9);
  // Four sensors on time and one 12 ms late: the median emission time is the true one.
  ASSERT_EQ(s.onset_error_ms.size(), 5u);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(s.onset_error_ms[k], 0.0, 1e-5);
  EXPECT_NEAR(s.onset_error_ms[4], 12.0, 1e-5);
  // Two later pulses at S1 within 1 s, the one at 1.5 s outside; none elsewhere.
  EXPECT_THAT(s.later_pulses, ElementsAre(2, 0, 0, 0, 0));
  ASSERT_EQ(s.echo_delay_ms.size(), 2u);
  EXPECT_NEAR(s.echo_delay_ms[0], 100.0, 1e-6);
  EXPECT_NEAR(s.echo_delay_ms[1], 400.0, 1e-6);
  EXPECT_NEAR(s.echo_relative_level_db[0], -6.0, 1e-9);
  EXPECT_NEAR(s.echo_relative_level_db[1], -10.0, 1e-9);
  // Participation: S7 heard it (30 ms late) without being in the tuple; S6 did not.
  ASSERT_EQ(s.candidate_distance_m.size(), 7u);  // sensors in id order: S1..S7
  EXPECT_THAT(s.candidate_in_tuple, ElementsAre(1, 1, 1, 1, 1, 0, 0));
  EXPECT_THAT(s.candidate_heard, ElementsAre(1, 1, 1, 1, 1, 0, 1));
  // One pulse in S2's 1.5 s before the shot: 40 a minute; none at the others.
  EXPECT_THAT(s.quiet_pulses_per_minute, ElementsAre(0, 40, 0, 0, 0, 0, 0));
}

TEST_F(RealismTest, ALateRoundIsSeenAsThatShiftOnEverySensor) {
  // Three rounds; in the second every sensor but two hears it 7 ms late: the estimated
  // emission time absorbs a shift common to most sensors, and the two on-time sensors
  // read 7 ms early.
  FakeTest test;
  const double distances[] = {200, 400, 900, 1500, 2500};
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> tuple;
    for (int k = 0; k < 5; ++k) {
      const double late_ms = round == 1 && k >= 2 ? 7.0 : 0.0;
      FakePulse p = Direct(SensorName(k), distances[k], 80, 2.0 * round, late_ms);
      test.pulses.push_back(p);
      tuple.push_back(p.id);
    }
    test.tuples.push_back(tuple);
  }
  Write(dir_, test);
  const auto tests = LoadLivefireDataset(dir_.string(), nullptr);
  ASSERT_TRUE(tests.has_value());
  const RealismSamples s = SampleTestPulses((*tests)[0], {}, RealismOptions{});
  ASSERT_EQ(s.onset_error_ms.size(), 15u);
  for (int i = 0; i < 15; ++i) {
    const bool shifted_round = i / 5 == 1;
    const double expected = shifted_round && i % 5 < 2 ? -7.0 : 0.0;
    EXPECT_NEAR(s.onset_error_ms[i], expected, 1e-5) << "pulse " << i;
  }
}

TEST_F(RealismTest, TheEchoWindowClosesBeforeTheNextRound) {
  // Two rounds 0.5 s apart at one sensor 343 m away. Round 1 has later pulses at +100 and
  // +400 ms; the one at +600 ms lies after round 2's arrival (+500 ms), so it is round
  // 2's (+100 ms); round 2's direct pulse is never an echo of round 1.
  FakeTest test;
  const FakePulse first = Direct("A", 343, 90, 0.0);
  const FakePulse second = Direct("A", 343, 88, 0.5);
  test.pulses = {first, second, After(first, "e1", 100, 84), After(first, "e2", 400, 80),
                 After(first, "e3", 600, 70)};
  test.tuples = {{first.id}, {second.id}};
  Write(dir_, test);
  const auto tests = LoadLivefireDataset(dir_.string(), nullptr);
  ASSERT_TRUE(tests.has_value());
  const RealismSamples s = SampleTestPulses((*tests)[0], {}, RealismOptions{});
  EXPECT_THAT(s.later_pulses, ElementsAre(2, 1));
  ASSERT_EQ(s.echo_delay_ms.size(), 3u);
  EXPECT_NEAR(s.echo_delay_ms[2], 100.0, 1e-6);
  EXPECT_NEAR(s.echo_relative_level_db[2], 70.0 - 88.0, 1e-9);
}

TEST_F(RealismTest, PairsTestsByNameAndListsTheUnpaired) {
  FakeTest test = OneRound();
  Write(dir_ / "real", test);
  test.id = 2;
  Write(dir_ / "real", test);
  test.id = 1;
  Write(dir_ / "sim", test);
  test.position = "FP2";
  test.id = 3;
  Write(dir_ / "sim", test);
  RealismOptions options;
  const auto report =
      CompareRealismDirs((dir_ / "real").string(), (dir_ / "sim").string(), options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(report->compared, ElementsAre("FP1/test_001"));
  EXPECT_THAT(report->only_in_real, ElementsAre("FP1/test_002"));
  EXPECT_THAT(report->only_in_sim, ElementsAre("FP2/test_003"));
  ASSERT_EQ(report->groups.size(), 2u);
  EXPECT_EQ(report->groups[0].name, "FP1");
  EXPECT_EQ(report->groups[1].name, "all");
  EXPECT_EQ(report->groups[1].real.tests, 1);
  EXPECT_EQ(report->groups[1].sim.tests, 1);
  const std::string text = FormatRealismReport(*report, options);
  EXPECT_THAT(text, HasSubstr("only in real: FP1/test_002"));
  EXPECT_THAT(text, HasSubstr("only in sim: FP2/test_003"));
  const json out = RealismReportToJson(*report, options);
  EXPECT_EQ(out["only_in_sim"][0], "FP2/test_003");
}

TEST_F(RealismTest, RefusesADirectoryThatIsNotADataset) {
  Write(dir_ / "real", OneRound());
  fs::create_directories(dir_ / "flat");
  std::ofstream(dir_ / "flat" / "pulses.jsonl") << "\n";
  const auto report =
      CompareRealismDirs((dir_ / "real").string(), (dir_ / "flat").string(), RealismOptions{});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().source, (dir_ / "flat").string());
  EXPECT_THAT(report.error().message, HasSubstr("simulated directory is not a live-fire dataset"));
  EXPECT_THAT(report.error().message, HasSubstr("FPn/test_NNN"));

  FakeTest other = OneRound();
  other.position = "FP9";
  Write(dir_ / "other", other);
  const auto disjoint =
      CompareRealismDirs((dir_ / "real").string(), (dir_ / "other").string(), RealismOptions{});
  ASSERT_FALSE(disjoint.has_value());
  EXPECT_THAT(disjoint.error().message, HasSubstr("no test in common"));
}

// Every comparison in the JSON report says the two sides are the same.
void ExpectIdentical(const json& report) {
  ASSERT_FALSE(report["groups"].empty());
  for (const json& group : report["groups"]) {
    EXPECT_EQ(group["counts"]["real"], group["counts"]["sim"]);
    for (const auto& [key, value] : group.items()) {
      if (!value.is_object() || !value.contains("ks")) continue;
      EXPECT_EQ(value["real"], value["sim"]) << group["group"] << " " << key;
      if (value["real"]["n"] == 0) continue;
      EXPECT_EQ(value["median_difference"], 0.0) << group["group"] << " " << key;
      EXPECT_EQ(value["ks"], 0.0) << group["group"] << " " << key;
    }
    for (const json& bin : group["distance_bins"]) {
      EXPECT_EQ(bin["real"], bin["sim"]);
      if (!bin["median_level_difference_db"].is_null()) {
        EXPECT_EQ(bin["median_level_difference_db"], 0.0);
      }
    }
    if (!group["level_slope_db_per_decade"]["difference"].is_null()) {
      EXPECT_EQ(group["level_slope_db_per_decade"]["difference"], 0.0);
    }
  }
}

TEST_F(RealismTest, ADatasetAgainstItselfDiffersNowhere) {
  Write(dir_, OneRound());
  RealismOptions options;
  const auto report = CompareRealismDirs(dir_.string(), dir_.string(), options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  ExpectIdentical(RealismReportToJson(*report, options));
}

// Clicks in noise, with a stretch of zeros the detector must not count as audio.
TEST_F(RealismTest, CountsDetectedPulsesPerMinuteOfAudioThatExists) {
  constexpr double kRateHz = 12000.0;
  audio::AudioClip clip;
  clip.sample_rate_hz = kRateHz;
  clip.samples.resize(static_cast<size_t>(42 * kRateHz));  // 42 s, 6 s of them zeros
  std::mt19937 random(3);
  std::uniform_real_distribution<float> noise(-2e-3f, 2e-3f);
  for (float& x : clip.samples) x = noise(random);
  for (int click = 0; click < 6; ++click) {
    const size_t onset = static_cast<size_t>((3.0 + 6.0 * click) * kRateHz);
    for (int k = 0; k < 600; ++k) {
      clip.samples[onset + k] += static_cast<float>(
          0.8 * std::exp(-k / 40.0) * std::cos(2 * std::numbers::pi * 1000.0 * k / kRateHz));
    }
  }
  std::fill_n(clip.samples.begin() + static_cast<size_t>(36 * kRateHz),
              static_cast<size_t>(6 * kRateHz), 0.0f);
  const std::string wav = (dir_ / "rec.wav").string();
  ASSERT_TRUE(audio::WriteAudioFile(wav, clip).has_value());
  std::ofstream(dir_ / "rec.json") << R"({"serial_number": "S1", "timestamp": )"
                                      R"("2018-12-19T00:49:26.000Z", "location": )"
                                      R"({"x": 0, "y": 0, "z": 0}})";

  const auto s = SampleRecording(wav, RealismOptions{});
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->audio_files, 1);
  EXPECT_NEAR(s->audio_minutes, 0.6, 1e-3);
  ASSERT_EQ(s->audio_pulses_per_minute.size(), 1u);
  EXPECT_NEAR(s->audio_pulses_per_minute[0], 10.0, 0.02);
  ASSERT_EQ(s->audio_snr_db.size(), 6u);
  for (double snr : s->audio_snr_db) EXPECT_GT(snr, 20.0);
  // Uniform noise of ±2e-3 full scale has an RMS of 2e-3/√3: 93 + 20·log10(that) dB SPL;
  // the zeros are left out, and six clicks do not move the median block.
  ASSERT_EQ(s->audio_background_db_spl.size(), 1u);
  EXPECT_NEAR(s->audio_background_db_spl[0], 93.0 + 20 * std::log10(2e-3 / std::sqrt(3.0)), 0.1);

  const auto missing = SampleRecording((dir_ / "none.wav").string(), RealismOptions{});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().ToString(), HasSubstr("none"));
}

std::string DatasetDir() {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string base = shared != nullptr ? shared : "../shared/data";
  return base + "/pittsburgh-livefire-2018";
}

TEST(RealismLivefireTest, TheRealDatasetAgainstItselfDiffersNowhere) {
  if (!fs::is_directory(DatasetDir())) GTEST_SKIP() << "no " << DatasetDir();
  RealismOptions options;
  const auto report = CompareRealismDirs(DatasetDir(), DatasetDir(), options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->compared.size(), 54u);
  EXPECT_TRUE(report->only_in_real.empty());
  EXPECT_TRUE(report->real_problems.empty());
  ASSERT_EQ(report->groups.size(), 4u);
  EXPECT_EQ(report->groups[0].name, "FP1");
  EXPECT_EQ(report->groups[3].name, "all");
  const RealismSamples& all = report->groups[3].real;
  EXPECT_GT(all.rounds, 100);
  EXPECT_GT(all.audio_files, 200);
  EXPECT_FALSE(all.audio_snr_db.empty());
  ExpectIdentical(RealismReportToJson(*report, options));
}

}  // namespace
}  // namespace earshot::eval
