#include "earshot/classify/shot_classifier.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/classify/shot_model_training.h"
#include "earshot/classify/shot_row.h"

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Shot-model rows where only the source level at 1 m tells the classes apart: gunfire is
// loud at the source, firecrackers are not (shot_features.h). Everything else is missing.
FeatureMatrix Rows(const std::vector<float>& source_levels_db) {
  FeatureMatrix rows{.feature_names = ShotModelFeatureNames()};
  for (float level : source_levels_db) {
    std::vector<float> row(rows.ColumnCount(), kNaN);
    row[0] = level;  // source_level_db_at_1m
    rows.AddRow(row);
  }
  return rows;
}

class ShotClassifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::mt19937 random(7);
    std::normal_distribution<float> spread_db(0.0F, 4.0F);
    std::vector<float> levels;
    std::vector<int> labels;
    std::vector<std::string> incidents;
    for (int i = 0; i < 400; ++i) {
      const bool gunfire = (i / 2) % 2 == 0;  // incidents of two shots of one class
      levels.push_back((gunfire ? 150.0F : 125.0F) + spread_db(random));
      labels.push_back(gunfire ? kGunfireClass : 2);
      incidents.push_back(std::string("e").append(std::to_string(i / 2)));
    }
    ShotModelTrainingOptions options;
    options.boosting.rounds = 20;
    auto trained = TrainShotModel(Rows(levels), labels, incidents, kPulseClassCount, options);
    ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
    // One folder per process: CTest runs each test of the suite as its own process, at once.
    dir_ =
        new fs::path(fs::temp_directory_path() /
                     std::string("earshot_shot_classifier_test_").append(std::to_string(getpid())));
    fs::create_directories(*dir_);
    ASSERT_TRUE(trained->model.Save((*dir_ / "shot.json").string()).has_value());
    ASSERT_TRUE(trained->calibration.Save((*dir_ / "shot.calibration.json").string()).has_value());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string ModelPath() { return (*dir_ / "shot.json").string(); }

  static fs::path* dir_;
};

fs::path* ShotClassifierTest::dir_ = nullptr;

TEST_F(ShotClassifierTest, LoudSourcesAreGunfireAndTheLevelIsTheReason) {
  auto classifier = ShotClassifier::Load(ModelPath());
  ASSERT_TRUE(classifier.has_value()) << classifier.error().ToString();
  auto shots = classifier->ClassifyRows(Rows({160.0F, 115.0F}), 2);
  ASSERT_TRUE(shots.has_value()) << shots.error().ToString();
  ASSERT_EQ(shots->size(), 2U);
  EXPECT_GT((*shots)[0].p[kGunfireClass], 0.9);
  EXPECT_EQ((*shots)[0].label, kGunfireClass);
  EXPECT_LT((*shots)[1].p[kGunfireClass], 0.1);
  EXPECT_EQ((*shots)[1].label, 2);
  for (const ShotClassification& shot : *shots) {
    double sum = 0.0;
    for (double p : shot.p) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    ASSERT_FALSE(shot.reasons.empty());
    EXPECT_EQ(shot.reasons.front().feature, "source_level_db_at_1m");
  }
  EXPECT_GT((*shots)[0].reasons.front().contribution, 0.0);
  EXPECT_LT((*shots)[1].reasons.front().contribution, 0.0);
}

TEST_F(ShotClassifierTest, IncidentProbabilityRisesWithItsShots) {
  auto classifier = ShotClassifier::Load(ModelPath());
  ASSERT_TRUE(classifier.has_value());
  const std::vector<double> low = {0.05, 0.1};
  const std::vector<double> high = {0.95, 0.9};
  EXPECT_LE(classifier->IncidentProbability(low), classifier->IncidentProbability(high));
  EXPECT_GT(classifier->IncidentProbability(high), 0.8);
  EXPECT_LT(classifier->IncidentProbability(low), 0.2);
}

