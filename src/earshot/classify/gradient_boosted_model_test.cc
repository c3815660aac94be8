#include "earshot/classify/gradient_boosted_model.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kClasses = 4;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Four well separated blobs in a 3-feature space: the class sets the sign of x and y;
// z is noise the model should learn to ignore.
struct Problem {
  FeatureMatrix rows{.feature_names = {"x", "y", "noise"}};
  std::vector<int> labels;
};

Problem SeparableProblem(int rows_per_class = 50) {
  Problem problem;
  std::mt19937 random(5);
  std::normal_distribution<float> jitter(0.0F, 0.3F);
  for (int row = 0; row < rows_per_class; ++row) {
    for (int label = 0; label < kClasses; ++label) {
      const float x = (label % 2 == 0 ? -2.0F : 2.0F) + jitter(random);
      const float y = (label / 2 == 0 ? -2.0F : 2.0F) + jitter(random);
      problem.rows.AddRow({x, y, 3.0F * jitter(random)});
      problem.labels.push_back(label);
    }
  }
  return problem;
}

int ArgMax(const std::vector<float>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

// A file path unique to this test process, removed at the end of the test.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("earshot_gbm_" + std::to_string(getpid()) + "_" + name)) {}
  ~ScratchFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

TEST(GradientBoostedModelTest, LearnsSeparableFourClassProblem) {
  const Problem problem = SeparableProblem();
  Result<GradientBoostedModel> model =
      GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  EXPECT_EQ(model->class_count(), kClasses);

  Result<std::vector<std::vector<float>>> p = model->PredictProbabilities(problem.rows);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_EQ(p->size(), problem.labels.size());
  int correct = 0;
  for (std::size_t r = 0; r < p->size(); ++r) {
    ASSERT_EQ((*p)[r].size(), static_cast<std::size_t>(kClasses));
    float sum = 0.0F;
    for (float probability : (*p)[r]) {
      EXPECT_GE(probability, 0.0F);
      sum += probability;
    }
    EXPECT_NEAR(sum, 1.0F, 1e-5F);
    correct += ArgMax((*p)[r]) == problem.labels[r] ? 1 : 0;
  }
  EXPECT_GE(correct, static_cast<int>(0.99 * static_cast<double>(p->size())));
}

TEST(GradientBoostedModelTest, FeatureImportanceFavoursInformativeFeatures) {
  const Problem problem = SeparableProblem();
  Result<GradientBoostedModel> model =
      GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  Result<std::vector<FeatureGain>> gains = model->FeatureImportance();
  ASSERT_TRUE(gains.has_value()) << gains.error().ToString();
  ASSERT_EQ(gains->size(), 3u);
  EXPECT_EQ((*gains)[0].feature, "x");
  EXPECT_EQ((*gains)[2].feature, "noise");
  EXPECT_GT((*gains)[0].gain, (*gains)[2].gain);
  EXPECT_GT((*gains)[1].gain, (*gains)[2].gain);
}

TEST(GradientBoostedModelTest, SaveThenLoadPredictsBitwiseIdentically) {
  const Problem problem = SeparableProblem();
  Result<GradientBoostedModel> model =
      GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  ScratchFile file("model.json");
  ASSERT_TRUE(model->Save(file.path()).has_value());

  Result<GradientBoostedModel> loaded = GradientBoostedModel::Load(file.path());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->feature_names(), problem.rows.feature_names);
  EXPECT_EQ(loaded->class_count(), kClasses);
  auto before = model->PredictProbabilities(problem.rows);
  auto after = loaded->PredictProbabilities(problem.rows);
  ASSERT_TRUE(before.has_value() && after.has_value());
  ASSERT_EQ(before->size(), after->size());
  for (std::size_t r = 0; r < before->size(); ++r) {
    ASSERT_EQ(std::memcmp((*before)[r].data(), (*after)[r].data(), kClasses * sizeof(float)), 0)
        << "row " << r;
  }
}

TEST(GradientBoostedModelTest, SameSeedTrainsIdenticalModels) {
  const Problem problem = SeparableProblem();
  TrainOptions options;
  options.seed = 99;
  auto first = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, options);
  auto second = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, options);
  ASSERT_TRUE(first.has_value() && second.has_value());
  auto a = first->PredictProbabilities(problem.rows);
  auto b = second->PredictProbabilities(problem.rows);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(*a, *b);
}

