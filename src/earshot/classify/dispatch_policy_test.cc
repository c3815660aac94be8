#include "earshot/classify/dispatch_policy.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::classify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A thresholds file unique to this test process, removed at the end of the test.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& text)
      : path_(fs::temp_directory_path() / ("earshot_dispatch_" + std::to_string(getpid()) + "_" +
                                           std::to_string(next_++) + ".json")) {
    std::ofstream(path_) << text;
  }
  ~ScratchFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int next_ = 0;
  fs::path path_;
};

std::string Refusal(const std::string& text) {
  ScratchFile file(text);
  Result<DispatchThresholds> loaded = LoadDispatchThresholds(file.path());
  EXPECT_FALSE(loaded) << text;
  return loaded ? std::string() : loaded.error().ToString();
}

TEST(DispatchThresholdsTest, DefaultsAreValid) {
  std::string error;
  EXPECT_TRUE(DispatchThresholds{}.IsValid(&error)) << error;
  EXPECT_FALSE((DispatchThresholds{.gunfire_min_p = 0.4, .probable_min_p = 0.5}.IsValid(&error)));
  EXPECT_THAT(error, HasSubstr("must not exceed"));
  EXPECT_FALSE((DispatchThresholds{.gunfire_min_p = 0.8, .probable_min_p = 0.0}.IsValid(&error)));
  EXPECT_FALSE((DispatchThresholds{.gunfire_min_p = 1.1, .probable_min_p = 0.5}.IsValid(&error)));
}

TEST(DispatchThresholdsTest, LoadsTheShippedConfigWithTheDefaults) {
  const fs::path config = fs::path(__FILE__).parent_path() / "../../../config/dispatch.json";
  Result<DispatchThresholds> loaded = LoadDispatchThresholds(config.string());
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_EQ(loaded->gunfire_min_p, DispatchThresholds{}.gunfire_min_p);
  EXPECT_EQ(loaded->probable_min_p, DispatchThresholds{}.probable_min_p);
}

TEST(DispatchThresholdsTest, LoadsAFile) {
  ScratchFile file(R"({"gunfire_min_p": 0.9, "probable_gunfire_min_p": 0.6})");
  Result<DispatchThresholds> loaded = LoadDispatchThresholds(file.path());
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_EQ(loaded->gunfire_min_p, 0.9);
  EXPECT_EQ(loaded->probable_min_p, 0.6);
}

TEST(DispatchThresholdsTest, RefusesBadFilesNamingFileAndField) {
  EXPECT_THAT(LoadDispatchThresholds("/nonexistent/dispatch.json").error().ToString(),
              HasSubstr("/nonexistent/dispatch.json: cannot open"));
  EXPECT_THAT(Refusal("{"), HasSubstr("expected JSON"));
  EXPECT_THAT(Refusal("[0.8, 0.5]"), HasSubstr("expected an object"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": 0.8, "probable_gunfire_min_p": 0.5, "_comment": "x"})"),
              HasSubstr("field _comment: unknown key"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": 0.8, "probable_min_p": 0.5})"),
              HasSubstr("field probable_min_p: unknown key"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": 0.8})"),
              HasSubstr("field probable_gunfire_min_p: expected a probability in (0, 1], got "
                        "nothing"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": "high", "probable_gunfire_min_p": 0.5})"),
              HasSubstr("field gunfire_min_p: expected a probability"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": 1.5, "probable_gunfire_min_p": 0.5})"),
              HasSubstr("field gunfire_min_p"));
  EXPECT_THAT(Refusal(R"({"gunfire_min_p": 0.8, "probable_gunfire_min_p": 0})"),
              HasSubstr("field probable_gunfire_min_p"));
  const std::string crossed = Refusal(R"({"gunfire_min_p": 0.5, "probable_gunfire_min_p": 0.8})");
  EXPECT_THAT(crossed, HasSubstr(".json:field probable_gunfire_min_p:"));
  EXPECT_THAT(crossed, HasSubstr("must not exceed gunfire_min_p"));
}

