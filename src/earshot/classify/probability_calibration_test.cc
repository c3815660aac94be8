#include "earshot/classify/probability_calibration.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A fixed, deliberately miscalibrated problem: outcome 1 with probability score^2.
struct Sample {
  std::vector<double> scores;
  std::vector<int> outcomes;
};

Sample Squared(int n, unsigned seed) {
  Sample sample;
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < n; ++i) {
    const double score = uniform(random);
    sample.scores.push_back(score);
    sample.outcomes.push_back(uniform(random) < score * score ? 1 : 0);
  }
  return sample;
}

TEST(IsotonicCalibrationTest, RefusesBadInput) {
  const std::vector<double> none;
  const std::vector<int> no_outcomes;
  auto empty = IsotonicCalibration::Fit(none, no_outcomes);
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message, HasSubstr("at least one score"));

  auto mismatch = IsotonicCalibration::Fit(std::vector<double>{0.1, 0.2}, std::vector<int>{1});
  ASSERT_FALSE(mismatch);
  EXPECT_THAT(mismatch.error().message, HasSubstr("one outcome"));

  auto nan = IsotonicCalibration::Fit(
      std::vector<double>{0.1, std::numeric_limits<double>::quiet_NaN()}, std::vector<int>{0, 1});
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().where, "row 1");
  EXPECT_THAT(nan.error().message, HasSubstr("[0, 1]"));

  auto outside = IsotonicCalibration::Fit(std::vector<double>{1.5}, std::vector<int>{1});
  ASSERT_FALSE(outside);
  EXPECT_THAT(outside.error().message, HasSubstr("got 1.5"));

  auto not_binary = IsotonicCalibration::Fit(std::vector<double>{0.5}, std::vector<int>{2});
  ASSERT_FALSE(not_binary);
  EXPECT_THAT(not_binary.error().message, HasSubstr("0 or 1"));

  auto bad_weight = IsotonicCalibration::Fit(std::vector<double>{0.5}, std::vector<int>{1},
                                             std::vector<double>{0.0});
  ASSERT_FALSE(bad_weight);
  EXPECT_THAT(bad_weight.error().message, HasSubstr("weight"));
}

TEST(IsotonicCalibrationTest, PoolsViolatorsByHand) {
  // Outcomes 0, 1, 0, 1 at 0.1..0.4: the middle pair pools to 0.5.
  auto fit = IsotonicCalibration::Fit(std::vector<double>{0.1, 0.2, 0.3, 0.4},
                                      std::vector<int>{0, 1, 0, 1});
  ASSERT_TRUE(fit) << fit.error().ToString();
  ASSERT_EQ(fit->blocks().size(), 3U);
  EXPECT_DOUBLE_EQ(fit->Apply(0.2), 0.5);
  EXPECT_DOUBLE_EQ(fit->Apply(0.25), 0.5);
  EXPECT_DOUBLE_EQ(fit->Apply(0.3), 0.5);
  EXPECT_DOUBLE_EQ(fit->Apply(0.15), 0.25);  // halfway from 0 at 0.1 to 0.5 at 0.2
  EXPECT_DOUBLE_EQ(fit->Apply(0.0), 0.0);    // held at the end values
  EXPECT_DOUBLE_EQ(fit->Apply(1.0), 1.0);

  // Weights move the pooled value: 3 x 1 against 1 x 0 gives 0.75 for the pair.
  auto weighted = IsotonicCalibration::Fit(std::vector<double>{0.2, 0.3}, std::vector<int>{1, 0},
                                           std::vector<double>{3.0, 1.0});
  ASSERT_TRUE(weighted);
  EXPECT_DOUBLE_EQ(weighted->Apply(0.25), 0.75);
}

TEST(IsotonicCalibrationTest, OutputIsMonotoneAndInUnitInterval) {
  const Sample sample = Squared(3000, 11);
  auto fit = IsotonicCalibration::Fit(sample.scores, sample.outcomes);
  ASSERT_TRUE(fit);
  double previous = -1.0;
  for (int i = -100; i <= 1100; ++i) {
    const double value = fit->Apply(i / 1000.0);
    EXPECT_GE(value, previous) << "at " << i / 1000.0;
    EXPECT_GE(value, 0.0);
    EXPECT_LE(value, 1.0);
    previous = value;
  }
}