TEST(GradientBoostedModelTest, RefusesMissingAndCorruptModelFiles) {
  ScratchFile missing("missing.json");
  Result<GradientBoostedModel> none = GradientBoostedModel::Load(missing.path());
  ASSERT_FALSE(none.has_value());
  EXPECT_THAT(none.error().ToString(), HasSubstr(missing.path()));
  EXPECT_THAT(none.error().ToString(), HasSubstr("cannot open"));

  const Problem problem = SeparableProblem(5);
  auto model = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value());
  ScratchFile good("good.json");
  ASSERT_TRUE(model->Save(good.path()).has_value());
  std::ifstream in(good.path(), std::ios::binary);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  ScratchFile truncated("truncated.json");
  std::ofstream(truncated.path(), std::ios::binary) << json.substr(0, json.size() / 2);
  Result<GradientBoostedModel> cut = GradientBoostedModel::Load(truncated.path());
  ASSERT_FALSE(cut.has_value());
  EXPECT_THAT(cut.error().ToString(), HasSubstr(truncated.path()));
  EXPECT_THAT(cut.error().ToString(), HasSubstr("corrupt"));

  ScratchFile garbage("garbage.json");
  std::ofstream(garbage.path(), std::ios::binary) << "not a model\n";
  Result<GradientBoostedModel> junk = GradientBoostedModel::Load(garbage.path());
  ASSERT_FALSE(junk.has_value());
  EXPECT_THAT(junk.error().ToString(), HasSubstr(garbage.path()));

  ScratchFile empty_object("empty_object.json");
  std::ofstream(empty_object.path(), std::ios::binary) << "{}";
  Result<GradientBoostedModel> empty = GradientBoostedModel::Load(empty_object.path());
  ASSERT_FALSE(empty.has_value());
  EXPECT_THAT(empty.error().ToString(), HasSubstr(empty_object.path()));
}

TEST(GradientBoostedModelTest, RefusesRowsWithOtherFeatures) {
  const Problem problem = SeparableProblem(5);
  auto model = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value());
  ScratchFile file("model.json");
  ASSERT_TRUE(model->Save(file.path()).has_value());
  auto loaded = GradientBoostedModel::Load(file.path());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();

  FeatureMatrix renamed{.feature_names = {"x", "y", "level_db_spl"}};
  renamed.AddRow({1.0F, 1.0F, 1.0F});
  auto p = loaded->PredictProbabilities(renamed);
  ASSERT_FALSE(p.has_value());
  EXPECT_THAT(p.error().ToString(), HasSubstr("[x,y,noise]"));
  EXPECT_THAT(p.error().ToString(), HasSubstr("level_db_spl"));

  FeatureMatrix reordered{.feature_names = {"y", "x", "noise"}};
  reordered.AddRow({1.0F, 1.0F, 1.0F});
  EXPECT_FALSE(loaded->PredictProbabilities(reordered).has_value());
}

TEST(GradientBoostedModelTest, NaNIsMissingButInfinityIsRefused) {
  Problem problem = SeparableProblem();
  // Every tenth row loses its noise feature; the model still trains and predicts.
  for (std::size_t r = 0; r < problem.labels.size(); r += 10) problem.rows.values[r * 3 + 2] = kNaN;
  auto model = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();

  FeatureMatrix query{.feature_names = problem.rows.feature_names};
  query.AddRow({2.0F, 2.0F, kNaN});
  query.AddRow({-2.0F, kNaN, kNaN});
  auto p = model->PredictProbabilities(query);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(ArgMax((*p)[0]), 3);
  for (const auto& row : *p) {
    for (float probability : row) EXPECT_TRUE(std::isfinite(probability));
  }

  query.AddRow({std::numeric_limits<float>::infinity(), 0.0F, 0.0F});
  auto refused = model->PredictProbabilities(query);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().ToString(), HasSubstr("row 2, feature x"));

  problem.rows.values[0] = -std::numeric_limits<float>::infinity();
  EXPECT_FALSE(GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {}).has_value());
}