TEST(DecideTest, SplitsAtTheThresholds) {
  const DispatchThresholds thresholds;
  EXPECT_EQ(Decide(0.95, thresholds), DispatchLabel::kGunfire);
  EXPECT_EQ(Decide(0.80, thresholds), DispatchLabel::kGunfire);
  EXPECT_EQ(Decide(0.7999, thresholds), DispatchLabel::kProbableGunfire);
  EXPECT_EQ(Decide(0.50, thresholds), DispatchLabel::kProbableGunfire);
  EXPECT_EQ(Decide(0.4999, thresholds), DispatchLabel::kNotGunfire);
  EXPECT_EQ(Decide(0.0, thresholds), DispatchLabel::kNotGunfire);
  EXPECT_EQ(Decide(std::nan(""), thresholds), DispatchLabel::kNotGunfire);
  // Equal thresholds leave no middle label.
  const DispatchThresholds two_way{.gunfire_min_p = 0.6, .probable_min_p = 0.6};
  EXPECT_EQ(Decide(0.6, two_way), DispatchLabel::kGunfire);
  EXPECT_EQ(Decide(0.59, two_way), DispatchLabel::kNotGunfire);
}

TEST(DecideTest, LabelNames) {
  EXPECT_EQ(DispatchLabelName(DispatchLabel::kGunfire), "gunfire");
  EXPECT_EQ(DispatchLabelName(DispatchLabel::kProbableGunfire), "probable_gunfire");
  EXPECT_EQ(DispatchLabelName(DispatchLabel::kNotGunfire), "not_gunfire");
}

TEST(TopReasonsTest, LargestMagnitudeFirstWithoutBiasOrSilentMissing) {
  const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
  const std::vector<float> values = {1.0F, kNaN, 3.0F, kNaN, 5.0F};
  // Bias last (9.0) must never appear; d is missing and contributed 0: left out; b is missing
  // but the model did route it (its missing branch moved the margin): kept.
  const std::vector<float> contributions = {0.5F, -1.5F, 2.0F, 0.0F, -0.5F, 9.0F};
  const std::vector<Reason> top = TopReasons(names, values, contributions, 10);
  ASSERT_EQ(top.size(), 4U);
  EXPECT_EQ(top[0].feature, "c");
  EXPECT_EQ(top[1].feature, "b");
  EXPECT_TRUE(std::isnan(top[1].value));
  EXPECT_EQ(top[2].feature, "a");  // ties in feature order
  EXPECT_EQ(top[3].feature, "e");
  EXPECT_EQ(top[3].contribution, -0.5);

  EXPECT_EQ(TopReasons(names, values, contributions, 2).size(), 2U);
  EXPECT_TRUE(TopReasons(names, values, contributions, 0).empty());
  // Without a bias entry the same reasons come back.
  EXPECT_EQ(TopReasons(names, values, std::span<const float>(contributions).first(5), 1)[0].feature,
            "c");
}

TEST(DescribeReasonTest, SaysWhichWayAndHowMuch) {
  EXPECT_EQ(DescribeReason({"crack_fraction", 0.83, 1.21}),
            "crack_fraction = 0.83 raises p(gunfire) (+1.21)");
  EXPECT_EQ(DescribeReason({"source_level_db_at_1m", 121.4, -2.05}),
            "source_level_db_at_1m = 121.4 lowers p(gunfire) (-2.05)");
  EXPECT_EQ(DescribeReason({"rise_time_ms", std::nan(""), 0.4}),
            "rise_time_ms = missing raises p(gunfire) (+0.40)");
  EXPECT_EQ(DescribeReason({"x", 2.0, 0.0}), "x = 2 does not change p(gunfire) (+0.00)");
}

}  // namespace
}  // namespace earshot::classify