TEST(IsotonicCalibrationTest, MonotoneOutcomesComeBackExactly) {
  std::vector<double> scores;
  std::vector<int> outcomes;
  for (int i = 0; i < 50; ++i) {
    scores.push_back(i / 50.0);
    outcomes.push_back(i >= 31 ? 1 : 0);
  }
  auto fit = IsotonicCalibration::Fit(scores, outcomes);
  ASSERT_TRUE(fit);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    EXPECT_EQ(fit->Apply(scores[i]), outcomes[i]) << "at " << scores[i];
  }
}

TEST(IsotonicCalibrationTest, RecoversTrueProbabilityWithinBinomialBound) {
  // Outcomes Bernoulli(p) with p uniform: the calibrated p should be p itself. Isotonic blocks
  // near p hold about n^(2/3) points, so allow 4 binomial standard errors over that many.
  constexpr int kRows = 20000;
  std::mt19937 random(2024);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> scores;
  std::vector<int> outcomes;
  for (int i = 0; i < kRows; ++i) {
    const double p = uniform(random);
    scores.push_back(p);
    outcomes.push_back(uniform(random) < p ? 1 : 0);
  }
  auto fit = IsotonicCalibration::Fit(scores, outcomes);
  ASSERT_TRUE(fit);
  const double local_rows = std::pow(kRows, 2.0 / 3.0);
  for (int i = 1; i <= 19; ++i) {
    const double p = i / 20.0;
    const double bound = 4.0 * std::sqrt(p * (1.0 - p) / local_rows);
    EXPECT_NEAR(fit->Apply(p), p, bound) << "at p = " << p;
  }
}

TEST(IsotonicCalibrationTest, JsonRoundTripIsIdentical) {
  const Sample sample = Squared(500, 3);
  auto fit = IsotonicCalibration::Fit(sample.scores, sample.outcomes);
  ASSERT_TRUE(fit);
  const json written = fit->ToJson();
  auto read = IsotonicCalibration::FromJson(json::parse(written.dump()), "cal.json");
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->ToJson(), written);
  for (int i = 0; i <= 1000; ++i) EXPECT_EQ(read->Apply(i / 1000.0), fit->Apply(i / 1000.0));
}

TEST(IsotonicCalibrationTest, BadJsonIsRefusedNamingTheField) {
  const auto refused = [](const char* text) {
    auto read = IsotonicCalibration::FromJson(json::parse(text), "cal.json");
    EXPECT_FALSE(read) << text;
    return read ? std::string() : read.error().ToString();
  };
  EXPECT_THAT(refused(R"([1, 2])"), HasSubstr("expected an object"));
  EXPECT_THAT(refused(R"({})"), HasSubstr("field blocks"));
  EXPECT_THAT(refused(R"({"blocks": []})"), HasSubstr("non-empty array"));
  EXPECT_THAT(refused(R"({"blocks": [], "extra": 1})"), HasSubstr("field extra: unknown key"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0, "max_score": 0.1}]})"),
              HasSubstr("field blocks[0].value"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0, "max_score": 0.1, "value": 1.2}]})"),
              HasSubstr("cal.json:field blocks[0].value: expected a number in [0, 1], got 1.2"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0, "max_score": 0.1, "value": 0.1, "v": 0}]})"),
              HasSubstr("field blocks[0].v: unknown key"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0.2, "max_score": 0.1, "value": 0.5}]})"),
              HasSubstr("field blocks[0].max_score"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0, "max_score": 0.5, "value": 0.5},
                                     {"min_score": 0.4, "max_score": 0.6, "value": 0.6}]})"),
              HasSubstr("field blocks[1].min_score"));
  EXPECT_THAT(refused(R"({"blocks": [{"min_score": 0, "max_score": 0.1, "value": 0.5},
                                     {"min_score": 0.4, "max_score": 0.6, "value": 0.4}]})"),
              HasSubstr("field blocks[1].value"));
}

// Three classes whose raw probabilities are systematically too flat.
struct ClassProblem {
  std::vector<std::vector<float>> probabilities;
  std::vector<int> labels;
};

