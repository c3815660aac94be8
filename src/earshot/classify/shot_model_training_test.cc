#include "earshot/classify/shot_model_training.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/classify/model_evaluation.h"
#include "earshot/classify/pulse_dataset.h"

namespace earshot::classify {
namespace {

using ::testing::HasSubstr;

// Two overlapping classes on one feature, with a noise feature: a model cannot be sure
// near the overlap, so its raw scores need calibrating. Incidents of three shots.
struct Synthetic {
  FeatureMatrix rows{.feature_names = {"level", "noise"}};
  std::vector<int> labels;
  std::vector<std::string> incidents;
};

Synthetic Make(int incidents, unsigned seed) {
  Synthetic out;
  std::mt19937 random(seed);
  std::normal_distribution<float> unit(0.0F, 1.0F);
  for (int i = 0; i < incidents; ++i) {
    const int label = i % 2 == 0 ? kGunfireClass : 2;
    for (int shot = 0; shot < 3; ++shot) {
      const float level = (label == kGunfireClass ? 1.0F : -1.0F) + unit(random);
      out.rows.AddRow({level, unit(random)});
      out.labels.push_back(label);
      out.incidents.push_back(
          std::string("s").append(std::to_string(seed)).append(":e").append(std::to_string(i)));
    }
  }
  return out;
}

TEST(IncidentFoldTest, FixedAndInRange) {
  EXPECT_EQ(IncidentFold("sim:E0001", 5), IncidentFold("sim:E0001", 5));
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 1000; ++i) {
    const int fold = IncidentFold(std::string("E").append(std::to_string(i)), 5);
    ASSERT_GE(fold, 0);
    ASSERT_LT(fold, 5);
    ++counts[static_cast<size_t>(fold)];
  }
  // A hash spreads names evenly: each fold within 30 % of 200.
  for (int count : counts) EXPECT_NEAR(count, 200, 60);
}

TEST(TrainShotModelTest, OutOfFoldProbabilitiesAreCalibratedOnNewData) {
  const Synthetic train = Make(600, 1);
  ShotModelTrainingOptions options;
  options.boosting.rounds = 30;
  auto trained = TrainShotModel(train.rows, train.labels, train.incidents, 4, options);
  ASSERT_TRUE(trained.has_value()) << trained.error().ToString();
  ASSERT_EQ(trained->out_of_fold_probabilities.size(), train.labels.size());
  for (const auto& p : trained->out_of_fold_probabilities) {
    double sum = 0.0;
    for (double v : p) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-9);
  }

  // On fresh data from the same distribution, calibrated p(gunfire) matches the observed
  // rate per bin within a binomial bound (bins of >= 100 shots: 3 sigma is at most 15
  // points; the model's own error adds a little).
  const Synthetic test = Make(1000, 2);
  auto raw = trained->model.PredictProbabilities(test.rows);
  ASSERT_TRUE(raw.has_value());
  std::vector<float> p_gunfire;
  std::vector<int> is_gunfire;
  for (size_t r = 0; r < raw->size(); ++r) {
    p_gunfire.push_back(static_cast<float>(
        trained->calibration.shot.Apply(std::span<const float>((*raw)[r]))[kGunfireClass]));
    is_gunfire.push_back(test.labels[r] == kGunfireClass ? 1 : 0);
  }
  const auto table = CalibrationTable(p_gunfire, is_gunfire, 5);
  EXPECT_LE(MaxCalibrationGapPoints(table, 100), 15.0);
  // The data says p(gunfire | level) is a logistic of slope 2: an uncalibrated boosted model
  // would put most shots near 0 and 1; calibrated, both ends hold shots of the other class.
  EXPECT_GT(RocAuc(p_gunfire, is_gunfire), 0.85);
}

TEST(TrainShotModelTest, DeterministicAndRefusesBadInput) {
  const Synthetic data = Make(100, 3);
  ShotModelTrainingOptions options;
  options.boosting.rounds = 5;
  auto a = TrainShotModel(data.rows, data.labels, data.incidents, 4, options);
  auto b = TrainShotModel(data.rows, data.labels, data.incidents, 4, options);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->calibration.ToJson(), b->calibration.ToJson());
  EXPECT_EQ(a->out_of_fold_probabilities, b->out_of_fold_probabilities);

  std::vector<int> one_class(data.labels.size(), kGunfireClass);
  auto single = TrainShotModel(data.rows, one_class, data.incidents, 4, options);
  ASSERT_FALSE(single.has_value());
  EXPECT_THAT(single.error().ToString(), HasSubstr("two classes"));

  std::vector<std::string> one_incident(data.labels.size(), "same");
  auto folds = TrainShotModel(data.rows, data.labels, one_incident, 4, options);
  ASSERT_FALSE(folds.has_value());
  EXPECT_THAT(folds.error().ToString(), HasSubstr("too few incidents"));

  auto sizes = TrainShotModel(data.rows, {0, 2}, data.incidents, 4, options);
  EXPECT_FALSE(sizes.has_value());
}

}  // namespace
}  // namespace earshot::classify
