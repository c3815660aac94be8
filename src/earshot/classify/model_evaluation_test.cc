#include "earshot/classify/model_evaluation.h"

#include <cmath>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

using ::testing::ElementsAre;

TEST(RocAucTest, PerfectlySeparatedIsOne) {
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<float>{0.1F, 0.2F, 0.8F, 0.9F}, std::vector<int>{0, 0, 1, 1}),
                   1.0);
}

TEST(RocAucTest, ReversedIsZero) {
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<float>{0.1F, 0.2F, 0.8F, 0.9F}, std::vector<int>{1, 1, 0, 0}),
                   0.0);
}

TEST(RocAucTest, AllTiedIsOneHalf) {
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<float>{0.5F, 0.5F, 0.5F, 0.5F}, std::vector<int>{1, 0, 1, 0}),
                   0.5);
}

TEST(RocAucTest, HandComputedWithOneTie) {
  // Positives 0.4, 0.7; negatives 0.1, 0.4, 0.9. Pairs (pos > neg): 0.4 vs 0.1 = 1, vs 0.4 = 1/2,
  // vs 0.9 = 0; 0.7 vs 0.1 = 1, vs 0.4 = 1, vs 0.9 = 0. Sum 3.5 of 6 pairs.
  EXPECT_DOUBLE_EQ(
      RocAuc(std::vector<float>{0.1F, 0.4F, 0.4F, 0.7F, 0.9F}, std::vector<int>{0, 1, 0, 1, 0}),
      3.5 / 6.0);
}

TEST(RocAucTest, MissingClassIsNaN) {
  EXPECT_TRUE(std::isnan(RocAuc(std::vector<float>{0.1F, 0.9F}, std::vector<int>{1, 1})));
  EXPECT_TRUE(std::isnan(RocAuc(std::vector<float>{0.1F, 0.9F}, std::vector<int>{0, 0})));
  EXPECT_TRUE(std::isnan(RocAuc(std::vector<float>{}, std::vector<int>{})));
}

TEST(CalibrationTableTest, SmallKnownTable) {
  // Four bins of 0.25. Bin 0: 0.1 (0), 0.2 (1) -> mean 0.15, rate 0.5. Bin 1: empty.
  // Bin 2: 0.6 (1) -> 0.6, 1.0. Bin 3: 0.8 (1), 1.0 (0) -> 0.9, 0.5 (p = 1 goes to the last).
  const std::vector<CalibrationRow> table = CalibrationTable(
      std::vector<float>{0.1F, 0.2F, 0.6F, 0.8F, 1.0F}, std::vector<int>{0, 1, 1, 1, 0}, 4);
  ASSERT_EQ(table.size(), 4U);
  EXPECT_DOUBLE_EQ(table[0].lower, 0.0);
  EXPECT_DOUBLE_EQ(table[0].upper, 0.25);
  EXPECT_EQ(table[0].count, 2U);
  EXPECT_NEAR(table[0].mean_p, 0.15, 1e-7);
  EXPECT_DOUBLE_EQ(table[0].observed_rate, 0.5);
  EXPECT_NEAR(table[0].difference_points, -35.0, 1e-5);
  EXPECT_EQ(table[1].count, 0U);
  EXPECT_TRUE(std::isnan(table[1].mean_p));
  EXPECT_TRUE(std::isnan(table[1].observed_rate));
  EXPECT_TRUE(std::isnan(table[1].difference_points));
  EXPECT_EQ(table[2].count, 1U);
  EXPECT_NEAR(table[2].mean_p, 0.6, 1e-7);
  EXPECT_DOUBLE_EQ(table[2].observed_rate, 1.0);
  EXPECT_NEAR(table[2].difference_points, -40.0, 1e-5);
  EXPECT_DOUBLE_EQ(table[3].upper, 1.0);
  EXPECT_EQ(table[3].count, 2U);
  EXPECT_NEAR(table[3].mean_p, 0.9, 1e-7);
  EXPECT_DOUBLE_EQ(table[3].observed_rate, 0.5);
  EXPECT_NEAR(table[3].difference_points, 40.0, 1e-5);

  EXPECT_NEAR(MaxCalibrationGapPoints(table, 1), 40.0, 1e-5);
  // Only the bins with two rows count: |-35| and |40|.
  EXPECT_NEAR(MaxCalibrationGapPoints(table, 2), 40.0, 1e-5);
  EXPECT_DOUBLE_EQ(MaxCalibrationGapPoints(table, 3), 0.0);
}

TEST(CalibrationTableTest, OutOfRangeGoesToTheEndBins) {
  const std::vector<CalibrationRow> table =
      CalibrationTable(std::vector<float>{-0.5F, 1.5F}, std::vector<int>{0, 1}, 10);
  ASSERT_EQ(table.size(), 10U);
  EXPECT_EQ(table.front().count, 1U);
  EXPECT_EQ(table.back().count, 1U);
}

TEST(ConfusionMatrixTest, CountsTruthByPrediction) {
  const auto counts =
      ConfusionMatrix(std::vector<int>{0, 0, 1, 2, 2, 2}, std::vector<int>{0, 1, 1, 2, 0, 2}, 3);
  ASSERT_EQ(counts.size(), 3U);
  EXPECT_THAT(counts[0], ElementsAre(1U, 1U, 0U));
  EXPECT_THAT(counts[1], ElementsAre(0U, 1U, 0U));
  EXPECT_THAT(counts[2], ElementsAre(1U, 0U, 2U));
}

}  // namespace
}  // namespace earshot::classify