ClassProblem FlatThreeClasses(int rows, unsigned seed) {
  ClassProblem problem;
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(0.0F, 1.0F);
  for (int r = 0; r < rows; ++r) {
    const int label = r % 3;
    std::vector<float> p = {uniform(random), uniform(random), uniform(random)};
    p[static_cast<std::size_t>(label)] += 0.5F;
    const float sum = p[0] + p[1] + p[2];
    for (float& value : p) value /= sum;
    problem.probabilities.push_back(p);
    problem.labels.push_back(label);
  }
  return problem;
}

TEST(ClassCalibrationTest, CalibratedRowsSumToOne) {
  const ClassProblem problem = FlatThreeClasses(900, 8);
  auto fit = ClassCalibration::Fit(problem.probabilities, problem.labels, 3);
  ASSERT_TRUE(fit) << fit.error().ToString();
  EXPECT_EQ(fit->class_count(), 3);
  const ClassProblem fresh = FlatThreeClasses(200, 9);
  for (const std::vector<float>& p : fresh.probabilities) {
    const std::vector<double> q = fit->Apply(std::span<const float>(p));
    ASSERT_EQ(q.size(), 3U);
    EXPECT_NEAR(std::accumulate(q.begin(), q.end(), 0.0), 1.0, 1e-12);
    for (double value : q) {
      EXPECT_GE(value, 0.0);
      EXPECT_LE(value, 1.0);
    }
  }
}

TEST(ClassCalibrationTest, AllZeroCalibratedReturnsTheInput) {
  // Every class's outcome is 0 wherever its probability is low, so low inputs calibrate to 0.
  auto fit = ClassCalibration::Fit({{0.9F, 0.1F}, {0.1F, 0.9F}}, {0, 1}, 2);
  ASSERT_TRUE(fit);
  const std::vector<double> p = {0.1, 0.1};
  EXPECT_EQ(fit->Apply(std::span<const double>(p)), p);
}

TEST(ClassCalibrationTest, RefusesBadInput) {
  auto one_class = ClassCalibration::Fit({{1.0F}}, {0}, 1);
  ASSERT_FALSE(one_class);
  auto bad_label = ClassCalibration::Fit({{0.5F, 0.5F}}, {2}, 2);
  ASSERT_FALSE(bad_label);
  EXPECT_EQ(bad_label.error().where, "row 0");
  auto short_row = ClassCalibration::Fit({{0.5F}}, {0}, 2);
  ASSERT_FALSE(short_row);
  auto nan_row = ClassCalibration::Fit({{0.5F, std::numeric_limits<float>::quiet_NaN()}}, {0}, 2);
  ASSERT_FALSE(nan_row);
  EXPECT_EQ(nan_row.error().where, "class 1, row 0");
}

TEST(ClassCalibrationTest, JsonRoundTripIsIdenticalAndBadJsonNamesTheField) {
  const ClassProblem problem = FlatThreeClasses(300, 4);
  auto fit = ClassCalibration::Fit(problem.probabilities, problem.labels, 3);
  ASSERT_TRUE(fit);
  const json written = fit->ToJson();
  auto read = ClassCalibration::FromJson(json::parse(written.dump()), "cal.json");
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->ToJson(), written);
  const std::vector<double> p = {0.2, 0.5, 0.3};
  EXPECT_EQ(read->Apply(std::span<const double>(p)), fit->Apply(std::span<const double>(p)));

  json broken = written;
  broken["classes"][1]["blocks"][0]["value"] = "high";
  auto refused = ClassCalibration::FromJson(broken, "cal.json");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().ToString(), HasSubstr("cal.json:field classes[1].blocks[0].value"));

  auto too_few = ClassCalibration::FromJson(json::parse(R"({"classes": []})"), "cal.json");
  ASSERT_FALSE(too_few);
  EXPECT_THAT(too_few.error().ToString(), HasSubstr("field classes"));
  auto unknown = ClassCalibration::FromJson(json::parse(R"({"classes": [], "k": 1})"), "cal.json");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().ToString(), HasSubstr("field k: unknown key"));
}

}  // namespace
}  // namespace earshot::classify
