// The shot rows built end to end: a small scene simulated here (scenarios/unit-three-shots:
// three single shots on a ring of eight sensors), and the real live-fire FP1 (skipped when
// the shared data is not beside the checkout).
#include "earshot/classify/shot_dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/sim/scenario.h"
#include "earshot/sim/simulator.h"

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? std::nan("") : values[values.size() / 2];
}

class SimulatedShotDatasetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / "earshot_shot_dataset_test");
    fs::remove_all(*dir_);
    auto scenario = sim::ReadScenarioFile(
        std::string(EARSHOT_SCENARIOS_DIR) + "/unit-three-shots.json", std::nullopt);
    ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
    sim::SimulationOptions options;
    options.threads = 2;
    auto summary = sim::RunSimulation(*scenario, (*dir_ / "sim").string(), options);
    ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string Sim() { return (*dir_ / "sim").string(); }

  static fs::path* dir_;
};

fs::path* SimulatedShotDatasetTest::dir_ = nullptr;

TEST_F(SimulatedShotDatasetTest, ThreeShotsAreGunfireRowsNearTheirSources) {
  auto dataset = BuildSimulatedShotDataset(Sim(), {});
  ASSERT_TRUE(dataset.has_value()) << dataset.error().ToString();
  const std::size_t n = dataset->labels.size();
  EXPECT_EQ(dataset->rows.RowCount(), n);
  EXPECT_EQ(dataset->rows.feature_names, ShotModelFeatureNames());
  EXPECT_EQ(dataset->incident_of_row.size(), n);
  EXPECT_EQ(dataset->test_of_row.size(), n);
  EXPECT_EQ(dataset->location_error_m.size(), n);
  EXPECT_TRUE(dataset->problems.empty());
  EXPECT_EQ(dataset->tests, 3u);
  EXPECT_EQ(dataset->recordings, 18u);
  EXPECT_GT(dataset->detections, 0u);
  EXPECT_EQ(dataset->fixes, n + dataset->unlabelled_fixes + dataset->duplicate_fixes);
  // Each shot is kept once, though a second fix of the rifle (its shock wave) is located.
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(dataset->class_counts[kGunfireClass], n);
  std::vector<std::string> incidents;
  for (std::size_t r = 0; r < n; ++r) {
    EXPECT_EQ(dataset->labels[r], kGunfireClass);
    EXPECT_THAT(dataset->incident_of_row[r], StartsWith(Sim() + ":E"));
    EXPECT_THAT(dataset->test_of_row[r], StartsWith("UNIT/test_"));
    incidents.push_back(dataset->incident_of_row[r]);
  }
  // The handguns in the open are located within metres; the rifle, heard by six sensors
  // around a church, less well.
  EXPECT_LT(Median(dataset->location_error_m), 10.0);
  std::sort(incidents.begin(), incidents.end());
  EXPECT_EQ(std::unique(incidents.begin(), incidents.end()), incidents.end());
}

TEST_F(SimulatedShotDatasetTest, ThreadCountDoesNotChangeTheRows) {
  auto one = BuildSimulatedShotDataset(Sim(), {.threads = 1});
  auto three = BuildSimulatedShotDataset(Sim(), {.threads = 3});
  ASSERT_TRUE(one.has_value() && three.has_value());
  ASSERT_EQ(one->rows.values.size(), three->rows.values.size());
  // Bitwise, so that NaN equals NaN.
  EXPECT_EQ(std::memcmp(one->rows.values.data(), three->rows.values.data(),
                        one->rows.values.size() * sizeof(float)),
            0);
  EXPECT_EQ(one->labels, three->labels);
  EXPECT_EQ(one->incident_of_row, three->incident_of_row);
  EXPECT_EQ(one->test_of_row, three->test_of_row);

  ShotDataset both = *one;
  both.Append(*three);
  EXPECT_EQ(both.rows.RowCount(), 2 * one->rows.RowCount());
  EXPECT_EQ(both.labels.size(), 2 * one->labels.size());
  EXPECT_EQ(both.tests, 2 * one->tests);
  EXPECT_EQ(both.class_counts[kGunfireClass], 2 * one->class_counts[kGunfireClass]);
}