TEST(GradientBoostedModelTest, RefusesBadTrainingInput) {
  const Problem problem = SeparableProblem(5);
  std::vector<int> bad_labels = problem.labels;
  bad_labels[3] = kClasses;
  auto bad = GradientBoostedModel::Train(problem.rows, bad_labels, kClasses, {});
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().ToString(), HasSubstr("row 3"));

  std::vector<int> short_labels(problem.labels.begin(), problem.labels.end() - 1);
  EXPECT_FALSE(GradientBoostedModel::Train(problem.rows, short_labels, kClasses, {}).has_value());
  EXPECT_FALSE(GradientBoostedModel::Train(problem.rows, problem.labels, 1, {}).has_value());

  TrainOptions options;
  options.eta = 0.0;
  auto bad_options = GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, options);
  ASSERT_FALSE(bad_options.has_value());
  EXPECT_THAT(bad_options.error().ToString(), HasSubstr("eta"));

  FeatureMatrix duplicate{.feature_names = {"x", "x"}};
  duplicate.AddRow({1.0F, 2.0F});
  duplicate.AddRow({2.0F, 1.0F});
  EXPECT_FALSE(GradientBoostedModel::Train(duplicate, {0, 1}, 2, {}).has_value());
}

// Contributions with missing values too, so the missing-value branches are covered.
Problem ProblemWithMissingValues() {
  Problem problem = SeparableProblem();
  for (std::size_t r = 0; r < problem.rows.RowCount(); r += 5) {
    problem.rows.values[r * problem.rows.ColumnCount() + (r % 3)] = kNaN;
  }
  return problem;
}

TEST(GradientBoostedModelTest, ContributionsSumToTheMarginOfEachClass) {
  const Problem problem = ProblemWithMissingValues();
  Result<GradientBoostedModel> model =
      GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {.rounds = 20});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  auto contributions = model->PredictContributions(problem.rows);
  ASSERT_TRUE(contributions.has_value()) << contributions.error().ToString();
  auto p = model->PredictProbabilities(problem.rows);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(contributions->size(), problem.rows.RowCount());
  for (std::size_t r = 0; r < contributions->size(); ++r) {
    const auto& row = (*contributions)[r];
    ASSERT_EQ(row.size(), static_cast<std::size_t>(kClasses));
    std::vector<double> margin;
    for (const std::vector<float>& values : row) {
      ASSERT_EQ(values.size(), problem.rows.ColumnCount() + 1);
      double sum = 0.0;
      for (float value : values) sum += value;
      margin.push_back(sum);
    }
    const double largest = *std::max_element(margin.begin(), margin.end());
    double normaliser = 0.0;
    for (double m : margin) normaliser += std::exp(m - largest);
    for (std::size_t c = 0; c < margin.size(); ++c) {
      EXPECT_NEAR(std::exp(margin[c] - largest) / normaliser, (*p)[r][c], 1e-5)
          << "row " << r << ", class " << c;
    }
  }
  EXPECT_TRUE(
      model->PredictContributions(FeatureMatrix{.feature_names = {"x", "y", "noise"}})->empty());
  FeatureMatrix renamed{.feature_names = {"x", "y", "other"}};
  renamed.AddRow({1.0F, 1.0F, 1.0F});
  EXPECT_FALSE(model->PredictContributions(renamed).has_value());
}

TEST(GradientBoostedModelTest, OneRowAtATimeIsIdenticalToTheBatch) {
  const Problem problem = ProblemWithMissingValues();
  Result<GradientBoostedModel> model =
      GradientBoostedModel::Train(problem.rows, problem.labels, kClasses, {});
  ASSERT_TRUE(model.has_value());
  auto batch = model->PredictProbabilities(problem.rows);
  ASSERT_TRUE(batch.has_value());
  const std::size_t columns = problem.rows.ColumnCount();
  for (std::size_t r = 0; r < problem.rows.RowCount(); ++r) {
    FeatureMatrix one{.feature_names = problem.rows.feature_names};
    one.AddRow(
        std::vector<float>(problem.rows.values.begin() + static_cast<long>(r * columns),
                           problem.rows.values.begin() + static_cast<long>((r + 1) * columns)));
    auto p = model->PredictProbabilities(one);
    ASSERT_TRUE(p.has_value());
    ASSERT_EQ(p->size(), 1U);
    EXPECT_EQ((*p)[0], (*batch)[r]) << "row " << r;
  }
}

}  // namespace
}  // namespace earshot::classify