TEST_F(ShotClassifierTest, RefusesAModelWithoutItsCalibrationOrOfOtherColumns) {
  fs::copy_file(ModelPath(), *dir_ / "alone.json", fs::copy_options::overwrite_existing);
  auto alone = ShotClassifier::Load((*dir_ / "alone.json").string());
  ASSERT_FALSE(alone.has_value());
  EXPECT_THAT(alone.error().ToString(), HasSubstr("alone.calibration.json"));

  FeatureMatrix other{.feature_names = {"a", "b"}};
  other.AddRow({1.0F, 2.0F});
  other.AddRow({2.0F, 1.0F});
  auto model = GradientBoostedModel::Train(other, {0, 1}, 4, {.rounds = 2});
  ASSERT_TRUE(model.has_value());
  ASSERT_TRUE(model->Save((*dir_ / "other.json").string()).has_value());
  auto wrong = ShotClassifier::Load((*dir_ / "other.json").string());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_THAT(wrong.error().ToString(), HasSubstr("not a shot classifier"));
}

TEST(ShotClassifierPathTest, CalibrationLiesBesideTheModel) {
  EXPECT_EQ(ShotClassifier::CalibrationPathFor("models/shot_classifier.json"),
            "models/shot_classifier.calibration.json");
  EXPECT_EQ(ShotClassifier::CalibrationPathFor("m"), "m.calibration.json");
}

// Two loud shots a second apart and a weak bang half a minute later: two incidents.
TEST_F(ShotClassifierTest, FixesFormIncidentsWithDispatchLabels) {
  auto classifier = ShotClassifier::Load(ModelPath());
  ASSERT_TRUE(classifier.has_value());
  const std::vector<Eigen::Vector3d> sensors = {
      {150.0, 0.0, 6.0}, {0.0, 180.0, 6.0}, {-170.0, 0.0, 6.0}, {0.0, -160.0, 6.0}};
  std::vector<Pulse> pulses;
  std::vector<Fix> fixes;
  auto add_shot = [&](const Eigen::Vector3d& at_m, int64_t emission_ns, double level_at_1m_db) {
    Fix fix;
    fix.position_m = at_m;
    fix.emission_ns = emission_ns;
    for (size_t s = 0; s < sensors.size(); ++s) {
      Pulse pulse;
      pulse.id = std::string("p").append(std::to_string(pulses.size()));
      pulse.sensor_id = std::string("S").append(std::to_string(s));
      pulse.sensor_position_m = sensors[s];
      pulse.onset_ns = emission_ns + 500'000'000;
      pulse.level_db_spl = level_at_1m_db - 20.0 * std::log10((sensors[s] - at_m).norm());
      pulse.snr_db = 20.0;
      fix.used.push_back({pulse.id, pulse.sensor_id, 0.0});
      pulses.push_back(pulse);
    }
    fixes.push_back(fix);
  };
  add_shot({0.0, 0.0, 1.0}, 1'000'000'000'000, 152.0);
  add_shot({2.0, 1.0, 1.0}, 1'001'000'000'000, 151.0);
  add_shot({10.0, 0.0, 1.0}, 1'030'000'000'000, 120.0);
  auto out = classifier->ClassifyFixes(fixes, pulses, Weather{}, {});
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  ASSERT_EQ(out->shots.size(), 3U);
  ASSERT_EQ(out->incidents.size(), 2U);
  EXPECT_EQ(out->incidents[0].shots, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(out->incidents[0].dispatch, DispatchLabel::kGunfire);
  EXPECT_EQ(out->incidents[1].shots, (std::vector<size_t>{2}));
  EXPECT_EQ(out->incidents[1].dispatch, DispatchLabel::kNotGunfire);
  ASSERT_FALSE(out->incidents[0].reasons.empty());
  EXPECT_EQ(out->incidents[0].reasons.front().feature, "source_level_db_at_1m");
}

}  // namespace
}  // namespace earshot::classify