TEST_F(SimulatedShotDatasetTest, UnreadableRecordingIsSkippedAndReported) {
  const fs::path copy = *dir_ / "broken";
  fs::copy(Sim(), copy, fs::copy_options::recursive);
  fs::path victim;
  for (const auto& entry : fs::recursive_directory_iterator(copy)) {
    if (entry.path().extension() == ".wav") {
      victim = entry.path();
      break;
    }
  }
  ASSERT_FALSE(victim.empty());
  std::ofstream(victim, std::ios::trunc) << "not audio";
  auto dataset = BuildSimulatedShotDataset(copy.string(), {});
  ASSERT_TRUE(dataset.has_value()) << dataset.error().ToString();
  ASSERT_EQ(dataset->problems.size(), 1u);
  EXPECT_THAT(dataset->problems[0].ToString(), HasSubstr(victim.filename().string()));
  EXPECT_EQ(dataset->recordings, 17u);
}

TEST_F(SimulatedShotDatasetTest, RefusesFoldersItCannotLabelNamingThem) {
  const fs::path bad = *dir_ / "refused";
  fs::create_directories(bad);
  auto missing = BuildSimulatedShotDataset(bad.string(), {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().ToString(), HasSubstr("scenario.json"));

  std::ofstream(bad / "scenario.json")
      << R"({"generator": "earshot simulate", "mode": "pulses-only"})";
  auto pulses_only = BuildSimulatedShotDataset(bad.string(), {});
  ASSERT_FALSE(pulses_only.has_value());
  EXPECT_THAT(pulses_only.error().ToString(), HasSubstr("--pulses-only"));
  EXPECT_THAT(pulses_only.error().ToString(), HasSubstr(bad.string()));

  std::ofstream(bad / "scenario.json") << R"({"generator": "earshot simulate", "mode": "audio"})";
  auto no_truth = BuildSimulatedShotDataset(bad.string(), {});
  ASSERT_FALSE(no_truth.has_value());
  EXPECT_THAT(no_truth.error().ToString(), HasSubstr("truth.json"));

  std::ofstream(bad / "truth.json") << R"({"events": [], "emissions": [], "pulses": {}})";
  auto no_tests = BuildSimulatedShotDataset(bad.string(), {});
  ASSERT_FALSE(no_tests.has_value());
  EXPECT_THAT(no_tests.error().ToString(), HasSubstr(bad.string()));
  EXPECT_THAT(no_tests.error().ToString(), HasSubstr("no tests"));

  auto no_livefire = BuildLivefireShotDataset(bad.string(), {});
  ASSERT_FALSE(no_livefire.has_value());
  EXPECT_THAT(no_livefire.error().ToString(), HasSubstr(bad.string()));
}

TEST(LivefireShotDatasetTest, Fp1GivesGunfireRowsNearTheSurvey) {
  const char* shared = std::getenv("EARSHOT_SHARED_DATA");
  const std::string fp1 =
      std::string(shared != nullptr ? shared : "../shared/data") + "/pittsburgh-livefire-2018/FP1";
  if (!fs::is_directory(fp1)) GTEST_SKIP() << "no live-fire data at " << fp1;
  auto dataset = BuildLivefireShotDataset(fp1, {.threads = 2});
  ASSERT_TRUE(dataset.has_value()) << dataset.error().ToString();
  const std::size_t n = dataset->labels.size();
  EXPECT_EQ(dataset->rows.RowCount(), n);
  EXPECT_EQ(dataset->incident_of_row, dataset->test_of_row);
  EXPECT_EQ(dataset->class_counts[kGunfireClass], n);
  EXPECT_EQ(dataset->fixes, n + dataset->unlabelled_fixes);
  // More than one shot per test is located near the survey (26 of 55 fixes when written;
  // the rest are echo images and street sounds, as from-audio location gives them).
  EXPECT_GT(n, dataset->tests);
  EXPECT_GT(2 * n, dataset->unlabelled_fixes);
  EXPECT_LT(Median(dataset->location_error_m), 15.0);
  for (double error_m : dataset->location_error_m) EXPECT_LE(error_m, 60.0);
}

}  // namespace
}  // namespace earshot::classify
